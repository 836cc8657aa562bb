"""The trainings list's distinct trainees read from the span rollup (whole
months, filters its keys hold) equal counting them over the filtered
trainings, for varied filters and periods; day-level periods, other filters
and regional officials count the trainings themselves."""

import datetime as dt
import random

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from outcomes.filters import TrainingFilter
from outcomes.models import Trainee, Training
from tests import factories as f
from tests.conftest import _make_user

KINDS = list(Training.Kind.values)


@pytest.fixture
def trainings(world):
    """300 trainings of 60 trainees at four hospitals: several per trainee,
    overlapping, back to back and apart, ongoing, with and without a program
    (of two donors), three specialties, some independent."""
    rng = random.Random(18)
    hospitals = [world.lhasa_peoples, world.xigaze_peoples, world.pulan, world.xj_children]
    trainees = Trainee.objects.bulk_create(
        Trainee(code=f"LT{i:03d}", name=f"Trainee {i}", hospital=rng.choice(hospitals), role="doctor")
        for i in range(60)
    )
    specialties = [f.specialty("general_surgery"), f.specialty("cardiology"), f.specialty("orthopedics")]
    rows = []
    for i in range(300):
        kind = rng.choice(KINDS)
        start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(900))
        end = None if rng.random() < 0.15 else start + dt.timedelta(days=rng.randrange(0, 200))
        rows.append(Training(
            ref=f"TL{i:04d}", trainee=rng.choice(trainees), specialty=rng.choice(specialties), kind=kind,
            host_hospital=world.bj_friendship if kind == "further_study" else None,
            program=rng.choice([None, world.bj_lhasa, world.sh_xigaze]),
            start_date=start, end_date=end, status="ongoing" if end is None else "completed",
            independent_on=start + dt.timedelta(days=30) if rng.random() < 0.3 and start < dt.date(2025, 6, 1) else None,
        ))
    Training.objects.bulk_create(rows)
    return world


def totals_of(client, query):
    caches["default"].clear()  # count anew, not from the cached totals
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/trainings/?" + query)
    assert page.status_code == 200
    used_rollup = any("outcomes_traineespanmonth" in q["sql"] for q in queries.captured_queries)
    return page.context["totals"], used_rollup


def counted(query):
    filterset = TrainingFilter(QueryDict(query) or None, queryset=Training.objects.all())
    if filterset.is_bound and not filterset.is_valid():
        return {"rows": 0, "trainees": 0}  # the list shows the form's errors and no row
    return filterset.qs.order_by().aggregate(rows=Count("pk"), trainees=Count("trainee", distinct=True))


def whole_month_queries(rng):
    queries = ["", "page=2", "region=540000", "region=540100", "region=650000", "hospital=PL-COUNTY",
               "specialty=cardiology", "donor=110000", "donor=310000&specialty=orthopedics",
               "kind=further_study", "kind=mentorship&region=540000", "date_after=2024-01-01",
               "date_before=2024-06-30", "date_after=2024-01-01&date_before=2024-12-31",
               "region=540000&donor=110000&specialty=general_surgery&kind=onsite_course"
               "&date_after=2023-07-01&date_before=2025-03-31"]
    for _ in range(10):
        a = dt.date(2023 + rng.randrange(3), rng.randrange(1, 13), 1)
        b = (a + dt.timedelta(days=31 * rng.randrange(1, 20))).replace(day=1) - dt.timedelta(days=1)  # a month's last day
        extra = rng.choice(["", "&region=540000", "&donor=110000", "&specialty=cardiology",
                            "&kind=onsite_course", "&hospital=LS-PEOPLES&kind=mentorship"])
        queries += [f"date_after={a}&date_before={b}{extra}", f"date_after={a}{extra}", f"date_before={b}{extra}"]
    return queries


def test_the_rollup_trainees_equal_the_counted_ones(client, admin_user, trainings):
    client.force_login(admin_user)
    for query in whole_month_queries(random.Random(5)):
        totals, used_rollup = totals_of(client, query)
        assert totals == counted(query), query
        assert used_rollup, query


def test_day_level_periods_and_other_filters_count_the_trainings(client, admin_user, trainings):
    client.force_login(admin_user)
    rng = random.Random(9)
    queries = ["q=Trainee", "status=ongoing", "program=BJ-LHASA", "independent=true", "role=doctor",
               "region=540000&host_region=110000", "date_after=2024-03-05&date_before=2024-03-20",
               "started_after=2024-01-01", "independent_after=2024-01-01&region=540000",
               "date_after=2025-01-01&date_before=2024-01-31"]
    for _ in range(8):
        a = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(900))
        queries.append(f"date_after={a}&date_before={a + dt.timedelta(days=rng.randrange(1, 300))}&region=540000")
    for query in queries:
        totals, used_rollup = totals_of(client, query)
        assert totals == counted(query), query
        assert not used_rollup, query


def test_a_regional_official_counts_their_trainings(client, django_user_model, trainings):
    official = _make_user(django_user_model, "tibet", "official", regions=[trainings.tibet])
    client.force_login(official)
    totals, used_rollup = totals_of(client, "date_after=2024-01-01&date_before=2024-12-31")
    visible = Training.objects.visible_to(official).filter(start_date__lte=dt.date(2024, 12, 31))
    visible = visible.exclude(end_date__lt=dt.date(2024, 1, 1))
    assert totals == visible.aggregate(rows=Count("pk"), trainees=Count("trainee", distinct=True))
    assert not used_rollup


def test_the_trainees_follow_a_write_at_once(client, admin_user, trainings):
    client.force_login(admin_user)
    query = "region=540000&date_after=2024-01-01&date_before=2024-12-31"
    before, _ = totals_of(client, query)
    f.TrainingFactory(trainee=f.TraineeFactory(hospital=trainings.pulan), start_date=dt.date(2024, 5, 2),
                      end_date=None, status="ongoing")
    after, used_rollup = totals_of(client, query)
    assert after == {"rows": before["rows"] + 1, "trainees": before["trainees"] + 1} == counted(query)
    assert used_rollup
