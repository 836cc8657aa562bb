"""Each page runs the same number of queries with 30 surgeries as with
10,000 (and the other record kinds scaled alike): nothing is counted or
fetched per row. Numbers are pinned; a change says a page got a query
more or less, on purpose or not."""

import pytest

from tests.dashboards.data import add_indicators, build

# Every page reads the session and the user (sign-in is required). The
# overview, the region dashboard and the lists' row counts are read through
# the cache (aidtracker/cache.py): with an empty cache, +1 to read the data
# version.
PINNED = {
    "/": 11 + 1,
    "/?date_after=2024-01-01&date_before=2024-06-30": 11 + 1,
    "/regions/540000/": 20 + 1,
    "/regions/540000/?date_after=2024-01-01&date_before=2024-12-31&specialty=general_surgery&donor=110000": 21 + 1,
    "/programs/": 6 + 1,
    "/programs/BJ-LHASA/": 6,
    "/teams/BJ-LHASA-9/": 5,
    "/hospitals/": 5 + 1,
    "/hospitals/LS-PEOPLES/": 9,
    "/surgeries/?region=540000&date_after=2024-01-01&sort=hospital": 11 + 1,
    "/surgeries/?page=3": 10 + 1,
    "/trainings/?region=540000&kind=mentorship": 11 + 1,
    "/rotations/?region=540000": 12 + 1,
    "/techniques/": 9 + 1,
    "/referrals/?region=540000": 7 + 1,
    "/consultations/": 9 + 1,
}


@pytest.mark.parametrize("scale", [1, 334])  # 30 or 10,020 surgeries, 10 or 3,340 trainings, ...
def test_page_query_counts_do_not_grow_with_the_data(signed_in, db, django_assert_num_queries, scale):
    import datetime as dt

    w = build(scale)
    add_indicators(w.lhasa_peoples, 12 * min(scale, 10), dt.date(2014, 1, 1), {"outpatient_visits": 10})
    for url, expected in PINNED.items():
        with django_assert_num_queries(expected, info=url):
            response = signed_in.get(url)
        assert response.status_code == 200, url


def test_csv_export_streams_with_one_query_for_the_rows(signed_in, dash, django_assert_num_queries):
    # The session and the user, one to check the region code of the filter,
    # one for the rows.
    with django_assert_num_queries(2 + 2):
        response = signed_in.get("/surgeries/export.csv?region=540000")
        b"".join(response.streaming_content)
