"""The role × page × scope matrix for every page that is not a record page
(those are in test_access.py): dashboards, lists and their CSV exports, the
JSON API and the import page. Each row is (page, expected status per role);
pages with a record or region take an "in" and an "out" one.

In scope: Tibet (540000), program BJ-LHASA, its team BJ-LHASA-1, Lhasa
People's Hospital; the coordinator coordinates BJ-LHASA and the regional
official (and the regional viewer) read Tibet. Out of scope: Xinjiang
(650000), program BJ-XJ, its team BJ-XJ-1, Xinjiang Children's Hospital.
Rules decided here (see accounts.scope and dashboards.views):
- viewers open the dashboards (overview, region, program, team and hospital
  pages) but no list, export or API call (403);
- a hospital elsewhere is readable to an official of Tibet when it is linked
  to Tibet: Beijing Friendship sends experts and twins with a Tibetan
  hospital, Renji (Shanghai) is consulted by one; a hospital with no link to
  Tibet (Zhongshan, Shanghai) is 404.
"""

import csv
import io
import re

import pytest
from django.urls import reverse

from audit.models import ImportBatch
from tests import factories as f
from tests.conftest import _make_user

ROLES = ["admin", "coordinator", "official", "official_all", "viewer", "viewer_tibet", "anonymous"]


@pytest.fixture
def everyone(actors, world, django_user_model):
    """The matrix's actors plus a viewer limited to Tibet."""
    return {**actors, "viewer_tibet": _make_user(django_user_model, "viewer_tibet", "viewer", regions=[world.tibet])}


def statuses(admin, coordinator, official, official_all, viewer, viewer_tibet, anonymous):
    return dict(zip(ROLES, (admin, coordinator, official, official_all, viewer, viewer_tibet, anonymous)))


# Every signed-in role; regional users 404 outside their regions.
DASHBOARD_IN = statuses(200, 200, 200, 200, 200, 200, 302)
DASHBOARD_OUT = statuses(200, 200, 404, 200, 200, 404, 302)
# Lists and exports: not for viewers; regional officials see their rows only.
LIST = statuses(200, 200, 200, 200, 403, 403, 302)
API_IN = statuses(200, 200, 200, 200, 403, 403, 401)
API_OUT = statuses(200, 200, 404, 200, 403, 403, 401)
ADMIN_ONLY = statuses(200, 403, 403, 403, 403, 403, 302)

LISTS = ["/programs/", "/hospitals/", "/surgeries/", "/trainings/", "/rotations/",
         "/techniques/", "/referrals/", "/consultations/"]

PAGES = [
    ("/", DASHBOARD_IN),
    ("/?date_after=2024-01-01", DASHBOARD_IN),
    ("/regions/540000/", DASHBOARD_IN),
    ("/regions/650000/", DASHBOARD_OUT),
    ("/regions/540100/", statuses(302, 302, 302, 302, 302, 302, 302)),  # a prefecture: to its province
    ("/regions/999999/", statuses(404, 404, 404, 404, 404, 404, 302)),
    ("/programs/BJ-LHASA/", DASHBOARD_IN),
    ("/programs/BJ-XJ/", DASHBOARD_OUT),
    ("/teams/BJ-LHASA-1/", DASHBOARD_IN),
    ("/teams/BJ-XJ-1/", DASHBOARD_OUT),
    ("/hospitals/LS-PEOPLES/", DASHBOARD_IN),
    ("/hospitals/XJ-CHILDREN/", DASHBOARD_OUT),
    ("/hospitals/BJ-FRIENDSHIP/", DASHBOARD_IN),  # donor linked to Tibet
    ("/hospitals/SH-RENJI/", DASHBOARD_IN),  # consulted by a Tibetan hospital
    ("/hospitals/SH-ZHONGSHAN/", DASHBOARD_OUT),  # no link to Tibet
    *[(url, LIST) for url in LISTS],
    *[(f"{url}export.csv", LIST) for url in LISTS],
    *[(f"{url}?format=csv", LIST) for url in LISTS],
    ("/api/v1/regions/", API_IN),
    ("/api/v1/regions/540000/summary", API_IN),
    ("/api/v1/regions/650000/summary", API_OUT),
    ("/import/", ADMIN_ONLY),
    ("/import/export.zip", ADMIN_ONLY),
]


