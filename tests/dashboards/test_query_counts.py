"""Each page runs the same number of queries with 30 surgeries as with
10,000 (and the other record kinds scaled alike): nothing is counted or
fetched per row. Numbers are pinned; a change says a page got a query
more or less, on purpose or not."""

import pytest

from tests.dashboards.data import add_indicators, build

PINNED = {
    "/": 9,
    "/?date_after=2024-01-01&date_before=2024-06-30": 9,
    "/regions/540000/": 18,
    "/regions/540000/?date_after=2024-01-01&date_before=2024-12-31&specialty=general_surgery&donor=110000": 19,
    "/programs/": 4,
    "/programs/BJ-LHASA/": 4,
    "/teams/BJ-LHASA-9/": 3,
    "/hospitals/": 3,
    "/hospitals/LS-PEOPLES/": 7,
    "/surgeries/?region=540000&date_after=2024-01-01&sort=hospital": 9,
    "/surgeries/?page=3": 8,
    "/trainings/?region=540000&kind=mentorship": 9,
    "/rotations/?region=540000": 10,
    "/techniques/": 7,
    "/referrals/?region=540000": 5,
    "/consultations/": 7,
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
    # One to check the region code of the filter, one for the rows.
    with django_assert_num_queries(2):
        response = signed_in.get("/surgeries/export.csv?region=540000")
        b"".join(response.streaming_content)
