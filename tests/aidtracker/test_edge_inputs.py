"""No input in a URL, a query string or a command argument gives a 500, a
traceback or a page of megabytes: every URL pattern is walked with edge values in its path and in
every filter parameter (dates at the calendar's edges, NUL bytes, numbers
past any column's range, very long text), as an admin, who may open
everything."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import URLResolver, get_resolver

from tests import factories as f

PATH_VALUES = {
    "str": ["540000", "%00", "x" * 300, "' OR 1=1 --", "%E2%80%AE", "9" * 40],
    "int": ["1", "0", "9" * 30],
    "pk": ["1", "0", "9" * 30],
}
QUERY_VALUES = [
    "9999-12-31", "0001-01-01", "2024-02-30", "\x00", "a\x00b", "-1", "9" * 30, "x" * 1000,
    "２０２４-０１-０１", " ", "1e308", "nan",
]
DATES = {"date_after", "date_before", "independent_after", "independent_before", "on_site", "from", "to"}
PARAMETERS = [
    "date_after", "date_before", "independent_after", "independent_before", "on_site", "from", "to",
    "region", "hospital", "specialty", "donor", "recipient", "program", "team", "lead", "grade",
    "approach", "kind", "status", "role", "outcome", "mode", "minimally_invasive", "demonstration",
    "first_in_region", "independent", "q", "trainee", "person", "home_hospital", "host_hospital",
    "consulting_hospital", "age_group", "title", "page", "sort", "format", "teams", "user", "batch", "month",
]


def routes():
    """(route with <converter:name> placeholders, name) of every URL pattern
    but the Django admin's own."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    found = []
    for route in walk(get_resolver().url_patterns):
        if route.startswith("admin/") and "recent-changes" not in route:
            continue
        if route.startswith("api/v1/^"):
            route = "api/v1/nothing/here"
        found.append(route)
    return found


def paths(route):
    """The route with each placeholder filled with each edge value."""
    import re

    holes = re.findall(r"<(\w+):(\w+)>", route)
    if not holes:
        return ["/" + route]
    result = []
    for kind, _name in holes[:1]:
        for value in PATH_VALUES.get(kind, PATH_VALUES["str"]):
            filled = re.sub(r"<\w+:\w+>", value, route)
            result.append("/" + filled)
    return result


@pytest.fixture
def data(world):
    f.SurgeryFactory(hospital=world.lhasa_peoples)
    f.TrainingFactory()


@pytest.mark.parametrize("route", routes())
def test_no_path_or_parameter_gives_a_server_error(route, data, admin_user, client):
    client.force_login(admin_user)
    failures = []
    for i, path in enumerate(paths(route)):
        requests = [{}]
        requests += [{name: value for name in PARAMETERS} for value in QUERY_VALUES]
        # One parameter at a time too: a bad one among good ones. With the
        # first path value only (the one that can name a row: "540000",
        # "1"; the others name none, and get every edge value at once), and
        # not for a brief's PDF: its view is the brief's HTML route's (which
        # takes this pass), printed by WeasyPrint at half a second a request.
        if i == 0 and not route.endswith("report.pdf"):
            requests += [{name: "9999-12-31" if name in DATES else "9" * 30} for name in PARAMETERS]
        for params in requests:
            response = client.get(path, params)
            if response.status_code >= 500:
                failures.append((path, params if len(params) < 3 else f"all={next(iter(params.values()))!r}",
                                 response.status_code))
            content = response.content if not getattr(response, "streaming", False) else b""
            if b"Traceback" in content:
                failures.append((path, params, "traceback"))
            # Nor a page that grows with the dates typed: 0001-01-01 drew two
            # thousand years of charts (12 MB, a minute to render).
            if len(content) > 1_000_000:
                failures.append((path, params, f"{len(content):,} bytes"))
    assert not failures, failures[:10]


@pytest.mark.parametrize("argv", [
    ["region_summary", "540000", "--from", "9999-12-31"],
    ["region_summary", "540000", "--to", "0001-01-01"],
    ["region_summary", "540000", "--from", "0001-01-01", "--to", "9999-12-31"],
    ["region_summary", "54\x000000"],
    ["region_summary", "540000", "--specialty", "\x00"],
    ["donor_summary", "110000", "--from", "9999-12-31"],
    ["donor_summary", "110000", "--recipient", "\x00"],
])
def test_no_command_argument_ends_in_a_traceback(argv, world):
    try:
        call_command(*argv)
    except CommandError:
        pass  # a clear message, exit status 2


def test_a_nul_character_is_a_clear_400(admin_user, client, world):
    client.force_login(admin_user)
    page = client.get("/regions/%00/")
    assert page.status_code == 400 and "NUL character" in page.content.decode()
    api = client.get("/api/v1/regions/540000/summary", {"specialty": "\x00"})
    assert api.status_code == 400 and "NUL character" in api.json()["error"]
    form = client.post("/surgeries/new/", {"procedure": "a\x00b"})
    assert form.status_code == 400
