"""region_summary() agrees with summaries worked out by hand from the spec
for a small hand-made bundle (tests/data/summary_bundle/README.md explains
every figure). The CSVs are read by a minimal loader
(tests/support/bundles.py), so this test depends on nothing but the models."""

import datetime as dt
import json

import pytest

from aidtracker.lib.periods import Period
from figures.overview import overview
from figures.summary import region_summary
from tests.support.bundles import DATA, day
from tests.support.bundles import load_bundle as load

BUNDLE = DATA / "summary_bundle"

pytestmark = pytest.mark.django_db


def load_bundle():
    load(BUNDLE)


@pytest.mark.parametrize(
    "code,start,end,expected",
    [
        ("540000", "2024-01-01", "2024-12-31", "expected_540000_2024.json"),
        ("540000", "2024-01-01", "2024-01-01", "expected_540000_2024-01-01.json"),
        ("650000", "2024-01-01", "2024-12-31", "expected_650000_2024.json"),
    ],
)
def test_summary_of_the_hand_made_bundle(code, start, end, expected):
    load_bundle()
    result = region_summary(code, Period(day(start), day(end)))
    want = json.loads((BUNDLE / expected).read_text(encoding="utf-8"))
    assert result == want
    assert json.dumps(result) == json.dumps(want)  # the same key order too


def test_overview_of_the_hand_made_bundle():
    load_bundle()
    tibet, xinjiang = overview(Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert (tibet["code"], tibet["programs"], tibet["experts"], tibet["expert_days"]) == ("540000", 3, 3, 399)
    assert (tibet["surgeries"], tibet["surgeries_local"], tibet["local_share_percent"]) == (9, 4, 44.4)
    assert (tibet["trainees"], tibet["techniques"], tibet["consultations"]) == (3, 3, 2)
    assert (xinjiang["code"], xinjiang["expert_days"], xinjiang["surgeries"]) == ("650000", 366, 1)