@pytest.fixture
def linked(world, records):
    """A twinning of BJ-LHASA with Beijing Friendship as donor department, and
    a Shanghai hospital with no link to Tibet."""
    f.TwinningFactory(program=world.bj_lhasa, donor_hospital=world.bj_friendship)
    f.HospitalFactory(code="SH-ZHONGSHAN", name="Zhongshan Hospital", region=world.shanghai)
    return records


# One test per role (the set-up is the costly part); every mismatch reported at once.
@pytest.mark.parametrize("role", ROLES)
def test_page_access(role, everyone, linked, client_as):
    client = client_as(everyone[role])
    wrong = []
    for url, expected in PAGES:
        response = client.get(url)
        if response.status_code != expected[role]:
            wrong.append((url, expected[role], response.status_code))
        elif response.status_code == 302 and role == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next="), url
    assert wrong == []


def _csv_column(response, column):
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())  # a byte-order mark: Excel reads Chinese
    text = data.decode("utf-8-sig")
    return {row[column] for row in csv.DictReader(io.StringIO(text))}


# (list, CSV column, how to read a record's value of it)
LIST_KEYS = [
    ("/surgeries/", "ref", "surgery", lambda r: r.ref),
    ("/trainings/", "ref", "training", lambda r: r.ref),
    ("/techniques/", "ref", "technique", lambda r: r.ref),
    ("/referrals/", "ref", "referral", lambda r: r.ref),
    ("/consultations/", "ref", "consultation", lambda r: r.ref),
    ("/rotations/", "person_id", "rotation", lambda r: r.person_id),
]


@pytest.mark.parametrize(("role", "sees_out"), [("official", False), ("official_all", True), ("coordinator", True)])
def test_out_of_scope_rows_are_absent_from_lists_and_exports(role, sees_out, everyone, linked, client_as):
    records = linked
    client = client_as(everyone[role])
    for url, column, kind, key in LIST_KEYS:
        inside, outside = key(records[kind]["in"]), key(records[kind]["out"])
        page = client.get(url).content.decode()
        exported = _csv_column(client.get(f"{url}export.csv"), column)
        assert inside in page and inside in exported, url
        assert (outside in page) is sees_out, url
        assert (outside in exported) is sees_out, url
    programs = _csv_column(client.get("/programs/export.csv"), "code")
    hospitals = _csv_column(client.get("/hospitals/export.csv"), "code")
    assert "BJ-LHASA" in programs and ("BJ-XJ" in programs) is sees_out
    assert "LS-PEOPLES" in hospitals and ("XJ-CHILDREN" in hospitals) is sees_out
    if not sees_out:  # linked donors are listed, unlinked ones are not
        assert {"BJ-FRIENDSHIP", "SH-RENJI"} <= hospitals and "SH-ZHONGSHAN" not in hospitals


