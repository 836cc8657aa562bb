"""A donor hospital's page shows what it sent (issue 15, item 4): its
experts and their expert-days, the recipient departments it twins with
their coverage, the trainees it hosted for further study, each linking to
its rows; the recipient's sections only where it is one.

By hand, on tests/dashboards/data.py: Beijing Friendship Hospital is the
home of E000-E003; E000 (2024-01-01..06-30, 182 days), E001 (07-15..12-31,
170) and E002 (03-01..08-31, 184) have rotations in BJ-LHASA's team: 3
experts, 536 expert-days. It twins BJ-LHASA's general surgery (since
2015-08-01) and orthopaedics (since 2023-01-01). It hosts the further
study trainings i = 2, 5, 8 (of trainees L0002, L0005, L0002): 2 trainees."""

import datetime as dt

import pytest

from dashboards import views
from deployments.models import Program, Rotation, Team, Twinning
from tests import factories as f
from tests.conftest import _make_user
from tests.dashboards.test_pages import _count_of

FRIENDSHIP = "/hospitals/BJ-FRIENDSHIP/"
RECIPIENT_ONLY = ["Programs received", "not the recipient of any program", "Before and after",
                  "has reported no monthly indicators"]


@pytest.fixture
def on_new_years_eve(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: dt.date(2024, 12, 31))


def _cards(response):
    return {c["label"]: c for c in response.context["sent"]["cards"]}


def test_a_donor_hospital_shows_what_it_sent_and_no_recipient_sections(signed_in, dash, on_new_years_eve):
    response = signed_in.get(FRIENDSHIP)
    cards = _cards(response)
    assert {label: c["value"] for label, c in cards.items()} == {
        "Experts sent": 3, "Their expert-days": 536, "Twinned departments": 2, "Trainees hosted": 2,
    }
    html = response.content.decode()
    for text in RECIPIENT_ONLY:
        assert text not in html, text
    assert "What it sent" in html and "Departments it supports as a donor" in html
    # Coverage as the program page computes it: general surgery covered on
    # 182 + 170 days from 2015-08-01 to "today", orthopaedics on 184 from 2023-01-01.
    coverage = {row["coverage"].specialty.code: row["coverage"] for row in response.context["sent"]["departments"]}
    gs_window = (dt.date(2024, 12, 31) - dt.date(2015, 8, 1)).days + 1
    assert coverage["general_surgery"].covered_days == 352
    assert coverage["general_surgery"].gap_days == gs_window - 352
    assert coverage["orthopedics"].covered_days == 184
    program_page = signed_in.get("/programs/BJ-LHASA/").context["departments"]
    assert [(d.specialty.code, d.covered_days, d.gap_days) for d in program_page] == [
        (code, coverage[code].covered_days, coverage[code].gap_days) for code in ("general_surgery", "orthopedics")
    ]
    table = html[html.index('id="twinned-departments"'):]
    assert '<a href="/programs/BJ-LHASA/#coverage-title">BJ-LHASA</a>' in table
    assert f"{round(100 * 352 / gs_window)} %" in table


def test_each_figure_of_what_it_sent_links_to_its_rows(signed_in, dash):
    cards = _cards(signed_in.get(FRIENDSHIP))
    assert cards["Experts sent"]["url"] == "/rotations/?home_hospital=BJ-FRIENDSHIP"
    assert _count_of(signed_in, cards["Experts sent"]["url"]) == 3
    assert cards["Trainees hosted"]["url"] == "/trainings/?host_hospital=BJ-FRIENDSHIP&kind=further_study"
    assert _count_of(signed_in, cards["Trainees hosted"]["url"]) == 2
    assert cards["Twinned departments"]["url"] == "#donor-title"


def test_a_hospital_that_is_recipient_and_donor_shows_both(signed_in, dash):
    # A surgeon of Lhasa People's Hospital joins Shanghai's team in Xigaze.
    Rotation.objects.create(team=dash.sh_team, person=f.PersonFactory(home_hospital=dash.lhasa_peoples),
                            specialty=dash.gs, title="attending", role="member",
                            start_date=dt.date(2024, 2, 1), end_date=dt.date(2024, 2, 10))
    response = signed_in.get("/hospitals/LS-PEOPLES/")
    html = response.content.decode()
    assert "Programs received" in html and "Before and after" in html
    assert "What it sent" in html and "It twins no recipient department." in html
    assert _cards(response)["Their expert-days"]["value"] == 10


def test_a_recipient_hospital_shows_no_donor_section(signed_in, dash):
    html = signed_in.get("/hospitals/XG-PEOPLES/").content.decode()
    assert "Programs received" in html and "What it sent" not in html


def test_an_official_of_a_recipient_region_sees_only_what_concerns_it(client, dash, django_user_model):
    # Beijing also sends E003 to Xinjiang and twins a department there.
    xj = Program.objects.create(code="BJ-XJ", name="Beijing aid to Xinjiang", kind="group_aid",
                                donor_region=dash.beijing, recipient_hospital=dash.xj_children,
                                start_date=dt.date(2020, 1, 1))
    team = Team.objects.create(code="BJ-XJ-1", program=xj, name="First Group", batch=1,
                               start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    Rotation.objects.create(team=team, person=dash.people[3], specialty=dash.gs, title="attending",
                            role="member", start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 1, 31))
    Twinning.objects.create(program=xj, specialty=dash.gs, donor_hospital=dash.bj_friendship,
                            start_date=dt.date(2020, 1, 1))
    admin = _make_user(django_user_model, "boss", "official", all_regions=True)
    tibet = _make_user(django_user_model, "tibet", "official", regions=[dash.tibet])
    client.force_login(admin)
    everything = {k: c["value"] for k, c in _cards(client.get(FRIENDSHIP)).items()}
    assert everything == {"Experts sent": 4, "Their expert-days": 567, "Twinned departments": 3,
                          "Trainees hosted": 2}
    client.force_login(tibet)
    response = client.get(FRIENDSHIP)
    cards = _cards(response)
    assert {k: c["value"] for k, c in cards.items()} == {
        "Experts sent": 3, "Their expert-days": 536, "Twinned departments": 2, "Trainees hosted": 2,
    }
    assert "Xinjiang" not in response.content.decode()
    assert _count_of(client, cards["Experts sent"]["url"]) == 3


def test_a_viewer_sees_what_it_sent_without_links_to_lists(client, dash, django_user_model):
    client.force_login(_make_user(django_user_model, "viewer", "viewer", regions=[dash.tibet]))
    cards = _cards(client.get(FRIENDSHIP))
    assert cards["Experts sent"]["value"] == 3
    assert cards["Experts sent"]["url"] is None and cards["Trainees hosted"]["url"] is None
    assert cards["Twinned departments"]["url"] == "#donor-title"
