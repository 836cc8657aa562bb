#!/bin/sh
# Fetch the Nu HTML Checker (vnu.jar, pinned) from npm into .cache/vnu/ for
# tests/aidtracker/test_html_validity.py; run by .ci/run and `make vnu`.
# The jar (32 MB) is not committed. Prints the jar's path.
set -eu
VNU_VERSION=26.9.27
HERE=$(cd "$(dirname "$0")/.." && pwd)
DEST="${VNU_DIR:-$HERE/.cache/vnu}"
JAR="$DEST/vnu-$VNU_VERSION.jar"
if [ ! -s "$JAR" ]; then
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    (cd "$TMP" && npm pack --silent "vnu-jar@$VNU_VERSION" >/dev/null && tar xzf "vnu-jar-$VNU_VERSION.tgz")
    mkdir -p "$DEST"
    cp "$TMP/package/build/dist/vnu.jar" "$JAR.part"
    mv "$JAR.part" "$JAR"
fi
echo "$JAR"
