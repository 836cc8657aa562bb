"""figures/donor.py on the hand-made donor bundle: each figure of the donor
pages equals the donor summary's figure it stands for (spec section 6)."""

import datetime as dt

import pytest

from aidtracker.lib.periods import Period, month_end
from figures.donor import donor_chart_period, donor_dashboard, donors_overview
from figures.summary import donor_summary
from tests.support.bundles import DATA, load_bundle

pytestmark = pytest.mark.django_db

YEAR = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
PERIODS = [Period(), YEAR, Period(dt.date(2024, 6, 15)), Period(dt.date(2023, 12, 31), dt.date(2024, 6, 14))]


@pytest.fixture
def bundle(db):
    load_bundle(DATA / "donor_bundle")


@pytest.mark.parametrize("period", PERIODS)
def test_each_donors_headline_figures_equal_its_summary(bundle, period):
    rows = donors_overview(period)
    assert [r["code"] for r in rows] == ["110000", "310000", "440000"]
    for row in rows:
        s = donor_summary(row["code"], period)
        assert (row["programs"], row["recipient_hospitals"], row["teams"], row["experts"], row["expert_days"],
                row["surgeries"], row["trainees"]) == (
            s["programs"], s["recipient_hospitals"], s["teams"], s["experts"], s["expert_days"],
            s["surgeries"]["total"], s["trainees"]["total"]), row["code"]


@pytest.mark.parametrize("donor", ["110000", "310000"])
def test_experts_per_month_equal_the_summary_of_each_month(bundle, donor):
    series = donor_dashboard(donor, YEAR)["charts"]["experts_per_month"]
    for entry in series["months"]:
        start = dt.date.fromisoformat(entry["month"] + "-01")
        month = donor_summary(donor, Period(start, month_end(start)))
        assert entry["experts"] == month["experts"], entry["month"]
        by_recipient = {r["code"]: r["experts"] for r in month["by_recipient"]}
        for code, n in entry["by_recipient"].items():
            assert n == by_recipient.get(code, 0), (entry["month"], code)


@pytest.mark.parametrize("donor", ["110000", "310000"])
def test_twinned_surgeries_per_year_equal_the_summary_of_each_year(bundle, donor):
    period = Period(dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    for entry in donor_dashboard(donor, period)["charts"]["twinned_surgeries_per_year"]:
        year = Period(dt.date(entry["year"], 1, 1), dt.date(entry["year"], 12, 31))
        figure = donor_summary(donor, year)["twinned_department_surgeries"]
        assert (entry["total"], {lead: entry[lead] for lead in ("visiting", "joint", "local")}) == (
            figure["total"], figure["by_lead"])


def test_the_skills_transfer_trend_of_beijing_is_hand_derived(bundle):
    # README: 2024's twinned-department surgeries S01 visiting, S14 joint,
    # S15 local, S04 joint, S05 local, S08 joint, S10 local; 2025's S16
    # visiting; 2023's S02 (joint, general surgery at Lhasa) and S26 (joint,
    # cardiology at TAR-PEOPLES, twinned by BJ-TAR to 2023-12-31).
    series = donor_dashboard("110000", Period(dt.date(2023, 1, 1), dt.date(2025, 12, 31)))["charts"]
    lead_keys = ("year", "visiting", "joint", "local", "total", "local_share_percent")
    assert [{k: row[k] for k in lead_keys} for row in series["twinned_surgeries_per_year"]] == [
        {"year": 2023, "visiting": 0, "joint": 2, "local": 0, "total": 2, "local_share_percent": 0.0},
        {"year": 2024, "visiting": 1, "joint": 3, "local": 3, "total": 7, "local_share_percent": 42.9},
        {"year": 2025, "visiting": 1, "joint": 0, "local": 0, "total": 1, "local_share_percent": 0.0},
    ]
    # Trainings of Beijing's programs by start: TR15 (2023, mentorship);
    # TR01 (2023, mentorship); TR02 further study, TR08 further study, TR11
    # mentorship, TR13 on-site (2024); TR10 mentorship (2025).
    kind_keys = ("year", "onsite_course", "mentorship", "further_study", "total")
    assert [{k: row[k] for k in kind_keys} for row in series["trainees_per_year"]] == [
        {"year": 2023, "onsite_course": 0, "mentorship": 2, "further_study": 0, "total": 2},
        {"year": 2024, "onsite_course": 1, "mentorship": 1, "further_study": 2, "total": 3},
        {"year": 2025, "onsite_course": 0, "mentorship": 1, "further_study": 0, "total": 1},
    ]


@pytest.mark.parametrize("period", PERIODS)
def test_the_tables_hold_what_the_summary_counts(bundle, period):
    for donor in ("110000", "310000"):
        figures = donor_dashboard(donor, period)
        summary = figures["summary"]
        assert summary == donor_summary(donor, period)
        assert len(figures["teams"]) == summary["teams"]
        # Every twinning of the bundle has its donor hospital in its donor region.
        assert sum(len(h["twinnings"]) for h in figures["hospitals"]) == summary["twinned_departments"]
        assert sum(h["trainees_hosted"] for h in figures["hospitals"]) >= summary["trainees"]["hosted"]


def test_the_chart_period_starts_with_the_donors_first_program(bundle):
    # Shanghai's first program began in 2016: "all time" groups by year, so
    # the chart starts on 1 January of that year, however long ago.
    assert donor_chart_period("310000", Period(None, dt.date(2024, 12, 31))) == Period(
        dt.date(2016, 1, 1), dt.date(2024, 12, 31))
    assert donor_chart_period("110000", YEAR) == YEAR


def test_the_donor_dashboard_runs_a_fixed_number_of_queries(bundle, django_assert_num_queries):
    # An open period reads the first program for the chart axis (+1). The
    # twinned departments' surgeries read their twinnings first, for the
    # summary and for the yearly chart (+2 on the summary's and the chart's
    # own queries).
    with django_assert_num_queries(25):
        donor_dashboard("110000", Period(dt.date(2024, 6, 15)), specialty="general_surgery", recipient="540000")
    # A chart of whole months: its experts per month from the rollup (1
    # query, not 2).
    with django_assert_num_queries(23):
        donor_dashboard("310000", YEAR)
