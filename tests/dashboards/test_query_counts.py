"""Each page runs the same number of queries with 30 surgeries as with
10,000 (and the other record kinds scaled alike): nothing is counted or
fetched per row. Numbers are pinned; a change says a page got a query
more or less, on purpose or not.

Every page is counted for an admin and for an official of Tibet: sign-in
costs two queries (the session; the user with their profile and the codes
of their regions and programs, in one: accounts.backends), so the official
costs no more than the admin; the narrowing itself is a subquery in each
query, never a query of its own. Pages that read figures through the cache
(aidtracker/cache.py) read the data version once (+1); the cache is emptied
before each test."""

import datetime as dt

import pytest
from django.core.cache import caches

from deployments.models import Program, Twinning
from outcomes.models import Consultation
from tests.conftest import _make_user
from tests.factories import specialty
from tests.dashboards.data import add_indicators, build

# url: (admin, official of Tibet)
PINNED = {
    '/': (18, 18),
    '/?date_after=2024-01-01&date_before=2024-06-30': (18, 18),
    # + patient movements and outcomes (figures/movements.py: 8).
    '/regions/540000/': (28, 28),
    # A closed period is compared with the one before: the summary's 9
    # queries again (+2 for the donor's twinned departments).
    '/regions/540000/?date_after=2024-01-01&date_before=2024-12-31': (36, 36),
    # Movements are region-wide, whatever the specialty and donor: cached
    # from the page before (the cache is not emptied between these pages).
    '/regions/540000/?date_after=2024-01-01&date_before=2024-12-31&specialty=general_surgery&donor=110000': (34, 34),
    '/regions/540000/?date_after=2024-03-15': (28, 28),  # open: no comparison
    # Longer than three years: by quarter, the same queries.
    '/regions/540000/?date_after=2019-12-05&date_before=2024-12-04': (36, 36),
    '/programs/': (7, 7),
    # + the program's figures (figures/program.py: 9) and the specialty select,
    # + its recipient hospital's patient movements and outcomes (figures/movements.py: 8).
    '/programs/BJ-LHASA/': (25, 25),
    '/programs/BJ-LHASA/?date_after=2024-01-15&date_before=2024-12-31&specialty=general_surgery': (35, 35),  # + the specialty's check, + the earlier period's figures (9)
    '/teams/?region=540000&date_after=2024-01-01': (9, 9),
    '/teams/BJ-LHASA-9/': (5, 5),
    '/hospitals/': (6, 6),
    '/hospitals/LS-PEOPLES/': (11, 11),
    '/hospitals/BJ-FRIENDSHIP/': (10, 10),
    '/surgeries/?region=540000&date_after=2024-01-01&sort=hospital': (13, 13),
    '/surgeries/?page=3': (12, 12),
    # The admin's distinct trainees come from the span rollup, the rows are
    # counted apart (+1); the official's are counted with the rows in one.
    '/trainings/?region=540000&kind=mentorship': (14, 13),
    # The admin's rows come from the covered spans and the experts from the
    # expert span rollup (+1); the official's are counted in one.
    '/rotations/?region=540000': (14, 13),
    '/techniques/': (10, 10),
    '/referrals/?region=540000': (8, 8),
    '/consultations/': (11, 11),  # the program select (a filter since issue 16)
    '/regions/540000/completeness/': (11, 11),
    '/regions/540000/completeness/?period=2024': (11, 11),
    '/regions/540000/completeness.csv?period=all': (8, 8),
    '/programs/BJ-LHASA/completeness/': (11, 11),
    '/api/v1/regions/': (3, 3),
    '/api/v1/regions/540000/summary': (13, 13),
    '/api/v1/regions/540000/summary?from=2024-01-01&to=2024-12-31&compare=previous': (22, 22),
    # + patient movements and outcomes (figures/movements.py: 8).
    '/api/v1/regions/540000/summary?from=2022-01-01&to=2022-12-31&include=movements': (21, 21),
    # The chart series: region_dashboard's queries, whatever the grouping.
    '/api/v1/regions/540000/series': (17, 17),
    '/api/v1/regions/540000/series?from=2024-01-01&to=2024-12-31': (16, 16),
}


