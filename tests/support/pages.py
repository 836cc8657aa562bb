"""Every kind of page a user reaches, as the accessibility and HTML-validity
checks visit them (tests/browser/test_accessibility.py in Chromium with
axe-core, tests/aidtracker/test_html_validity.py through the test client
with the Nu HTML Checker).

`site_pages()` builds a small world with records of every kind, some with
history, and returns the visits: who, in which language, which address,
and what to send there (a form with errors, an upload). One list for both
checks, so that a page added here is checked both ways.
"""

import dataclasses
import datetime as dt
import io
import zipfile
from pathlib import Path

EXAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "docs" / "example-bundle"

#: Filters that keep some rows, and one that the filter form refuses.
FILTERS = "?date_after=2024-01-01&date_before=2024-06-30"
BAD_FILTER = "?date_after=2024-13-45"


@dataclasses.dataclass(frozen=True)
class Visit:
    """GET `url` as `role` in `language`; when `post` is not None, then
    send the page's form with those values (a pathlib.Path value is a file
    to upload), as a user would: the check applies to the answer."""

    role: str  # a key of the users given to site_pages(); "anonymous" signs nobody in
    language: str
    name: str
    url: str
    status: int = 200
    post: dict | None = None
    open_details: bool = True  # open every <details> before the check (the browser's)

    def __str__(self):
        return f"{self.role}/{self.language}: {self.name} ({self.url})"


def bundle_with_errors(folder) -> Path:
    """The example bundle as a .zip with two bad values in surgeries.csv."""
    path = Path(folder) / "bundle-with-errors.zip"
    with zipfile.ZipFile(path, "w") as z:
        for p in sorted(EXAMPLE_BUNDLE.iterdir()):
            text = p.read_text(encoding="utf-8")
            if p.name == "surgeries.csv":
                text = text.replace("2024-03-15", "2024-03-35", 1).replace(",3,", ",9,", 1)
            z.writestr(p.name, text)
    return path


def not_a_bundle(folder) -> Path:
    path = Path(folder) / "notes.txt"
    path.write_bytes(b"hello")
    return path


def build_site():
    """The dashboards' world (tests.dashboards.data.build) plus one surgery
    and one rotation edited, so that their history pages list changes, and
    the users of tests/conftest.py's actors. Returns the world with
    `surgery`, `rotation` and `users` ({role: user}, None for "anonymous")."""
    from django.contrib.auth import get_user_model

    from deployments.models import Rotation
    from outcomes.models import Surgery
    from tests.conftest import ACTOR_PASSWORD, _make_user
    from tests.dashboards.data import build

    w = build(scale=1)
    User = get_user_model()
    w.users = {
        "anonymous": None,
        "admin": User.objects.create_superuser("admin", "admin@example.org", ACTOR_PASSWORD),
        "coordinator": _make_user(User, "coord", "coordinator", programs=[w.bj_lhasa]),
        "official": _make_user(User, "official", "official", regions=[w.tibet]),
        "official of a prefecture": _make_user(User, "official_lhasa", "official", regions=[w.lhasa]),
    }
    surgery = Surgery.objects.create(
        ref="S-HISTORY", date=dt.date(2024, 4, 2), hospital=w.lhasa_peoples, specialty=w.gs,
        procedure="Cholecystectomy", grade=3, approach="laparoscopic", lead="joint",
        team=w.bj_team, outcome="success",
    )
    surgery.procedure, surgery.grade = "Laparoscopic cholecystectomy", 4
    surgery.save()
    rotation = Rotation.objects.filter(team=w.bj_team).order_by("pk").first()
    rotation.title = "associate_chief"
    rotation.save()
    w.surgery, w.rotation = surgery, rotation
    return w


LISTS = [
    ("surgery list", "/surgeries/"),
    ("training list", "/trainings/"),
    ("rotation list", "/rotations/"),
    ("technique list", "/techniques/"),
    ("referral list", "/referrals/"),
    ("consultation list", "/consultations/"),
    ("team list", "/teams/"),
]
FORMS = [
    ("surgery form", "/surgeries/new/"),
    ("training form", "/trainings/new/"),
    ("rotation form", "/rotations/new/"),
    ("technique form", "/techniques/new/"),
    ("referral form", "/referrals/new/"),
    ("consultation form", "/consultations/new/"),
]


