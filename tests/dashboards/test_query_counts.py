"""Each page runs the same number of queries with 30 surgeries as with
10,000 (and the other record kinds scaled alike): nothing is counted or
fetched per row. Numbers are pinned; a change says a page got a query
more or less, on purpose or not.

Every page is counted for an admin and for an official of Tibet: sign-in
costs two queries (the session; the user with their profile, in one), and
the official's scope one more (their regions), computed once per request
and cached on the user; the narrowing itself is a subquery in each query,
never a query of its own. Pages that read figures through the cache
(aidtracker/cache.py) read the data version once (+1); the cache is emptied
before each test."""

import pytest

from tests.conftest import _make_user
from tests.dashboards.data import add_indicators, build

# url: (admin, official of Tibet)
PINNED = {
    '/': (9, 10),
    '/?date_after=2024-01-01&date_before=2024-06-30': (9, 10),
    '/regions/540000/': (15, 16),
    '/regions/540000/?date_after=2024-01-01&date_before=2024-12-31&specialty=general_surgery&donor=110000': (16, 17),
    '/programs/': (7, 8),
    '/programs/BJ-LHASA/': (6, 7),
    '/teams/BJ-LHASA-9/': (5, 6),
    '/hospitals/': (6, 7),
    '/hospitals/LS-PEOPLES/': (9, 10),
    '/surgeries/?region=540000&date_after=2024-01-01&sort=hospital': (12, 13),
    '/surgeries/?page=3': (11, 12),
    '/trainings/?region=540000&kind=mentorship': (12, 13),
    '/rotations/?region=540000': (13, 14),
    '/techniques/': (10, 11),
    '/referrals/?region=540000': (8, 9),
    '/consultations/': (10, 11),
    '/api/v1/regions/': (3, 4),
    '/api/v1/regions/540000/summary': (8, 9),
}


@pytest.mark.parametrize("scale", [1, 334])  # 30 or 10,020 surgeries, 10 or 3,340 trainings, ...
def test_page_query_counts_do_not_grow_with_the_data(
    client, admin_user, django_user_model, db, django_assert_num_queries, scale
):
    import datetime as dt

    w = build(scale)
    add_indicators(w.lhasa_peoples, 12 * min(scale, 10), dt.date(2014, 1, 1), {"outpatient_visits": 10})
    official = _make_user(django_user_model, "tibet", "official", regions=[w.tibet])
    for which, user in enumerate([admin_user, official]):
        client.force_login(user)
        for url, expected in PINNED.items():
            with django_assert_num_queries(expected[which], info=f"{url} as {user}"):
                response = client.get(url)
            assert response.status_code == 200, url


def test_csv_export_streams_with_one_query_for_the_rows(signed_in, dash, django_assert_num_queries):
    # Session, user with profile, one to check the region code of the filter, one for the rows.
    with django_assert_num_queries(4):
        response = signed_in.get("/surgeries/export.csv?region=540000")
        b"".join(response.streaming_content)
