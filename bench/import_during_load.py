"""While the load runs: import ROWS new surgeries with `import_bundle` and
check that the running servers show them right after the import commits.

    DATABASE_URL=... python bench/import_during_load.py BASE_URL USER PASSWORD REGION ROWS OUTDIR

Prints the figures before and after and exits 1 if the dashboards did not
reflect the import at once.
"""

import csv
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidtracker.settings")

import django  # noqa: E402

django.setup()

from hospitals.models import Hospital, Specialty  # noqa: E402

PERIOD = "from=2024-01-01&to=2024-12-31"  # the API's parameters
PAGE_PERIOD = "date_after=2024-01-01&date_before=2024-12-31"  # the dashboard's


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read().decode()

    def sign_in(self, username, password, login_path=os.environ.get("BENCH_LOGIN_PATH", "/accounts/login/")):
        _, page = self.get(login_path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + login_path, data=data, headers={"Referer": self.base + login_path}
        )
        with self.opener.open(request, timeout=60) as response:
            response.read()

    def total(self, region):
        _, body = self.get(f"/api/v1/regions/{region}/summary?{PERIOD}")
        return json.loads(body)["surgeries"]["total"]


def write_bundle(folder: Path, region: str, rows: int) -> Path:
    hospitals = list(Hospital.objects.in_region(region).values_list("code", flat=True))
    specialties = list(Specialty.objects.values_list("code", flat=True))
    stamp = time.strftime("%Y%m%d%H%M%S")
    path = folder / "surgeries.csv"
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "date", "hospital_code", "specialty", "procedure", "grade",
                      "approach", "lead", "demonstration", "first_in_region", "outcome"])
        for i in range(rows):
            out.writerow([
                f"LOAD-{stamp}-{i:06d}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                hospitals[i % len(hospitals)], specialties[i % len(specialties)],
                "Load-test procedure", 1 + i % 4,
                ("open", "laparoscopic", "endoscopic")[i % 3],
                ("visiting", "joint", "local")[i % 3], "no", "no", "success",
            ])
    return path


def main(base, username, password, region, rows, outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    bundle = write_bundle(outdir, region, int(rows))
    browser = Browser(base)
    browser.sign_in(username, password)
    before = browser.total(region)
    status, _ = browser.get(f"/regions/{region}/?{PAGE_PERIOD}")
    print(f"import: {rows} surgeries into {region}; API total before: {before:,}", flush=True)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "import_bundle", str(bundle), "--no-progress"],
        cwd=ROOT, capture_output=True, text=True,
    )
    took = time.monotonic() - started
    if result.returncode != 0:
        print(f"import FAILED (exit {result.returncode}) after {took:.1f} s:\n{result.stdout}\n{result.stderr}")
        return 1
    # Right after the commit: the very next requests must show the rows.
    after = browser.total(region)
    status, page = browser.get(f"/regions/{region}/?{PAGE_PERIOD}")
    expected = before + int(rows)
    shown = f"{expected:,}" in page or str(expected) in page
    print(f"import: committed in {took:.1f} s; API total right after: {after:,} (expected {expected:,})")
    print(f"import: region dashboard right after: HTTP {status}, shows {expected:,}: {'yes' if shown else 'NO'}")
    ok = after == expected and status == 200 and shown
    print("import check: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
