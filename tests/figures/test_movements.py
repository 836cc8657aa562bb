"""Patient movements and outcomes (figures/movements.py) on hand-derived data:
each number below is worked out in the comment beside it from the rows
`movements_world` creates."""

import datetime as dt
from decimal import Decimal

import pytest

from aidtracker.lib.periods import Period
from figures.movements import comparison_windows, movements, rate
from outcomes.models import IndicatorValue, Referral
from tests.factories import make_world

D = dt.date
TIBET, XINJIANG = "540000", "650000"


def referral(day, kind, *, to=None, to_region=None, frm=None, frm_region=None, country="",
             km=None, hours=None, outcome=""):
    return Referral.objects.create(
        ref=f"R{Referral.objects.count():05d}", date=day, kind=kind, destination_hospital=to,
        destination_region=to_region, origin_hospital=frm, origin_region=frm_region, origin_country=country,
        age_group="adult", distance_km=km, duration_hours=hours, outcome=outcome,
    )


def indicator(hospital, month, code, value):
    IndicatorValue.objects.create(hospital=hospital, period=month, indicator=code, value=value)


@pytest.fixture
def w(db):
    """Tibet: Lhasa (program from 2015-08-01), Xigaze (program from
    2016-07-01), Pulan (no program: not a recipient). Xinjiang: the
    children's hospital, no program."""
    w = make_world()
    tin, out = "transfer_in", "referral_out"
    # 2022, transfers in to Lhasa: distances 10, 30, 20 (odd: median 20);
    # durations 1.0, none, 3.0 (2 have one: median (1 + 3) / 2 = 2).
    referral(D(2022, 3, 1), tin, to=w.lhasa_peoples, frm_region=w.ngari, km=10, hours=1, outcome="recovered")
    referral(D(2022, 6, 1), tin, to=w.lhasa_peoples, frm=w.pulan, km=30, outcome="died")
    referral(D(2022, 9, 1), tin, to=w.xigaze_peoples, frm_region=w.ngari, km=20, hours=3)  # no outcome given
    # 2023: none. 2024, transfers in: distances 100, 40, none, 60, 10.5:
    # 4 have one, sorted 10.5, 40, 60, 100, median (40 + 60) / 2 = 50; no duration.
    for km, outcome in ((100, "improved"), (40, "improved"), (None, "unknown"), (60, "recovered"),
                        (Decimal("10.5"), "recovered")):
        referral(D(2024, 4, 2), tin, to=w.lhasa_peoples, frm_region=w.ngari, km=km, outcome=outcome)
    # 2024, referrals out of Tibet (from Xigaze): 3000 and 3500, median 3250.
    referral(D(2024, 2, 1), out, frm=w.xigaze_peoples, to_region=w.beijing, km=3000, outcome="died")
    referral(D(2024, 12, 31), out, frm=w.xigaze_peoples, to=w.bj_friendship, km=3500, outcome="recovered")
    # Not Tibet's: an international patient in Lhasa, a transfer into
    # Xinjiang from a Tibetan hospital, a referral out of Xinjiang to Lhasa.
    referral(D(2024, 5, 1), "international", to=w.lhasa_peoples, country="NP", km=900)
    referral(D(2024, 5, 1), tin, to=w.xj_children, frm=w.lhasa_peoples, km=7)
    referral(D(2024, 5, 1), out, frm=w.xj_children, to=w.lhasa_peoples, km=8)

    treatable = IndicatorValue.Indicator.CONDITIONS_TREATABLE
    indicator(w.lhasa_peoples, D(2024, 3, 1), treatable, 100)
    indicator(w.lhasa_peoples, D(2024, 11, 1), treatable, 120)
    indicator(w.xigaze_peoples, D(2024, 5, 1), treatable, 80)
    indicator(w.xigaze_peoples, D(2025, 1, 1), treatable, 90)
    indicator(w.pulan, D(2024, 12, 1), treatable, 999)  # not a recipient hospital

    deaths, births = IndicatorValue.Indicator.NEONATAL_DEATHS, IndicatorValue.Indicator.LIVE_BIRTHS
    indicator(w.lhasa_peoples, D(2015, 1, 1), deaths, 4)  # before Lhasa's program (2014-08 – 2015-07)
    indicator(w.lhasa_peoples, D(2015, 1, 1), births, 500)
    indicator(w.lhasa_peoples, D(2015, 8, 1), deaths, 9)
    indicator(w.lhasa_peoples, D(2015, 8, 1), births, 100)
    indicator(w.lhasa_peoples, D(2024, 1, 1), deaths, 2)
    indicator(w.lhasa_peoples, D(2024, 1, 1), births, 400)
    indicator(w.lhasa_peoples, D(2024, 2, 1), deaths, 1)
    indicator(w.lhasa_peoples, D(2024, 2, 1), births, 0)  # reported: none born
    indicator(w.lhasa_peoples, D(2024, 3, 1), deaths, 3)  # births not reported: left out
    indicator(w.xigaze_peoples, D(2024, 1, 1), births, 100)  # deaths not reported: left out
    indicator(w.xj_children, D(2024, 1, 1), deaths, 5)
    indicator(w.xj_children, D(2024, 1, 1), births, 0)
    indicator(w.xj_children, D(2024, 2, 1), deaths, 4)  # births not reported
    return w


