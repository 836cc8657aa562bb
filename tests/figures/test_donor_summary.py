"""donor_summary() against interchange spec v1, section 6, checked without
trusting the implementation: the figures of a hand-made bundle worked out on
paper (tests/data/donor_bundle/README.md derives every one), the property the
spec states (each `by_recipient` entry is the donor's `by_donor` entry in
that region's summary), the dashboard filters, and a query count that does
not grow with the data."""

import datetime as dt
import json

import pytest

from aidtracker.lib.periods import Period
from figures.overview import recipient_regions
from figures.summary import donor_summary, region_summary
from hospitals.models import Region
from tests.support.bundles import DATA, load_bundle

BUNDLE = DATA / "donor_bundle"

pytestmark = pytest.mark.django_db

D = dt.date
YEAR_2024 = Period(D(2024, 1, 1), D(2024, 12, 31))
FROM_MID_JUNE = Period(D(2024, 6, 15), None)

SPEC_KEYS = [
    "donor", "period", "programs", "recipient_hospitals", "twinned_departments", "teams",
    "experts", "expert_days", "surgeries", "trainees", "twinned_department_surgeries",
    "techniques", "consultations", "by_recipient",
]


def expected(name):
    return json.loads((BUNDLE / name).read_text(encoding="utf-8"))


def assert_same(result, want):
    assert result == want
    assert json.dumps(result) == json.dumps(want)  # the spec's key order too


@pytest.fixture
def bundle():
    load_bundle(BUNDLE)


# ------------------------------------------------------ the hand-derived figures


@pytest.mark.parametrize(
    "code,period,file",
    [
        ("110000", YEAR_2024, "expected_110000_2024.json"),
        ("110000", FROM_MID_JUNE, "expected_110000_2024-06-15-.json"),
        ("310000", YEAR_2024, "expected_310000_2024.json"),
        ("310000", FROM_MID_JUNE, "expected_310000_2024-06-15-.json"),
    ],
)
def test_summary_of_the_hand_made_bundle(bundle, code, period, file):
    result = donor_summary(code, period)
    assert list(result) == SPEC_KEYS
    assert_same(result, expected(file))


@pytest.mark.parametrize(
    "code,period,filters,file",
    [
        ("110000", YEAR_2024, {"specialty": "orthopedics"}, "expected_110000_2024_orthopedics.json"),
        ("110000", YEAR_2024, {"recipient": "650000"}, "expected_110000_2024_recipient-650000.json"),
        ("310000", FROM_MID_JUNE, {"recipient": "630000"}, "expected_310000_2024-06-15-_recipient-630000.json"),
    ],
)
def test_filters_narrow_as_documented(bundle, code, period, filters, file):
    assert_same(donor_summary(code, period, **filters), expected(file))


def test_a_region_instance_and_its_code_give_the_same_summary(bundle):
    beijing = Region.objects.get(code="110000")
    assert donor_summary(beijing, YEAR_2024) == donor_summary("110000", YEAR_2024)


def test_a_donor_without_programs_has_zero_figures_and_no_recipients(bundle):
    result = donor_summary("540000", YEAR_2024)  # Tibet sends no teams
    assert result["programs"] == result["experts"] == result["surgeries"]["total"] == 0
    assert result["by_recipient"] == []
    # Guangdong's only program is at a hospital where Beijing has two.
    guangdong = donor_summary("440000", YEAR_2024)
    assert (guangdong["programs"], guangdong["recipient_hospitals"], guangdong["teams"]) == (1, 1, 1)
    assert guangdong["twinned_department_surgeries"] == {
        "total": 1, "by_lead": {"visiting": 0, "joint": 0, "local": 1},  # S13, ophthalmology
    }
    assert guangdong["surgeries"]["total"] == 1  # S14
    assert guangdong["by_recipient"] == [
        {"code": "540000", "name": "Tibet Autonomous Region", "programs": 1, "experts": 1,
         "expert_days": 366, "surgeries": 1},
    ]


def test_a_non_province_level_donor_is_refused(bundle):
    with pytest.raises(ValueError, match="110100 is a prefecture"):
        donor_summary("110100", YEAR_2024)


# ------------------------------------- the property the spec states (section 6)

PERIODS = [
    YEAR_2024,
    FROM_MID_JUNE,
    Period(),
    Period(None, D(2024, 6, 14)),  # open start, a partial month at the end
    Period(D(2024, 1, 2), D(2024, 12, 30)),  # partial months at both ends
    Period(D(2024, 3, 15), D(2025, 2, 10)),  # partial months, whole months between
    Period(D(2024, 6, 15), D(2024, 6, 15)),  # one day
    Period(D(2023, 12, 31), D(2025, 1, 1)),
    Period(D(2024, 12, 31), None),
]


# Loading the bundle costs more than a summary: each test loads it once
# and goes through the periods, naming the period when an assertion fails.