@pytest.mark.parametrize("scale", [1, 334])  # 30 or 10,020 surgeries, 10 or 3,340 trainings, ...
def test_page_query_counts_do_not_grow_with_the_data(
    client, admin_user, django_user_model, db, django_assert_num_queries, scale
):
    w = build(scale)
    add_indicators(w.lhasa_peoples, 12 * min(scale, 10), dt.date(2014, 1, 1), {"outpatient_visits": 10})
    official = _make_user(django_user_model, "tibet", "official", regions=[w.tibet])
    for which, user in enumerate([admin_user, official]):
        client.force_login(user)
        for url, expected in PINNED.items():
            with django_assert_num_queries(expected[which], info=f"{url} as {user}"):
                response = client.get(url)
            assert response.status_code == 200, url


# The donor pages, for an admin and an official of Beijing (the official of
# Tibet may not read them): url: (admin, official of Beijing).
DONOR_PINNED = {
    '/donors/': (9, 9),
    '/donors/?date_after=2024-01-01&date_before=2024-06-30': (9, 9),
    # A chart of whole months reads its experts per month from the rollup
    # (one query); a day-level one counts the rotations (two).
    '/donors/110000/': (30, 30),
    # A closed period is compared with the one before: the donor summary again.
    '/donors/110000/?date_after=2024-01-01&date_before=2024-12-31&specialty=general_surgery&region=540000': (43, 43),
    '/donors/110000/?date_after=2024-03-15': (31, 31),
}


@pytest.mark.parametrize("scale", [1, 334])
def test_donor_page_query_counts_do_not_grow_with_the_data(
    client, admin_user, django_user_model, db, django_assert_num_queries, scale
):
    build(scale)
    official = _make_user(django_user_model, "beijing", "official", regions=["110000"])
    for which, user in enumerate([admin_user, official]):
        client.force_login(user)
        for url, expected in DONOR_PINNED.items():
            caches["default"].clear()
            with django_assert_num_queries(expected[which], info=f"{url} as {user}"):
                response = client.get(url)
            assert response.status_code == 200, url


# A dashboard's figures to take away (dashboards/downloads.py), uncached:
# the page's own queries, no more. url: (admin, official of Tibet, the
# official through an API token: the token and, on its first use in a
# minute, its last use (+1) in place of the session and the user).
DOWNLOAD_PINNED = {
    # + the earlier period's figures (2023: the summary's 9), as the page compares them,
    # + patient movements and outcomes (figures/movements.py: 8).
    '/regions/540000/figures.xlsx?date_after=2024-01-01&date_before=2024-12-31': (33, 33, 34),
    '/regions/540000/figures.csv?specialty=general_surgery&donor=110000': (29, 29, 29),
    '/donors/110000/figures.xlsx?date_after=2024-01-01&date_before=2024-12-31': (27, None, None),
    # + the program's figures (figures/program.py: 9) and its recipient
    # hospital's patient movements and outcomes (figures/movements.py: 8).
    '/programs/BJ-LHASA/figures.csv': (24, 24, 24),
    '/programs/BJ-LHASA/figures.csv?date_after=2024-01-01&date_before=2024-12-31': (33, 33, 33),  # + 2023's (9)
    '/hospitals/LS-PEOPLES/figures.xlsx': (11, 11, 11),
    '/hospitals/BJ-FRIENDSHIP/figures.csv': (10, 10, 10),
}


@pytest.mark.parametrize("scale", [1, 334])
def test_download_query_counts_do_not_grow_with_the_data(
    client, admin_user, django_user_model, db, django_assert_num_queries, scale
):
    from accounts.models import ApiToken

    w = build(scale)
    add_indicators(w.lhasa_peoples, 12 * min(scale, 10), dt.date(2014, 1, 1), {"outpatient_visits": 10})
    official = _make_user(django_user_model, "tibet", "official", regions=[w.tibet])
    _token, clear = ApiToken.issue(user=official, name="tool")
    for which, user in enumerate([admin_user, official, None]):
        client.logout()
        headers = {}
        if user:
            client.force_login(user)
        else:
            headers = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
        for url, expected in DOWNLOAD_PINNED.items():
            if expected[which] is None:
                continue  # an official of Tibet reads no donor dashboard
            caches["default"].clear()
            with django_assert_num_queries(expected[which], info=f"{url} as {user}"):
                response = client.get(url, **headers)
                assert response.status_code == 200, url
                b"".join(response.streaming_content if response.streaming else [response.content])


def test_csv_export_streams_with_one_query_for_the_rows(signed_in, dash, django_assert_num_queries):
    # Session, user with profile, one to check the region code of the filter, one for the rows.
    with django_assert_num_queries(4):
        response = signed_in.get("/surgeries/export.csv?region=540000")
        b"".join(response.streaming_content)


