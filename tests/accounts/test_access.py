"""The role × page/action × scope matrix: the exact response of every record
page for every role, on a record in the user's scope ("in") and one outside
it ("out"). Extend ACCESS (and RECORD_PAGES) with new pages; each row is
(role, page, scope, expected status).

In scope means: a record at Lhasa People's Hospital (Tibet), whose program
BJ-LHASA the coordinator coordinates and whose region the regional official
reads. Out of scope: a record at Xinjiang Children's Hospital (another
program, another region)."""

import pytest
from django.urls import reverse


KINDS = [
    ("outcomes", "surgery"),
    ("outcomes", "training"),
    ("outcomes", "technique"),
    ("outcomes", "referral"),
    ("outcomes", "consultation"),
    ("deployments", "rotation"),
]

# Expected status per role for each action; (in scope, out of scope).
EXPECTED = {
    #               detail      history     update      delete      create
    "anonymous":    ((302, 302), (302, 302), (302, 302), (302, 302), 302),
    "admin":        ((200, 200), (200, 200), (200, 200), (200, 200), 200),
    "coordinator":  ((200, 200), (200, 200), (200, 403), (200, 403), 200),
    "official":     ((200, 404), (200, 404), (403, 403), (403, 403), 403),
    "official_all": ((200, 200), (200, 200), (403, 403), (403, 403), 403),
    "viewer":       ((403, 403), (403, 403), (403, 403), (403, 403), 403),
}
ACTIONS = ["detail", "history", "update", "delete"]

ACCESS = []
for role, (*per_action, create_status) in EXPECTED.items():
    for (ns, kind) in KINDS:
        ACCESS.append((role, f"{ns}:{kind}_create", None, create_status))
        for action, (inside, outside) in zip(ACTIONS, per_action):
            name = f"{ns}:{kind}" if action == "detail" else f"{ns}:{kind}_{action}"
            ACCESS.append((role, name, "in", inside))
            ACCESS.append((role, name, "out", outside))


def check_rows(rows, actors, records, client_as):
    """Request every row's page; return the rows whose status differs."""
    wrong = []
    for role, page, scope, status in rows:
        client = client_as(actors[role])
        if scope is None:
            url = reverse(page)
        else:
            kind = page.split(":")[1].split("_")[0]
            url = reverse(page, args=[records[kind][scope].pk])
        response = client.get(url)
        if response.status_code != status:
            wrong.append((role, page, scope, status, response.status_code))
        elif status == 302:
            assert response["Location"].startswith(reverse("login") + "?next=")
    return wrong


# One test per role (the set-up is the costly part), every row of the table checked
# and every mismatch reported at once.
@pytest.mark.parametrize("role", list(EXPECTED))
def test_record_page_access(role, actors, records, client_as):
    rows = [row for row in ACCESS if row[0] == role]
    assert check_rows(rows, actors, records, client_as) == []


# POST delete: the same rule as the confirmation page, and nothing is deleted
# when refused.
DELETE_POSTS = [
    ("admin", "out", 302), ("coordinator", "in", 302), ("coordinator", "out", 403),
    ("official", "in", 403), ("official", "out", 403), ("viewer", "in", 403),
    ("anonymous", "in", 302),
]


@pytest.mark.parametrize(("role", "scope", "status"), DELETE_POSTS)
@pytest.mark.parametrize("kind", ["surgery", "rotation"])
def test_delete_post_access(role, scope, status, kind, actors, records, client_as):
    obj = records[kind][scope]
    ns = "deployments" if kind == "rotation" else "outcomes"
    response = client_as(actors[role]).post(reverse(f"{ns}:{kind}_delete", args=[obj.pk]))
    assert response.status_code == status
    deleted = role in ("admin", "coordinator") and status == 302
    assert type(obj).objects.filter(pk=obj.pk).exists() is not deleted


@pytest.mark.parametrize("role", ["admin", "coordinator", "official", "official_all", "viewer", "anonymous"])
def test_unknown_record_is_404_for_readers_403_for_others(role, actors, records, client_as):
    expected = {"anonymous": 302, "viewer": 403}.get(role, 404)
    response = client_as(actors[role]).get(reverse("outcomes:surgery", args=[999999]))
    assert response.status_code == expected