def site_pages(w, folder):
    """The visits, in the order a check should make them. `folder` holds
    the files to upload.

    Every kind of page once in English, as the admin who reaches them all;
    then a coordinator's pages in Chinese and an official's, whose menus and
    choices differ. The region dashboards are filtered to six months: the
    same page with shorter tables behind the charts (axe takes seconds over
    a table of ten years)."""
    surgery, rotation = w.surgery.pk, w.rotation.pk
    visits = [
        Visit("anonymous", "en", "sign-in", "/accounts/login/"),
        Visit("anonymous", "en", "sign-in, wrong password", "/accounts/login/",
              post={"username": "nobody", "password": "wrong"}),
    ]

    def admin(name, url, **kwargs):
        visits.append(Visit("admin", "en", name, url, **kwargs))

    admin("overview", "/")
    admin("region dashboard", f"/regions/540000/{FILTERS}")
    # Open filters, ten years of months: the tables behind the charts stay closed.
    admin("region dashboard, bad filter", f"/regions/540000/{BAD_FILTER}", open_details=False)
    admin("program list", "/programs/")
    admin("program", "/programs/BJ-LHASA/")
    admin("team", f"/teams/{w.bj_team.code}/")
    admin("hospital list", "/hospitals/")
    admin("hospital", "/hospitals/LS-PEOPLES/")
    admin("region completeness", "/regions/540000/completeness/")
    admin("region completeness, bad period", "/regions/540000/completeness/?period=forever")
    for name, url in LISTS:
        admin(f"{name}, filtered", url + FILTERS)
        admin(f"{name}, bad filter", url + BAD_FILTER)
    admin("surgery", f"/surgeries/{surgery}/")
    admin("surgery history", f"/surgeries/{surgery}/history/")
    admin("rotation", f"/rotations/{rotation}/")
    admin("rotation history", f"/rotations/{rotation}/history/")
    # A form sent back with errors is the empty form and its messages: the
    # empty ones are checked on their own once each for the two templates.
    admin("surgery form", "/surgeries/new/")
    admin("training form", "/trainings/new/")
    for name, url in FORMS:
        admin(f"{name} with errors", url, post={})
    admin("indicator form", "/hospitals/LS-PEOPLES/indicators/?month=2024-05")
    # The month comes with the address (the form that posts carries it
    # hidden); a value a browser sends and the server refuses (three decimals).
    admin("indicator form with errors", "/hospitals/LS-PEOPLES/indicators/?month=2024-05",
          post={"outpatient_visits": "1.234"})
    admin("indicator form, month not begun", "/hospitals/LS-PEOPLES/indicators/?month=2999-01")
    admin("surgery edit form", f"/surgeries/{surgery}/edit/")
    admin("surgery delete", f"/surgeries/{surgery}/delete/")
    admin("import", "/import/")
    admin("import, not a bundle", "/import/", post={"bundle": not_a_bundle(folder)})
    admin("import, dry run with errors", "/import/", post={"bundle": bundle_with_errors(folder)})
    admin("password change", "/accounts/password/")
    admin("password change with errors", "/accounts/password/",
          post={"old_password": "wrong", "new_password1": "pw2", "new_password2": "pw3"})
    # The admin's pages that are ours; Django's own change lists and forms
    # are left to Django (their autocomplete selects, a required <select>
    # whose first option is the chosen record, fail the HTML checker).
    admin("recent changes", "/admin/recent-changes/")
    admin("admin index", "/admin/")
    admin("not found", "/no-such-page/", status=404)

    def coordinator(name, url, **kwargs):
        visits.append(Visit("coordinator", "zh-hans", name, url, **kwargs))

    visits.append(Visit("anonymous", "zh-hans", "sign-in", "/accounts/login/"))
    coordinator("overview", "/")
    coordinator("region dashboard", f"/regions/540000/{FILTERS}")
    coordinator("program", "/programs/BJ-LHASA/")
    coordinator("program completeness", "/programs/BJ-LHASA/completeness/")
    coordinator("hospital", "/hospitals/LS-PEOPLES/")
    coordinator("surgery list, filtered", "/surgeries/" + FILTERS)
    coordinator("training list, bad filter", "/trainings/" + BAD_FILTER)
    coordinator("surgery", f"/surgeries/{surgery}/")
    coordinator("surgery history", f"/surgeries/{surgery}/history/")
    coordinator("surgery form", "/surgeries/new/")
    coordinator("surgery form with errors", "/surgeries/new/", post={})
    coordinator("rotation form with errors", "/rotations/new/", post={})
    coordinator("indicator form", "/hospitals/LS-PEOPLES/indicators/")
    coordinator("not allowed", "/import/", status=403)
    coordinator("not found", "/no-such-page/", status=404)

    visits += [
        Visit("official", "en", "overview", "/"),
        Visit("official", "en", "region dashboard", f"/regions/540000/{FILTERS}"),
        Visit("official", "en", "region completeness", "/regions/540000/completeness/?period=2024"),
        Visit("official", "en", "surgery list", "/surgeries/"),
        Visit("official", "en", "not allowed", "/surgeries/new/", status=403),
        Visit("official of a prefecture", "en", "overview below province level", "/"),
        Visit("official of a prefecture", "zh-hans", "a prefecture's page", "/regions/540100/"),
    ]
    return visits


def upload_body(value):
    """A test-client upload of a pathlib.Path value."""
    data = io.BytesIO(Path(value).read_bytes())
    data.name = Path(value).name
    return data


def fetch(client, users, visit):
    """The HTML the server answers `visit` with (the answer to its form when it sends one)."""
    from django.conf import settings

    client.logout()
    if users[visit.role] is not None:
        client.force_login(users[visit.role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = visit.language
    if visit.post is None:
        response = client.get(visit.url)
    else:
        data = {k: upload_body(v) if isinstance(v, Path) else v for k, v in visit.post.items()}
        response = client.post(visit.url, data, follow=True)
    assert response.status_code == visit.status, visit
    return response.content
