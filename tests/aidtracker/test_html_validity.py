"""Every kind of page is valid HTML by the Nu HTML Checker (vnu.jar, the W3C
validator's engine): the pages of tests/support/pages.py, as the server
writes them, in one run of the checker.

The jar (32 MB) is not committed: scripts/fetch_vnu.sh fetches the pinned
version into .cache/vnu/ (.ci/run does, and exports VNU_JAR so that CI
fails rather than skips). Without Java or the jar the test is skipped.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.pages import build_site, fetch, site_pages

ROOT = Path(__file__).resolve().parents[2]
#: A short run: the quick compiler alone halves the checker's time (6.4 -> 3.4 s
#: for 60 pages); its larger frames need a larger stack than vnu's 512k minimum.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-Xss16m"]


def vnu_jar():
    """The checker's jar: $VNU_JAR (which must then exist), else the newest in .cache/vnu/."""
    if os.environ.get("VNU_JAR"):
        jar = Path(os.environ["VNU_JAR"])
        assert jar.is_file(), f"VNU_JAR={jar} does not exist (scripts/fetch_vnu.sh fetches it)"
        return jar
    jars = sorted((ROOT / ".cache" / "vnu").glob("vnu-*.jar"))
    if not jars:
        pytest.skip("no vnu.jar in .cache/vnu/ (scripts/fetch_vnu.sh, or `make vnu`, fetches it)")
    return jars[-1]


@pytest.mark.django_db
def test_every_kind_of_page_is_valid_html(client, settings, tmp_path):
    java = shutil.which("java")
    if java is None:
        pytest.skip("no java on PATH (apt-get install default-jre-headless)")
    jar = vnu_jar()
    settings.INTERCHANGE_RUNNER = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_site()
    pages = tmp_path / "pages"
    pages.mkdir()
    names = {}
    for n, visit in enumerate(site_pages(w, tmp_path)):
        path = pages / f"{n:03d}-{re.sub(r'[^a-z0-9]+', '-', visit.name)}.html"
        path.write_bytes(fetch(client, w.users, visit))
        names[path.name] = visit

    # One Java start for all pages (it takes longer than checking them).
    result = subprocess.run(
        [java, *JAVA_OPTIONS, "-jar", str(jar), "--errors-only", "--format", "json",
         *sorted(map(str, pages.iterdir()))],
        capture_output=True, text=True, timeout=300,
    )
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except ValueError:
        pytest.fail(f"the checker did not answer in JSON:\n{result.stderr}{result.stdout}")
    errors = [
        f"{names.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}, line {m.get('lastLine', '?')}: "
        f"{m['message']}\n    {m.get('extract', '').strip()}"
        for m in messages
    ]
    assert result.returncode == 0 and errors == [], "\n".join(errors) or result.stderr