# Admin pages: the Django admin and the recent changes list.
ADMIN_PAGES = [
    ("admin:index", {"admin": 200, "coordinator": 302, "official": 302, "official_all": 302,
                     "viewer": 302, "anonymous": 302}),
    ("admin:accounts_apitoken_add", {"admin": 200, "coordinator": 302, "official": 302,
                                     "official_all": 302, "viewer": 302, "anonymous": 302}),
    ("recent_changes", {"admin": 200, "coordinator": 403, "official": 403, "official_all": 403,
                        "viewer": 403, "anonymous": 302}),
    ("password_change", {"admin": 200, "coordinator": 200, "official": 200, "official_all": 200,
                         "viewer": 200, "anonymous": 302}),
    ("login", {"anonymous": 200, "viewer": 302}),
]


@pytest.mark.parametrize(
    ("page", "role", "status"),
    [(page, role, status) for page, table in ADMIN_PAGES for role, status in table.items()],
)
def test_site_page_access(page, role, status, actors, client_as):
    response = client_as(actors[role]).get(reverse(page))
    assert response.status_code == status


def test_sign_in_page_is_public_through_login_not_required():
    """The mechanism for public views (/healthz later): login_not_required."""
    from django.urls import resolve

    view = resolve(reverse("login")).func
    assert getattr(view, "login_required", True) is False
    assert getattr(resolve(reverse("outcomes:surgery_create")).func, "login_required", True) is True


@pytest.mark.parametrize(("page", "queries"), [("outcomes:surgery", 4), ("outcomes:surgery_create", 7)])
def test_record_page_query_counts_are_fixed(page, queries, world, coordinator, client, django_assert_num_queries):
    from tests import factories as f

    surgeries = [f.SurgeryFactory(hospital=world.lhasa_peoples) for _ in range(3)]
    client.force_login(coordinator)
    args = [surgeries[0].pk] if page == "outcomes:surgery" else []
    # session, user with its profile and programs (one query), (detail: the surgery, the programs'
    # hospitals) / (form: the programs' hospitals, the one-hospital default,
    # the choices of hospital, specialty and team): none grows with the data.
    with django_assert_num_queries(queries):
        assert client.get(reverse(page, args=args)).status_code == 200


def test_healthz_stays_public_when_it_exists(client, db):
    """A health check must answer without sign-in: mark it login_not_required."""
    from django.urls import NoReverseMatch

    try:
        url = reverse("healthz")
    except NoReverseMatch:
        pytest.skip("no /healthz on this branch yet")
    assert client.get(url).status_code != 302


def test_refusals_say_why(actors, records, client_as):
    response = client_as(actors["coordinator"]).get(
        reverse("outcomes:surgery_update", args=[records["surgery"]["out"].pk]))
    assert response.status_code == 403
    assert "belongs to a program that is not assigned to you" in response.content.decode()
    response = client_as(actors["viewer"]).get(reverse("outcomes:surgery", args=[records["surgery"]["in"].pk]))
    assert "Your role (viewer) may not open this page." in response.content.decode()


# Officials of donor provinces (tests/accounts/conftest.py: donor_side).
@pytest.mark.parametrize("who", ["beijing", "shanghai"])
def test_donor_officials_record_pages(who, donor_side, client_as):
    """Their programs' records open; another donor's are 404. Forms stay 403
    (an official's role never edits, whichever record)."""
    rows, records = donor_side["rows"], donor_side["records"]
    mine, theirs = (
        [("outcomes:surgery", records["surgery"]["in"]), ("outcomes:training", rows["bj_training"]),
         ("outcomes:technique", rows["bj_technique"]), ("deployments:rotation", records["rotation"]["out"])],
        [("outcomes:surgery", rows["sh_twinned_surgery"]), ("outcomes:surgery", rows["sh_team_surgery"]),
         ("outcomes:training", rows["sh_hosted"]), ("outcomes:technique", rows["sh_technique"]),
         ("outcomes:consultation", records["consultation"]["out"]), ("deployments:rotation", rows["sh_rotation"])],
    )
    if who == "shanghai":
        mine, theirs = theirs, mine
    theirs = [*theirs, ("outcomes:referral", records["referral"]["in"])]  # never a donor's record
    client = client_as(donor_side["users"][who])
    wrong = []
    for pages, status, edit_status in ((mine, 200, 403), (theirs, 404, 403)):
        for name, obj in pages:
            for page, expected in ((name, status), (f"{name}_history", status), (f"{name}_update", edit_status)):
                got = client.get(reverse(page, args=[obj.pk])).status_code
                if got != expected:
                    wrong.append((page, str(obj), expected, got))
    assert client.get(reverse("outcomes:surgery_create")).status_code == 403
    assert wrong == []