def by_year(rows):
    return {r["year"]: r for r in rows}


def test_transfers_in_per_year_with_medians_of_odd_and_even_counts_and_missing_values(w):
    rows = by_year(movements(TIBET)["transfers_in"])
    # All time: from the first year with data (2022) to the last (2024), 2023 with none.
    assert list(rows) == [2022, 2023, 2024]
    y22 = rows[2022]
    assert y22["count"] == 3
    assert y22["distance_km"] == {"median": Decimal("20"), "n": 3}
    assert y22["duration_hours"] == {"median": Decimal("2"), "n": 2}
    assert y22["outcomes"] == {"recovered": 1, "improved": 0, "died": 1, "unknown": 0, "none": 1}
    assert rows[2023]["count"] == 0
    assert rows[2023]["distance_km"] == {"median": None, "n": 0}
    assert rows[2023]["outcomes"] == dict.fromkeys(["recovered", "improved", "died", "unknown", "none"], 0)
    y24 = rows[2024]
    assert y24["count"] == 5  # the international patient and Xinjiang's transfer are not Tibet's
    assert y24["distance_km"] == {"median": Decimal("50"), "n": 4}
    assert y24["duration_hours"] == {"median": None, "n": 0}
    assert y24["outcomes"] == {"recovered": 2, "improved": 2, "died": 0, "unknown": 1, "none": 0}


def test_referrals_out_per_year_are_those_from_the_regions_hospitals(w):
    rows = by_year(movements(TIBET)["referrals_out"])
    assert [r["count"] for r in rows.values()] == [0, 0, 1 + 1]
    assert rows[2024]["distance_km"] == {"median": Decimal("3250"), "n": 2}
    assert rows[2024]["outcomes"]["died"] == 1 and rows[2024]["outcomes"]["recovered"] == 1
    # Xinjiang: its one referral out (to Lhasa), and the transfer in from Lhasa.
    xj = movements(XINJIANG)
    assert [(r["year"], r["count"]) for r in xj["referrals_out"]] == [(2024, 1)]
    assert [(r["year"], r["count"], r["distance_km"]["median"]) for r in xj["transfers_in"]] == [(2024, 1, 7)]


def test_a_closed_period_lists_each_of_its_years_and_cuts_them_at_its_bounds(w):
    m = movements(TIBET, Period(D(2023, 1, 1), D(2024, 6, 30)))
    assert [(r["year"], r["count"]) for r in m["transfers_in"]] == [(2023, 0), (2024, 5)]
    # The referral out of 2024-12-31 lies after the period.
    assert [(r["year"], r["count"]) for r in m["referrals_out"]] == [(2023, 0), (2024, 1)]
    assert m["transfers_in"][1]["period"] == Period(D(2024, 1, 1), D(2024, 6, 30))
    # A period with no referral at all: its years, with zeros.
    empty = movements(TIBET, Period(D(2019, 1, 1), D(2020, 12, 31)))
    assert [(r["year"], r["count"]) for r in empty["transfers_in"]] == [(2019, 0), (2020, 0)]


