"""The rotations list's totals read from the rollups (rows from the covered
spans without dates, experts from the expert span rollup for whole months
and the keys it holds) equal counting them over the filtered rotations, for
varied filters and periods; day-level periods, other filters and regional
officials count the rotations themselves."""

import datetime as dt
import random

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from deployments.filters import RotationFilter
from deployments.models import Rotation
from tests.conftest import _make_user
from tests.deployments.test_expert_rollup import rotations_for, setting  # noqa: F401 (a fixture)


@pytest.fixture
def rotations(setting):  # noqa: F811
    world, teams, people, bj_xj, sh_xj = setting
    Rotation.objects.bulk_create(rotations_for(random.Random(12), people, teams))
    return setting


def totals_of(client, query):
    caches["default"].clear()  # count anew, not from the cached totals
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/rotations/?" + query)
    assert page.status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    return page.context["totals"], "deployments_coveredspan" in sql, "deployments_expertspanmonth" in sql


def counted(query):
    filterset = RotationFilter(QueryDict(query) or None, queryset=Rotation.objects.all())
    if filterset.is_bound and not filterset.is_valid():
        return {"rows": 0, "experts": 0}  # the list shows the form's errors and no row
    return filterset.qs.order_by().aggregate(rows=Count("pk"), experts=Count("person", distinct=True))


def test_the_rollup_totals_equal_the_counted_ones(client, admin_user, rotations):
    client.force_login(admin_user)
    undated = ["", "page=2", "region=540000", "region=650000", "specialty=orthopedics", "donor=110000",
               "donor=310000&specialty=pediatrics", "region=540000&donor=110000&specialty=general_surgery"]
    for query in undated:  # both from the rollups
        assert totals_of(client, query) == (counted(query), True, True), query
    for query in ["region=540100", "hospital=XJ-CHILDREN", "program=BJ-XJ&specialty=orthopedics"]:
        # rows from the covered spans; experts counted (a prefecture, a hospital, a program: no key)
        assert totals_of(client, query) == (counted(query), True, False), query
    rng = random.Random(4)
    dated = ["date_after=2023-01-01", "date_before=2023-06-30", "date_after=2023-01-01&date_before=2023-12-31"]
    for _ in range(10):
        a = dt.date(2022 + rng.randrange(3), rng.randrange(1, 13), 1)
        b = (a + dt.timedelta(days=31 * rng.randrange(1, 20))).replace(day=1) - dt.timedelta(days=1)
        extra = rng.choice(["", "&region=540000", "&donor=110000", "&specialty=orthopedics", "&region=650000&donor=310000"])
        dated += [f"date_after={a}&date_before={b}{extra}", f"date_after={a}{extra}", f"date_before={b}{extra}"]
    for query in dated:  # rows counted; experts from the expert rollup
        assert totals_of(client, query) == (counted(query), False, True), query


def test_day_level_periods_and_other_filters_count_the_rotations(client, admin_user, rotations):
    client.force_login(admin_user)
    queries = ["role=member", "title=attending", "person=E003", "home_hospital=BJ-FRIENDSHIP",
               "on_site=2023-06-01", "date_after=2023-03-05&date_before=2023-09-20",
               "date_after=2023-01-01&date_before=2023-12-31&program=BJ-XJ",
               "date_after=2023-01-01&region=540100", "date_after=2025-01-01&date_before=2024-01-31"]
    for query in queries:
        totals, spans_read, experts_read = totals_of(client, query)
        assert totals == counted(query), query
        assert not spans_read and not experts_read, query


def test_a_regional_official_counts_their_rotations(client, django_user_model, rotations):
    world = rotations[0]
    official = _make_user(django_user_model, "tibet", "official", regions=[world.tibet])
    client.force_login(official)
    totals, spans_read, experts_read = totals_of(client, "")
    visible = Rotation.objects.visible_to(official)
    assert totals == visible.aggregate(rows=Count("pk"), experts=Count("person", distinct=True))
    assert not spans_read and not experts_read


def test_the_totals_follow_a_write_at_once(client, admin_user, rotations):
    world, teams, people, bj_xj, sh_xj = rotations
    client.force_login(admin_user)
    before, _, _ = totals_of(client, "region=650000")
    newcomer = people[0].__class__.objects.create(code="E999", name="Newcomer", home_hospital=world.bj_friendship)
    Rotation.objects.create(team=teams[3], person=newcomer, specialty_id="orthopedics", title="attending",
                            role="member", start_date=dt.date(2024, 3, 1), end_date=dt.date(2024, 4, 30))
    after, spans_read, experts_read = totals_of(client, "region=650000")
    assert after == {"rows": before["rows"] + 1, "experts": before["experts"] + 1} == counted("region=650000")
    assert spans_read and experts_read