def test_filter_choices_are_narrowed_for_a_regional_official(everyone, records, client_as):
    client = client_as(everyone["official"])
    page = client.get("/surgeries/").content.decode()
    assert 'value="LS-PEOPLES"' in page and 'value="XJ-CHILDREN"' not in page
    assert 'value="540000"' in page and 'value="650000"' not in page
    assert 'value="BJ-LHASA"' in page and 'value="BJ-XJ"' not in page
    assert 'value="BJ-LHASA-1"' in page and 'value="BJ-XJ-1"' not in page
    # Guessing a choice out of scope is refused, and lists nothing.
    response = client.get("/surgeries/", {"hospital": "XJ-CHILDREN"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert response.context["totals"]["rows"] == 0
    assert _csv_column(client.get("/surgeries/export.csv", {"hospital": "XJ-CHILDREN"}), "ref") == set()
    # Everyone else still sees every choice.
    page = client_as(everyone["official_all"]).get("/surgeries/").content.decode()
    assert 'value="XJ-CHILDREN"' in page and 'value="650000"' in page


def test_overview_and_api_list_only_readable_regions(everyone, world, records, client_as):
    for role, codes in [("official", {"540000"}), ("viewer_tibet", {"540000"}),
                        ("official_all", {"540000", "650000"}), ("viewer", {"540000", "650000"})]:
        client = client_as(everyone[role])
        rows = client.get("/").context["rows"]
        assert {r["code"] for r in rows} == codes, role
        if role.startswith("official"):
            body = client.get("/api/v1/regions/").json()
            assert {r["code"] for r in body["regions"]} == codes, role
    body = client_as(everyone["official"]).get("/api/v1/regions/650000/summary").json()
    assert body == {"error": "No region has the code '650000'."}
    assert client_as(everyone["viewer"]).get("/api/v1/regions/").json()["error"].startswith("Your role (viewer)")


def test_a_reader_of_one_prefecture_is_led_to_its_records(world, records, django_user_model, client_as):
    """Below province level there is no dashboard (its figures would show the
    rest of the province): the overview and the prefecture's page say so and
    lead an official to the prefecture's lists, never to a page they cannot open."""
    official = _make_user(django_user_model, "official_lhasa", "official", regions=[world.lhasa])
    viewer = _make_user(django_user_model, "viewer_lhasa", "viewer", regions=[world.lhasa])
    for user in (official, viewer):
        client = client_as(user)
        overview = client.get("/").content.decode()
        assert "Your regions lie below province level" in overview
        assert 'href="/regions/540100/"' in overview
        assert "Import a bundle" not in overview
        assert client.get("/regions/540000/").status_code == 404
        page = client.get("/regions/540100/")
        assert page.status_code == 200
        assert "<h1>Lhasa" in page.content.decode()
    page = client_as(official).get("/regions/540100/").content.decode()
    lists = re.findall(r'<li><a href="(/[a-z]+/\?region=540100)">', page)
    assert lists[0] == "/surgeries/?region=540100" and len(lists) == 6
    assert all(client_as(official).get(url).status_code == 200 for url in lists)
    page = client_as(viewer).get("/regions/540100/").content.decode()
    assert "?region=540100" not in page
    assert "Your role shows dashboards only" in page


def test_api_token_of_a_regional_official_is_scoped(everyone, client):
    from accounts.models import ApiToken

    _token, clear = ApiToken.issue(user=everyone["official"], name="scripts")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    assert client.get("/api/v1/regions/540000/summary", **auth).status_code == 200
    assert client.get("/api/v1/regions/650000/summary", **auth).status_code == 404
    body = client.get("/api/v1/regions/", **auth).json()
    assert [r["code"] for r in body["regions"]] == ["540000"]


def test_donor_hospital_page_shows_only_the_officials_twinnings(everyone, world, records, client_as):
    xj_program = records["rotation"]["out"].team.program
    f.TwinningFactory(program=world.bj_lhasa, donor_hospital=world.bj_friendship)
    f.TwinningFactory(program=xj_program, donor_hospital=world.bj_friendship)
    tibet = client_as(everyone["official"]).get("/hospitals/BJ-FRIENDSHIP/")
    assert [d["program"].code for d in tibet.context["sent"]["departments"]] == ["BJ-LHASA"]
    admin = client_as(everyone["admin"]).get("/hospitals/BJ-FRIENDSHIP/")
    assert sorted(d["program"].code for d in admin.context["sent"]["departments"]) == ["BJ-LHASA", "BJ-XJ"]


def _hrefs(response):
    import re

    return set(re.findall(r'href="([^"#]*)', response.content.decode()))


LIST_PATHS = {"/surgeries/", "/trainings/", "/rotations/", "/techniques/", "/referrals/",
              "/consultations/", "/programs/", "/hospitals/"}


def _is_list_link(href):
    path = href.split("?")[0]
    # A dashboard's own figures (figures.csv, figures.xlsx) are the viewer's to take away.
    figures = path.rsplit("/", 1)[-1] in ("figures.csv", "figures.xlsx")
    return path in LIST_PATHS or (path.endswith(".csv") and not figures) or path.startswith("/api/")


def test_viewers_get_no_links_to_lists(everyone, records, client_as):
    client = client_as(everyone["viewer"])
    pages = {}
    for url in ["/", "/regions/540000/", "/programs/BJ-LHASA/", "/teams/BJ-LHASA-1/",
                "/hospitals/LS-PEOPLES/"]:
        response = pages[url] = client.get(url)
        assert response.status_code == 200
        assert [h for h in _hrefs(response) if _is_list_link(h)] == [], url
    # The figures are there, without links (the first answer was rendered;
    # the same page again would come whole from the page cache).
    region = pages["/regions/540000/"]
    assert all(card["url"] in (None, "#twinnings") for card in region.context["cards"])
    # An official gets the links.
    official = client_as(everyone["official"]).get("/regions/540000/")
    assert any(h.startswith("/surgeries/?region=540000") for h in _hrefs(official))
    assert any(h.startswith("/api/v1/regions/540000/summary") for h in _hrefs(official))


@pytest.mark.parametrize(("role", "lists", "log_surgery", "import_link"), [
    ("admin", True, True, True),
    ("coordinator", True, True, False),
    ("official", True, False, False),
    ("viewer", False, False, False),
])
def test_menu_shows_only_what_the_role_may_open(role, lists, log_surgery, import_link, everyone, client_as):
    hrefs = _hrefs(client_as(everyone[role]).get("/"))
    assert ("/surgeries/" in hrefs and "/programs/" in hrefs) is lists
    assert (reverse("outcomes:surgery_create") in hrefs) is log_surgery
    assert ("/import/" in hrefs) is import_link


def test_coordinator_without_programs_has_no_log_a_surgery_link(django_user_model, world, client_as):
    user = _make_user(django_user_model, "idle", "coordinator")
    page = client_as(user).get("/").content.decode()
    assert "Log a surgery" not in page


def test_import_refuses_a_file_over_the_size_limit(everyone, client_as, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_UPLOAD_MB = 0
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_as(everyone["admin"])
    upload = SimpleUploadedFile("bundle.zip", b"x" * 2048, content_type="application/zip")
    response = client.post("/import/", {"bundle": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "The file bundle.zip is 2.0" in text and "imports are limited to" in text
    assert not ImportBatch.objects.exists()
    assert not any(tmp_path.rglob("bundle.zip"))


# --- officials of donor provinces -----------------------------------------------------
# An official of Shanghai (or Beijing) reads the records of the programs its
# province donates, and the hospitals they lead to; nothing of another
# donor's programs, and no recipient region's dashboard (tests/accounts/
# conftest.py: donor_side).

def _donor_lists(donor_side):
    """donor -> list URL -> (CSV column, the keys of exactly the rows it shows)."""
    rows, records = donor_side["rows"], donor_side["records"]
    inside = {kind: pair["in"] for kind, pair in records.items()}
    out = {kind: pair["out"] for kind, pair in records.items()}
    return {
        "beijing": {
            "/surgeries/": ("ref", {inside["surgery"].ref}),
            "/trainings/": ("ref", {rows["bj_training"].ref}),
            "/techniques/": ("ref", {rows["bj_technique"].ref}),
            "/referrals/": ("ref", set()),
            "/consultations/": ("ref", set()),
            "/rotations/": ("person_id", {inside["rotation"].person_id, out["rotation"].person_id}),
            "/programs/": ("code", {"BJ-LHASA", "BJ-XJ"}),
            "/hospitals/": ("code", {"BJ-FRIENDSHIP", "LS-PEOPLES", "XJ-CHILDREN"}),
        },
        "shanghai": {
            "/surgeries/": ("ref", {rows["sh_team_surgery"].ref, rows["sh_twinned_surgery"].ref}),
            "/trainings/": ("ref", {rows["sh_training"].ref, rows["sh_hosted"].ref}),
            "/techniques/": ("ref", {rows["sh_technique"].ref}),
            "/referrals/": ("ref", set()),
            "/consultations/": ("ref", {inside["consultation"].ref, out["consultation"].ref}),
            "/rotations/": ("person_id", {rows["sh_rotation"].person_id}),
            "/programs/": ("code", {"SH-XIGAZE"}),
            "/hospitals/": ("code", {"SH-RENJI", "SH-ZHONGSHAN", "XG-PEOPLES", "XJ-CHILDREN", "LS-PEOPLES"}),
        },
    }


@pytest.mark.parametrize("donor", ["beijing", "shanghai"])
def test_donor_officials_lists_and_exports_show_their_programs_rows(donor, donor_side, client_as):
    client = client_as(donor_side["users"][donor])
    wrong = []
    for url, (column, keys) in _donor_lists(donor_side)[donor].items():
        page = client.get(url)
        exported = _csv_column(client.get(f"{url}export.csv"), column)
        if exported != keys or page.context["totals"]["rows"] != len(keys):
            wrong.append((url, sorted(keys), sorted(exported), page.context["totals"]["rows"]))
    assert wrong == []


# page -> status for the official of (Beijing, Shanghai, Tibet)
DONOR_PAGES = [
    ("/programs/BJ-LHASA/", (200, 404, 200)),
    ("/programs/BJ-XJ/", (200, 404, 404)),
    ("/programs/SH-XIGAZE/", (404, 200, 200)),
    ("/teams/BJ-XJ-1/", (200, 404, 404)),
    ("/teams/SH-XIGAZE-1/", (404, 200, 200)),
    ("/hospitals/XG-PEOPLES/", (404, 200, 200)),  # Shanghai's recipient
    ("/hospitals/XJ-CHILDREN/", (200, 200, 404)),  # Beijing's recipient; Shanghai's team operated there
    ("/hospitals/BJ-FRIENDSHIP/", (200, 404, 200)),
    ("/hospitals/SH-ZHONGSHAN/", (404, 200, 404)),  # in Shanghai, linked to nothing
    ("/hospitals/PL-COUNTY/", (404, 404, 200)),
    # A recipient's dashboard: to a donor's official, filtered by their donor only.
    ("/regions/540000/", (302, 302, 200)),
    ("/regions/540000/?donor=110000", (200, 302, 200)),
    ("/regions/540000/?donor=310000", (302, 200, 200)),
    # A province that receives no program leads to its donor dashboard.
    ("/regions/110000/", (302, 404, 404)),
    ("/regions/310000/", (404, 302, 404)),
    ("/donors/110000/", (200, 404, 404)),
    ("/donors/310000/", (404, 200, 404)),
    ("/api/v1/donors/110000/summary", (200, 404, 404)),
    ("/api/v1/donors/310000/summary", (404, 200, 404)),
    ("/api/v1/regions/540000/summary", (404, 404, 200)),
    ("/surgeries/?twinned_by=310000", (200, 200, 200)),
    ("/trainings/?host_region=310000&kind=further_study", (200, 200, 200)),
]


@pytest.mark.parametrize("who", ["beijing", "shanghai", "tibet"])
def test_donor_officials_page_access(who, donor_side, client_as):
    client = client_as(donor_side["users"][who])
    column = ["beijing", "shanghai", "tibet"].index(who)
    wrong = [(url, expected[column], status) for url, expected in DONOR_PAGES
             if (status := client.get(url).status_code) != expected[column]]
    assert wrong == []


def test_the_new_filters_narrow_within_a_donor_officials_scope(donor_side, client_as):
    rows, users = donor_side["rows"], donor_side["users"]
    shanghai = client_as(users["shanghai"])
    assert _csv_column(shanghai.get("/surgeries/export.csv?twinned_by=310000"), "ref") == {
        rows["sh_twinned_surgery"].ref}
    assert _csv_column(shanghai.get("/trainings/export.csv?host_region=310000"), "ref") == {rows["sh_hosted"].ref}
    # The donor's list links carry the recipient region: Shanghai may choose Tibet.
    response = shanghai.get("/surgeries/", {"twinned_by": "310000", "region": "540000"})
    assert response.context["filter"].form.is_valid()
    assert response.context["totals"]["rows"] == 1
    # Another donor is not a choice of Shanghai's: refused, nothing listed.
    response = shanghai.get("/surgeries/", {"twinned_by": "110000"})
    assert "Select a valid choice" in response.content.decode() and response.context["totals"]["rows"] == 0
    # Tibet's official may ask for Shanghai's twinned departments and hosts, within Tibet.
    tibet = client_as(users["tibet"])
    assert _csv_column(tibet.get("/surgeries/export.csv?twinned_by=310000"), "ref") == {
        rows["sh_twinned_surgery"].ref}
    response = tibet.get("/trainings/", {"host_region": "310000"})
    assert response.context["filter"].form.is_valid() and response.context["totals"]["rows"] == 0


def test_the_api_lists_a_donor_officials_own_donor_and_no_recipient_region(donor_side, client_as):
    for who, donors in [("beijing", ["110000"]), ("shanghai", ["310000"]), ("tibet", [])]:
        client = client_as(donor_side["users"][who])
        assert [d["code"] for d in client.get("/api/v1/donors/").json()["donors"]] == donors, who
        regions = [r["code"] for r in client.get("/api/v1/regions/").json()["regions"]]
        assert regions == ([] if donors else ["540000"]), who
    body = client_as(donor_side["users"]["shanghai"]).get("/api/v1/donors/110000/summary").json()
    assert body == {"error": "No region has the code '110000'."}