@pytest.mark.parametrize("specialty", [None, "general_surgery", "orthopedics"])
def test_each_by_recipient_entry_is_the_donors_by_donor_entry(bundle, specialty):
    """"Each entry therefore equals D's entry in `by_donor` of that region's
    summary (section 5) for the same period", both ways: every region where
    the donor has an entry in `by_donor` is an entry of `by_recipient`.
    With a specialty too, which narrows both summaries alike."""
    for period in PERIODS:
        regions = {r.code: region_summary(r, period, specialty=specialty) for r in recipient_regions()}
        assert set(regions) == {"540000", "630000", "650000"}
        for donor in ("110000", "310000", "440000"):
            by_recipient = donor_summary(donor, period, specialty=specialty)["by_recipient"]
            codes = [entry["code"] for entry in by_recipient]
            assert codes == sorted(codes), period
            assert codes == [code for code in sorted(regions) if donor in by_donor(regions[code])], (period, donor)
            for entry in by_recipient:
                assert figures(entry) == figures(by_donor(regions[entry["code"]])[donor]), (period, donor, entry)
                assert entry["name"] == regions[entry["code"]]["region"]["name"]


def test_the_recipient_filter_keeps_that_regions_entry(bundle):
    for period in PERIODS:
        for donor in ("110000", "310000"):
            for entry in donor_summary(donor, period)["by_recipient"]:
                narrowed = donor_summary(donor, period, recipient=entry["code"])
                assert narrowed["by_recipient"] == [entry], (period, donor)
                assert (
                    narrowed["programs"], narrowed["experts"], narrowed["expert_days"],
                    narrowed["surgeries"]["total"],
                ) == (entry["programs"], entry["experts"], entry["expert_days"], entry["surgeries"]), (period, donor)


def by_donor(summary):
    """{donor code: entry} of a region summary's `by_donor`."""
    return {entry["code"]: entry for entry in summary["by_donor"]}


def figures(entry):
    """A by_recipient or by_donor entry without whose entry it is."""
    return {key: value for key, value in entry.items() if key not in ("code", "name")}


SHARED = ["programs", "twinned_departments", "teams", "experts", "expert_days", "surgeries",
          "techniques", "consultations"]


@pytest.mark.parametrize("specialty", [None, "general_surgery"])
def test_a_donor_narrowed_to_a_recipient_is_that_region_narrowed_to_the_donor(bundle, specialty):
    """The two filters are one rule seen from both sides (figures/definitions.py:
    the region summary's `donor` keeps that donor's programs and what hangs
    off them; the donor summary's `recipient` narrows as a region does)."""
    for period in PERIODS:
        for donor in ("110000", "310000", "440000"):
            for region in ("540000", "630000", "650000"):
                mine = donor_summary(donor, period, specialty=specialty, recipient=region)
                theirs = region_summary(region, period, specialty=specialty, donor=donor)
                where = (period, donor, region)
                assert {key: mine[key] for key in SHARED} == {key: theirs[key] for key in SHARED}, where
                assert {k: v for k, v in mine["trainees"].items() if k != "hosted"} == theirs["trainees"], where
                # One entry each (or none): the region's, the donor's; the same figures.
                assert [figures(e) for e in mine["by_recipient"]] == [figures(e) for e in theirs["by_donor"]], where
                assert [e["code"] for e in mine["by_recipient"]] in ([], [region]), where


# ------------------------------------------------------------------ query count


@pytest.mark.parametrize("copies", [1, 10])
def test_query_count_does_not_grow_with_the_data(bundle, copies, django_assert_num_queries):
    for n in range(2, copies + 1):
        load_bundle(BUNDLE, suffix=f"-{n}")
    beijing = Region.objects.get(code="110000")
    # With the donor as a Region: the programs counted per recipient
    # province, the recipient provinces' names, the experts and their days
    # (all and per province), the surgeries (whole months from the rollup
    # UNION ALL the partial months), the trainees, the hosted trainees, the
    # twinned departments' days and their surgeries (whole months from the
    # rollup UNION ALL the partial months), the twinnings, the teams, the
    # techniques and the consultations. (A donor with no program counted in
    # the period has no recipient names to read: 11.)
    with django_assert_num_queries(12):
        whole_months = donor_summary(beijing, YEAR_2024)
    # Beijing twins no orthopedic department in Tibet: no surgeries to read (-1).
    with django_assert_num_queries(11):
        partial_months = donor_summary(beijing, FROM_MID_JUNE, specialty="orthopedics", recipient="540000")
    with django_assert_num_queries(13):  # + the donor by its code
        donor_summary("310000", Period())
    want = expected("expected_110000_2024.json")
    # Each copy has its own programs, teams, people and trainees at the same hospitals.
    assert whole_months["surgeries"]["total"] == 7 * copies
    assert whole_months["experts"] == 3 * copies and whole_months["expert_days"] == 733 * copies
    assert whole_months["recipient_hospitals"] == want["recipient_hospitals"]
    assert [e["surgeries"] for e in whole_months["by_recipient"]] == [4 * copies, 2 * copies]
    assert partial_months["surgeries"]["total"] == copies  # S06
