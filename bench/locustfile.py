"""Load test of the pages officials open after a report goes out.

Each virtual user signs in once (password hashing is slow on purpose), then
opens the overview, a region dashboard, a list and the summary API, with a
short pause between requests. Run by bench/load_test.sh; by hand:

    locust -f bench/locustfile.py --headless -u 16 -r 16 -t 60s \
        --host http://127.0.0.1:8000 --only-summary

Environment: BENCH_USERS ("user:password,user:password", one per virtual
user in turn), BENCH_REGIONS (codes of recipient regions), BENCH_LOGIN_PATH.
"""

import itertools
import json
import os
import re
import threading
import time

from locust import FastHttpUser, between, constant, events, task

LOGIN_PATH = os.environ.get("BENCH_LOGIN_PATH", "/accounts/login/")
REGIONS = os.environ.get("BENCH_REGIONS", "540000,650000").split(",")
USERS = [
    tuple(pair.split(":", 1))
    for pair in os.environ.get("BENCH_USERS", "bench1:bench-password").split(",")
]
_next_user = itertools.cycle(USERS)
_lock = threading.Lock()
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Official(FastHttpUser):
    # 16 users with no pause between requests: a closed loop that measures
    # what the server sustains with 16 requests in flight, not how long people
    # read. BENCH_THINK="0.5,2" gives each user a pause (seconds) instead.
    _think = [float(x) for x in os.environ.get("BENCH_THINK", "0").split(",")]
    wait_time = between(*_think) if len(_think) == 2 else constant(_think[0])

    def on_start(self):
        with _lock:
            username, password = next(_next_user)
        self.regions = itertools.cycle(REGIONS[len(USERS) % len(REGIONS):] + REGIONS)
        page = self.client.get(LOGIN_PATH, name="sign in (form)")
        match = CSRF_RE.search(page.text or "")
        if not match:
            raise RuntimeError(f"no CSRF token on {LOGIN_PATH} (status {page.status_code})")
        with self.client.post(
            LOGIN_PATH,
            data={"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)},
            headers={"Referer": self.host + LOGIN_PATH},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in of {username} failed: {response.status_code}")

    def _get(self, path, name):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {response.status_code}")

    @task(2)
    def overview(self):
        self._get("/", "overview /")

    @task(4)
    def region_dashboard(self):
        self._get(f"/regions/{next(self.regions)}/", "region dashboard /regions/<code>/")

    @task(2)
    def surgery_list(self):
        self._get(f"/surgeries/?region={next(self.regions)}", "list /surgeries/?region=<code>")

    @task(2)
    def summary_api(self):
        self._get(
            f"/api/v1/regions/{next(self.regions)}/summary?from=2024-01-01&to=2024-12-31",
            "API /api/v1/regions/<code>/summary",
        )


# Steady state: the page requests answered after the last user signed in
# (signing 16 users in takes seconds of password hashing at the start of a
# run, during which few pages are asked for). Written to BENCH_STEADY_OUT.
# With BENCH_STEADY_STATS=1 (bench/load_test.sh sets it) locust's own
# statistics (its CSV: requests/s, median, p95) are reset at that moment, so
# they describe the steady state too; what happened before (the sign-ins and
# the pages asked for meanwhile, failures included) is written to
# BENCH_STEADY_OUT as "warm_up" and still counts as errors.
_steady = {"signed_in": 0, "start": None, "last": None, "requests": 0, "failures": 0, "warm_up": None}
_environment = None
_run_start = time.monotonic()


@events.request.add_listener
def _count_steady(request_type, name, response_time, response_length, exception=None, **kwargs):
    if name.startswith("sign in"):
        if name == "sign in":
            _steady["signed_in"] += 1
            users = getattr(_options, "num_users", None) or len(USERS)
            if _steady["signed_in"] >= users and _steady["start"] is None:
                _steady["start"] = time.monotonic()
                if os.environ.get("BENCH_STEADY_STATS") == "1" and _environment is not None:
                    _reset_to_steady_state(_environment)
        return
    if _steady["start"] is not None:
        _steady["requests"] += 1
        _steady["failures"] += exception is not None
        _steady["last"] = time.monotonic()


def _reset_to_steady_state(environment):
    stats = environment.stats
    sign_in = stats.entries.get(("sign in", "POST"))
    _steady["warm_up"] = {
        "seconds": round(time.monotonic() - _run_start, 1),
        "requests": stats.total.num_requests,
        "failures": stats.total.num_failures,
        "pages": sum(e.num_requests for (n, _m), e in stats.entries.items() if not n.startswith("sign in")),
        "sign_in_median_ms": sign_in.median_response_time if sign_in else None,
        "sign_in_max_ms": round(sign_in.max_response_time) if sign_in else None,
    }
    stats.reset_all()


_options = None


@events.init.add_listener
def _remember_options(environment, **kwargs):
    global _options, _environment
    _options = environment.parsed_options
    _environment = environment


@events.quitting.add_listener
def _fail_on_errors(environment, **kwargs):
    warm_up_failures = (_steady["warm_up"] or {}).get("failures", 0)
    if environment.stats.total.num_failures or warm_up_failures:
        environment.process_exit_code = 1
    out = os.environ.get("BENCH_STEADY_OUT")
    if out and _steady["start"] is not None and _steady["last"] is not None:
        seconds = _steady["last"] - _steady["start"]
        with open(out, "w") as handle:
            json.dump({
                "seconds": round(seconds, 1),
                "requests": _steady["requests"],
                "failures": _steady["failures"],
                "rps": round(_steady["requests"] / seconds, 1) if seconds > 0 else None,
                "warm_up": _steady["warm_up"],
            }, handle)
