"""A remote-support program is judged by its consultations, not by on-site
coverage: its page shows consultations per month by requesting department
(hand-counted below), the last consultation per department and the
departments without one for 90 days; no coverage percentage, no gap
timeline. A group-aid program's page keeps its coverage."""

import datetime as dt
import re

import pytest
from django.core.cache import caches

from dashboards import views
from deployments.models import Program, Twinning
from hospitals.models import Hospital, Region
from outcomes.models import Consultation
from tests import factories as f

D = dt.date
TODAY = D(2024, 7, 10)


@pytest.fixture
def remote(world, monkeypatch):
    """BJ-LHASA-RS: Beijing's remote support of Lhasa People's Hospital,
    general surgery twinned with Beijing Friendship, orthopaedics with
    Renji (a donor hospital outside the donor region)."""
    monkeypatch.setattr(views, "today", lambda: TODAY)
    chaoyang_district = Region.objects.create(
        code="110105", name="Chaoyang", name_zh="朝阳区", level="prefecture", parent=world.beijing
    )
    world.chaoyang = Hospital.objects.create(
        code="BJ-CHAOYANG", name="Beijing Chaoyang Hospital", name_zh="北京朝阳医院",
        region=chaoyang_district, grade="3A", kind="general",
    )
    world.rs = Program.objects.create(
        code="BJ-LHASA-RS", name="Beijing remote support to Lhasa", kind="remote_support",
        donor_region=world.beijing, recipient_hospital=world.lhasa_peoples, start_date=D(2024, 1, 1),
    )
    Twinning.objects.create(program=world.rs, specialty=f.specialty("general_surgery"),
                            donor_hospital=world.bj_friendship, start_date=D(2024, 1, 1))
    Twinning.objects.create(program=world.rs, specialty=f.specialty("orthopedics"),
                            donor_hospital=world.renji, start_date=D(2024, 1, 1))

    def consult(day, requesting, consulting, specialty):
        f.ConsultationFactory(date=day, requesting_hospital=requesting, consulting_hospital=consulting,
                              specialty=f.specialty(specialty))

    lhasa = world.lhasa_peoples
    consult(D(2024, 3, 5), lhasa, world.bj_friendship, "general_surgery")
    consult(D(2024, 3, 20), lhasa, world.bj_friendship, "general_surgery")
    consult(D(2024, 3, 31), lhasa, world.chaoyang, "cardiology")  # a hospital below Beijing
    consult(D(2024, 5, 1), lhasa, world.bj_friendship, "cardiology")
    consult(D(2024, 5, 2), lhasa, world.renji, "orthopedics")  # the twinning's donor hospital
    # Not the program's: another consulting hospital, another requesting one.
    consult(D(2024, 4, 10), lhasa, world.xj_children, "general_surgery")
    consult(D(2024, 4, 10), world.xigaze_peoples, world.bj_friendship, "general_surgery")
    return world


def test_of_program_counts_the_recipient_hospitals_consultations_from_the_donor(remote):
    dates = sorted(Consultation.objects.of_program(remote.rs).values_list("date", flat=True))
    assert dates == [D(2024, 3, 5), D(2024, 3, 20), D(2024, 3, 31), D(2024, 5, 1), D(2024, 5, 2)]


def test_remote_support_page_shows_consultations_per_month_not_coverage(signed_in, remote):
    response = signed_in.get("/programs/BJ-LHASA-RS/")
    html = response.content.decode()
    assert response.context["departments"] == [] and response.context["timeline"] is None
    assert "Coverage per twinned department" not in html and "timeline__gap" not in html
    assert not re.search(r"\d+\s*%", html)
    support = response.context["remote"]
    depts = {d.specialty_id: d for d in support["departments"]}
    assert {k: (d.count, d.last, d.gap) for k, d in depts.items()} == {
        "cardiology": (2, D(2024, 5, 1), False),
        "general_surgery": (2, D(2024, 3, 20), True),  # 112 days ago
        "orthopedics": (1, D(2024, 5, 2), False),
    }
    names = [d.specialty_id for d in support["departments"]]
    table = {row["month"]: [c["n"] for c in row["cells"]] for row in support["months"]}
    hand = {
        D(2024, 3, 1): {"general_surgery": 2, "cardiology": 1, "orthopedics": 0},
        D(2024, 4, 1): {"general_surgery": 0, "cardiology": 0, "orthopedics": 0},
        D(2024, 5, 1): {"general_surgery": 0, "cardiology": 1, "orthopedics": 1},
    }
    assert table == {m: [counts[n] for n in names] for m, counts in hand.items()}
    assert "gap: no consultation for 112 days" in html
    assert "Last consulted on" in html and "2024-03-20" in html
    assert "Consultations per month by requesting department" in html
    assert html.count('href="/consultations/?program=BJ-LHASA-RS"') == 3  # records line, card, whole list


def test_each_cell_links_to_a_list_of_as_many_consultations(signed_in, remote):
    support = signed_in.get("/programs/BJ-LHASA-RS/").context["remote"]
    checked = 0
    for row in support["months"]:
        for cell in row["cells"]:
            caches["default"].clear()
            response = signed_in.get(cell["url"])
            assert response.status_code == 200, cell["url"]
            assert response.context["totals"]["rows"] == cell["n"], cell["url"]
            checked += 1
    assert checked == 9
    caches["default"].clear()
    whole = signed_in.get(support["list_url"])
    assert whole.context["totals"]["rows"] == support["total"] == 5


def test_a_department_never_consulted_is_a_gap(signed_in, remote):
    Twinning.objects.create(program=remote.rs, specialty=f.specialty("pediatrics"),
                            donor_hospital=remote.bj_friendship, start_date=D(2024, 1, 1))
    response = signed_in.get("/programs/BJ-LHASA-RS/")
    [peds] = [d for d in response.context["remote"]["departments"] if d.specialty_id == "pediatrics"]
    assert (peds.count, peds.last, peds.gap) == (0, None, True)
    assert "gap: never consulted" in response.content.decode()


def test_a_group_aid_program_page_keeps_its_coverage(signed_in, remote):
    response = signed_in.get("/programs/BJ-LHASA/")
    assert response.context["remote"] is None
    html = response.content.decode()
    assert "Coverage of the twinned departments" in html and "Remote support: consultations" not in html


def test_remote_support_page_in_chinese(signed_in, remote):
    response = signed_in.get("/programs/BJ-LHASA-RS/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200


def test_the_donor_hospital_page_shows_remote_support_not_coverage(signed_in, remote):
    response = signed_in.get("/hospitals/SH-RENJI/")
    [row] = response.context["sent"]["departments"]
    assert row["program"].code == "BJ-LHASA-RS" and row["remote_support"]
    table = response.content.decode().split('id="twinned-departments"')[1].split("</table>")[0]
    assert '<a href="/programs/BJ-LHASA-RS/#remote-title">BJ-LHASA-RS</a>' in table
    assert "remote support" in table and "%" not in table
