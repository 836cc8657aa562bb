"""The surgery list's row count read from the monthly rollup (whole months)
plus the rows of the partial edge months equals counting the filtered rows,
for every period and filter it is used for; other filters and regional
officials count the rows themselves."""

import datetime as dt
import random

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.filters import SurgeryFilter
from outcomes.models import Surgery
from tests import factories as f
from tests.conftest import _make_user


@pytest.fixture
def surgeries(world):
    rng = random.Random(7)
    hospitals = [world.lhasa_peoples, world.xigaze_peoples, world.pulan]
    specialties = [f.specialty("general_surgery"), f.specialty("cardiology")]
    start = dt.date(2023, 11, 1)
    Surgery.objects.bulk_create([
        f.SurgeryFactory.build(
            hospital=rng.choice(hospitals), specialty=rng.choice(specialties),
            date=start + dt.timedelta(days=rng.randrange(500)), lead=rng.choice(list(Surgery.Lead.values)),
        )
        for _ in range(300)
    ])
    return world


def rows_of(client, query):
    caches["default"].clear()  # count anew, not from the cached totals
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/surgeries/?" + query)
    assert page.status_code == 200
    used_rollup = any("outcomes_surgerymonth" in q["sql"] for q in queries.captured_queries)
    return page.context["totals"]["rows"], used_rollup


def counted(query):
    from django.http import QueryDict

    return SurgeryFilter(QueryDict(query) or None, queryset=Surgery.objects.all()).qs.count()


def test_the_rollup_count_equals_the_row_count(client, admin_user, surgeries):
    client.force_login(admin_user)
    rng = random.Random(11)
    queries = ["", "page=2", "region=540000", "region=540100", "region=650000", "specialty=cardiology",
               "hospital=" + surgeries.lhasa_peoples.code, "region=540000&specialty=general_surgery",
               "date_after=2024-01-01", "date_before=2024-06-30", "date_after=2024-01-01&date_before=2024-12-31"]
    for _ in range(12):
        a = dt.date(2023, 10, 1) + dt.timedelta(days=rng.randrange(560))
        b = a + dt.timedelta(days=rng.randrange(30, 400))
        queries.append(f"region=540000&date_after={a}&date_before={b}")
        queries.append(f"date_after={a}&specialty=cardiology")
        queries.append(f"date_before={b}")
    for query in queries:
        rows, used_rollup = rows_of(client, query)
        assert rows == counted(query), query
        assert used_rollup, query
    # A short period (no whole month) and other filters count the rows.
    for query in ["date_after=2024-03-05&date_before=2024-03-20", "region=540000&lead=local",
                  "q=chole", "grade=3&date_after=2024-01-01"]:
        rows, used_rollup = rows_of(client, query)
        assert rows == counted(query), query
        assert not used_rollup, query


def test_the_count_follows_a_write_at_once(client, admin_user, surgeries):
    client.force_login(admin_user)
    before, _ = rows_of(client, "region=540000")
    f.SurgeryFactory(hospital=surgeries.lhasa_peoples, date=dt.date(2024, 2, 10))
    assert rows_of(client, "region=540000") == (before + 1, True)


def test_a_regional_official_counts_rows_in_their_scope(client, surgeries, django_user_model):
    official = _make_user(django_user_model, "tibet", "official", regions=[surgeries.tibet])
    client.force_login(official)
    rows, used_rollup = rows_of(client, "date_after=2024-01-01")
    assert not used_rollup
    assert rows == Surgery.objects.in_region(surgeries.tibet).filter(date__gte="2024-01-01").count()
