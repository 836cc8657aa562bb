#!/bin/sh
# Fetch the pinned front-end files again from npm (run by `make vendor`).
# Nothing is loaded from a CDN at run time: these files are committed and
# served by Django's staticfiles (WhiteNoise in production).
set -eu
CHARTJS_VERSION=4.6.1
HERE=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack --silent "chart.js@$CHARTJS_VERSION" >/dev/null
tar xzf "chart.js-$CHARTJS_VERSION.tgz"
DEST="$HERE/static/vendor/chartjs"
mkdir -p "$DEST"
# Drop the source-map comment: the map is not vendored, and Django's
# ManifestStaticFilesStorage would refuse to collect a reference to a missing file.
sed '/^\/\/# sourceMappingURL=/d' package/dist/chart.umd.min.js > "$DEST/chart.umd.min.js"
cp package/LICENSE.md "$DEST/LICENSE.md"
echo "$CHARTJS_VERSION" > "$DEST/VERSION"
echo "Chart.js $CHARTJS_VERSION -> $DEST"
