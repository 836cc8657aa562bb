"""The hospital page's before/after comparison."""

import datetime as dt
from decimal import Decimal

import pytest

from aidtracker.lib.periods import add_months
from dashboards.indicators import before_after, comparison_windows
from outcomes.models import IndicatorValue
from tests.dashboards.data import add_indicators

D = dt.date


def test_windows_are_the_12_months_before_the_first_program_month_and_the_latest_12():
    before, after = comparison_windows(D(2015, 8, 15), D(2024, 3, 1))
    assert before == (D(2014, 8, 1), D(2015, 7, 1))
    assert after == (D(2023, 4, 1), D(2024, 3, 1))
    assert add_months(D(2024, 1, 1), -13) == D(2022, 12, 1)


@pytest.mark.django_db
def test_before_after_sums_counts_averages_levels_and_gives_the_change(world):
    h = world.lhasa_peoples  # its program BJ-LHASA began on 2015-08-01
    add_indicators(h, 12, D(2014, 8, 1), {"outpatient_visits": 1000, "conditions_treatable": 100})
    # A month before the "before" window and one inside the program's first month: not counted.
    add_indicators(h, 1, D(2014, 7, 1), {"outpatient_visits": 99999})
    add_indicators(h, 1, D(2015, 8, 1), {"outpatient_visits": 99999})
    # Latest 12 months: 2023-07 .. 2024-06, with one month missing for one indicator.
    add_indicators(h, 12, D(2023, 7, 1), {"outpatient_visits": 1500})
    add_indicators(h, 11, D(2023, 8, 1), {"conditions_treatable": 150})
    add_indicators(h, 1, D(2023, 7, 1), {"neonatal_deaths": 4})

    values = IndicatorValue.objects.filter(hospital=h)
    result = before_after(values, D(2015, 8, 1), D(2024, 6, 1))
    rows = {r["indicator"]: r for r in result["rows"]}
    visits = rows["outpatient_visits"]
    assert (visits["before"], visits["after"]) == (Decimal(12000), Decimal(18000))
    assert visits["change"] == pytest.approx(50.0)
    assert visits["improved"] is True
    level = rows["conditions_treatable"]
    assert level["measure"] == "mean"
    assert (float(level["before"]), float(level["after"])) == (100.0, 150.0)
    assert (level["before_months"], level["after_months"]) == (12, 11)
    assert level["change"] == pytest.approx(50.0)
    deaths = rows["neonatal_deaths"]
    assert deaths["before"] is None and deaths["change"] is None


@pytest.mark.django_db
def test_hospital_page_shows_the_comparison(signed_in, world):
    add_indicators(world.lhasa_peoples, 12, D(2014, 8, 1), {"surgeries_total": 10})
    add_indicators(world.lhasa_peoples, 12, D(2024, 1, 1), {"surgeries_total": 25})
    response = signed_in.get("/hospitals/LS-PEOPLES/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="before-after"' in html
    assert "+150.0 %" in html
    assert "2014-08 to 2015-07" in html
