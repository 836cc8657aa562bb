"""The monthly indicator form of a hospital (issue 16, item 2): one month,
every indicator in one form, the previous month's values beside the new
ones; admins and the coordinators of the hospital's programs; history as
the other forms write it; a month that has not begun is refused."""

from decimal import Decimal

import pytest
from django.utils import timezone

from aidtracker.lib.periods import add_months, month_start
from outcomes.models import IndicatorValue
from tests.conftest import _make_user

CODES = [code for code, _label in IndicatorValue.Indicator.choices]


def this_month():
    return month_start(timezone.localdate())


def url(hospital="LS-PEOPLES", month=None):
    return f"/hospitals/{hospital}/indicators/" + (f"?month={month:%Y-%m}" if month else "")


def post(client, month, hospital="LS-PEOPLES", **values):
    data = {"month": month if isinstance(month, str) else f"{month:%Y-%m}"}
    data.update({code: values.get(code, "") for code in CODES})
    return client.post(url(hospital), data)


@pytest.fixture
def coord(client, coordinator):
    client.force_login(coordinator)
    return client


def test_the_form_shows_every_indicator_and_last_months_values_beside(coord, world):
    month = add_months(this_month(), -2)
    IndicatorValue.objects.create(hospital=world.lhasa_peoples, period=add_months(month, -1),
                                  indicator="outpatient_visits", value=Decimal("1234"))
    response = coord.get(url(month=month))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["field"].name for r in rows] == CODES  # the contract's seven, in its order
    previous = {r["field"].name: r["previous"] for r in rows}
    assert previous["outpatient_visits"] == Decimal("1234") and previous["live_births"] is None
    html = response.content.decode()
    assert f"Previous month ({add_months(month, -1):%Y-%m})" in html
    assert "1,234" in html or "1234" in html


def test_the_form_opens_on_the_last_full_month(coord, world):
    response = coord.get(url())
    assert response.context["month"] == add_months(this_month(), -1)


def test_saving_creates_the_months_values_with_history(coord, world, coordinator):
    month = add_months(this_month(), -1)
    response = post(coord, month, outpatient_visits="1500", live_births="12.5")
    assert response.status_code == 302 and response["Location"] == url(month=month)
    rows = dict(IndicatorValue.objects.filter(hospital=world.lhasa_peoples, period=month)
                .values_list("indicator", "value"))
    assert rows == {"outpatient_visits": Decimal("1500"), "live_births": Decimal("12.5")}
    row = IndicatorValue.objects.get(hospital=world.lhasa_peoples, period=month, indicator="outpatient_visits")
    [entry] = row.history.all()
    assert entry.history_type == "+" and entry.history_user == coordinator
    page = coord.get(response["Location"])
    assert "2 added, 0 changed, 0 removed" in page.content.decode()


def test_saving_again_updates_and_removes_cleared_values(coord, world, coordinator):
    month = this_month()  # the current month may be entered
    post(coord, month, outpatient_visits="1500", live_births="12", neonatal_deaths="1")
    response = post(coord, month, outpatient_visits="1600", live_births="12")
    assert response.status_code == 302
    rows = dict(IndicatorValue.objects.filter(hospital=world.lhasa_peoples, period=month)
                .values_list("indicator", "value"))
    assert rows == {"outpatient_visits": Decimal("1600"), "live_births": Decimal("12")}
    row = IndicatorValue.objects.get(hospital=world.lhasa_peoples, period=month, indicator="outpatient_visits")
    assert [h.history_type for h in row.history.order_by("history_date", "history_id")] == ["+", "~"]
    deleted = IndicatorValue.history.filter(indicator="neonatal_deaths", history_type="-")
    assert deleted.count() == 1 and deleted.get().history_user == coordinator
    page = coord.get(response["Location"]).content.decode()
    assert "0 added, 1 changed, 1 removed" in page
    assert post(coord, month, outpatient_visits="1600", live_births="12").status_code == 302
    assert "Nothing changed." in coord.get(url(month=month)).content.decode()


def test_a_month_that_has_not_begun_is_refused(coord, world):
    later = add_months(this_month(), 1)
    response = post(coord, later, outpatient_visits="10")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{later:%Y-%m} has not begun" in html
    assert not IndicatorValue.objects.exists()
    response = coord.get(url(month=later))
    assert response.status_code == 200 and response.context["form"] is None


@pytest.mark.parametrize("month, values, message", [
    ("2024-13", {"outpatient_visits": "10"}, "Enter the month as YYYY-MM"),
    ("May 2024", {"outpatient_visits": "10"}, "Enter the month as YYYY-MM"),
    ("2024-05", {"outpatient_visits": "-3"}, "greater than or equal to 0"),
    ("2024-05", {"outpatient_visits": "many"}, "Enter a number"),
    ("2024-05", {"live_births": "1.234"}, "no more than 2 decimal places"),
])
def test_bad_input_is_refused_with_a_message_naming_it(coord, world, month, values, message):
    response = post(coord, month, **values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_only_admins_and_the_hospitals_coordinators_enter_its_indicators(client, world, admin_user,
                                                                          coordinator, official, viewer,
                                                                          django_user_model):
    month = add_months(this_month(), -1)
    client.force_login(coordinator)
    # Xigaze's hospital is not a recipient of the coordinator's program: readable, not theirs.
    assert client.get(url("XG-PEOPLES")).status_code == 403
    assert post(client, month, "XG-PEOPLES", outpatient_visits="5").status_code == 403
    assert client.get(url("NO-SUCH")).status_code == 404
    for user in (official, viewer, _make_user(django_user_model, "idle", "coordinator")):
        client.force_login(user)
        assert client.get(url()).status_code == 403, user
        assert post(client, month, outpatient_visits="5").status_code == 403, user
    assert not IndicatorValue.objects.exists()
    client.force_login(admin_user)
    assert post(client, month, "XG-PEOPLES", outpatient_visits="5").status_code == 302
    assert IndicatorValue.objects.get().hospital_id == "XG-PEOPLES"


def test_the_hospital_page_leads_its_editors_to_the_form(client, world, coordinator, official):
    client.force_login(coordinator)
    html = client.get("/hospitals/LS-PEOPLES/").content.decode()
    assert 'href="/hospitals/LS-PEOPLES/indicators/"' in html and "Enter monthly indicators" in html
    assert 'href="/hospitals/XG-PEOPLES/indicators/"' not in client.get("/hospitals/XG-PEOPLES/").content.decode()
    client.force_login(official)
    assert "/indicators/" not in client.get("/hospitals/LS-PEOPLES/").content.decode()


def test_the_form_reads_in_chinese(coord, world):
    coord.cookies["django_language"] = "zh-hans"
    response = coord.get(url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "拉萨市人民医院" in response.content.decode()
