"""Open every page the load test opens once, so that the cached run measures
a warm cache (as in production, where figures stay cached between writes).

    python bench/prime.py BASE_URL USER PASSWORD REGION[,REGION...]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_during_load import Browser  # noqa: E402


def main(base, username, password, regions):
    browser = Browser(base)
    browser.sign_in(username, password)
    started = time.monotonic()
    paths = ["/"]
    for code in regions.split(","):
        paths += [f"/regions/{code}/", f"/surgeries/?region={code}",
                  f"/api/v1/regions/{code}/summary?from=2024-01-01&to=2024-12-31"]
    for path in paths:
        browser.get(path)
    print(f"primed {len(paths)} pages in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main(*sys.argv[1:])