def test_conditions_treatable_sums_each_recipient_hospitals_latest_month_before_the_periods_end(w):
    t = movements(TIBET, Period(D(2024, 1, 1), D(2024, 12, 31)))["conditions_treatable"]
    # Lhasa: 2024-11 (120); Xigaze: 2024-05 (80), its 2025-01 lies after the
    # period; Pulan reports 999 but receives no program.
    assert t["total"] == 120 + 80
    assert (t["first_month"], t["last_month"]) == (D(2024, 5, 1), D(2024, 11, 1))
    assert [(h["code"], h["value"]) for h in t["hospitals"]] == [("LS-PEOPLES", 120), ("XG-PEOPLES", 80)]
    # All time: Xigaze's latest is 2025-01 (90).
    t = movements(TIBET)["conditions_treatable"]
    assert t["total"] == 120 + 90 and t["last_month"] == D(2025, 1, 1)
    # Before any report: none (not 0).
    t = movements(TIBET, Period(None, D(2024, 2, 29)))["conditions_treatable"]
    assert t["total"] is None and t["hospitals"] == []


def test_neonatal_rate_counts_months_with_both_figures_only(w):
    n = movements(TIBET, Period(D(2024, 1, 1), D(2024, 12, 31)))["neonatal"]
    (y24,) = n["years"]
    # Lhasa 2024-01 (2 deaths, 400 births) and 2024-02 (1, 0): 3 × 1000 / 400 = 7.5.
    # Lhasa's 2024-03 (3 deaths, no births) and Xigaze's 2024-01 (births alone) are left out.
    assert (y24["deaths"], y24["births"], y24["rate"], y24["months"]) == (3, 400, Decimal("7.5"), 2)
    assert (y24["deaths_alone"], y24["births_alone"]) == (1, 1)


def test_neonatal_rate_without_live_births_is_none_never_zero(w):
    n = movements(XINJIANG)["neonatal"]
    (y24,) = n["years"]
    # The children's hospital: 5 deaths, 0 births in 2024-01; 2024-02's 4 deaths alone.
    assert (y24["deaths"], y24["births"], y24["rate"], y24["deaths_alone"]) == (5, 0, None, 1)
    assert rate(0, 0) is None and rate(5, None) is None
    # No program in Xinjiang: no "before"; after: the 12 months to 2024-01.
    assert n["before"] is None
    assert (n["after"]["from"], n["after"]["to"], n["after"]["rate"]) == (D(2023, 2, 1), D(2024, 1, 1), None)


def test_neonatal_before_and_after(w):
    n = movements(TIBET)["neonatal"]
    # Before: the 12 months before Lhasa's program (2015-08): 2014-08 to 2015-07:
    # 2015-01, 4 × 1000 / 500 = 8.0.
    assert (n["before"]["from"], n["before"]["to"]) == (D(2014, 8, 1), D(2015, 7, 1))
    assert (n["before"]["deaths"], n["before"]["births"], n["before"]["rate"]) == (4, 500, Decimal("8.0"))
    # After: the latest month both were reported is 2024-02: 2023-03 to 2024-02,
    # Lhasa's 2024-01 and -02: 3 × 1000 / 400 = 7.5; Xigaze's births alone (2024-01) counted apart.
    assert (n["after"]["from"], n["after"]["to"]) == (D(2023, 3, 1), D(2024, 2, 1))
    assert (n["after"]["rate"], n["after"]["months"], n["after"]["births_alone"]) == (Decimal("7.5"), 2, 1)
    # A period ending in 2023: the latest month with both is 2015-08; after is
    # 2014-09 to 2015-08: (4 + 9) × 1000 / (500 + 100) = 21.67 → 21.7.
    n = movements(TIBET, Period(None, D(2023, 12, 31)))["neonatal"]
    assert (n["after"]["from"], n["after"]["rate"], n["after"]["months"]) == (D(2014, 9, 1), Decimal("21.7"), 2)
    # Every year from 2015 to 2023 is listed; 2016 to 2023 without reports: no rate.
    assert [r["year"] for r in n["years"]] == list(range(2015, 2024))
    assert n["years"][0]["rate"] == Decimal("21.7") and n["years"][1]["rate"] is None


def test_comparison_windows_are_the_hospital_pages():
    assert comparison_windows(D(2015, 8, 20), D(2024, 2, 1)) == (
        (D(2014, 8, 1), D(2015, 7, 1)), (D(2023, 3, 1), D(2024, 2, 1))
    )
    assert comparison_windows(None, None) == (None, None)


def test_a_fixed_number_of_queries(w, django_assert_num_queries):
    with django_assert_num_queries(8):
        movements(TIBET, Period(D(2024, 1, 1), D(2024, 12, 31)))
    with django_assert_num_queries(8):
        movements(XINJIANG)