# url: queries for an official of Beijing, a donor province (its programs'
# records, accounts/scope.py): what an official of Tibet costs for the same
# page and filters (a region or donor parameter checks its code: +1), the
# donor's rules being subqueries of the same queries, never queries of their own.
PINNED_DONOR = {
    '/programs/': 7,
    '/programs/BJ-LHASA/': 17,
    '/teams/BJ-LHASA-9/': 5,
    '/hospitals/': 6,
    '/hospitals/LS-PEOPLES/': 10,  # no monthly indicators added here (above: 11 with them)
    '/surgeries/?date_after=2024-01-01&sort=hospital': 12,
    '/surgeries/?twinned_by=110000&region=540000&date_after=2024-01-01&date_before=2024-12-31': 14,
    '/surgeries/?page=3': 12,
    '/trainings/?region=540000&kind=mentorship': 13,
    '/trainings/?host_region=110000&kind=further_study': 13,
    '/rotations/?region=540000': 13,
    '/techniques/': 10,
    '/referrals/': 7,
    '/consultations/': 11,  # the program select
    '/api/v1/donors/': 3,
    '/api/v1/donors/110000/summary': 16,
    # A recipient region through its donor's work there (one query tells the donor).
    '/regions/540000/?donor=110000': 25,
}


@pytest.mark.parametrize("scale", [1, 334])
def test_a_donor_officials_query_counts_do_not_grow_with_the_data(
    client, django_user_model, db, django_assert_num_queries, scale
):
    w = build(scale)
    client.force_login(_make_user(django_user_model, "beijing", "official", regions=[w.beijing]))
    for url, expected in PINNED_DONOR.items():
        with django_assert_num_queries(expected, info=url):
            response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("scale", [1, 334])
def test_a_coordinators_home_costs_fixed_queries(client, django_user_model, db, django_assert_num_queries, scale):
    # Session 2, data version 1 (cached_page), programs 1, on site today 1,
    # teams soon 1, gaps ahead 2, uncovered today 2, silent months 3, last
    # logged 7 (one per record kind).
    w = build(scale)
    client.force_login(_make_user(django_user_model, "coord", "coordinator", programs=[w.bj_lhasa]))
    caches["default"].clear()
    with django_assert_num_queries(20):
        response = client.get("/")
    assert response.status_code == 200
    assert "My worklist" in response.content.decode()


# A remote-support program's page: its consultations per month by department
# in one query, whatever their number (url: admin, official of Tibet).
REMOTE_PINNED = {
    # + the program's figures and the specialty select, + its recipient
    # hospital's patient movements and outcomes (figures/movements.py: 8).
    '/programs/BJ-LHASA-RS/': (26, 26),
    '/consultations/?program=BJ-LHASA-RS&specialty=general_surgery&date_after=2024-03-01&date_before=2024-03-31': (12, 12),  # /consultations/ + the program and specialty checks
}


@pytest.mark.parametrize("scale", [1, 334])
def test_remote_support_page_query_counts_do_not_grow_with_the_data(
    client, admin_user, django_user_model, db, django_assert_num_queries, scale
):
    w = build(scale)
    rs = Program.objects.create(
        code="BJ-LHASA-RS", name="Beijing remote support to Lhasa", kind="remote_support",
        donor_region=w.beijing, recipient_hospital=w.lhasa_peoples, start_date=dt.date(2024, 1, 1),
    )
    specialties = [specialty("general_surgery"), specialty("cardiology"), specialty("orthopedics")]
    Twinning.objects.create(program=rs, specialty=specialties[0], donor_hospital=w.bj_friendship,
                            start_date=dt.date(2024, 1, 1))
    Consultation.objects.bulk_create([
        Consultation(ref=f"RS{i:06d}", date=dt.date(2024, 1 + i % 12, 1 + i % 28), requesting_hospital=w.lhasa_peoples,
                     consulting_hospital=w.bj_friendship, specialty=specialties[i % 3], mode="remote")
        for i in range(12 * scale)
    ], batch_size=2000)
    official = _make_user(django_user_model, "tibet", "official", regions=[w.tibet])
    for which, user in enumerate([admin_user, official]):
        client.force_login(user)
        for url, expected in REMOTE_PINNED.items():
            caches["default"].clear()
            with django_assert_num_queries(expected[which], info=f"{url} as {user}"):
                response = client.get(url)
            assert response.status_code == 200, url
