"""The region summary's opt-in patient movements and outcomes
(`&include=movements`, api/views.py): beside the spec's keys, the figures of
figures/movements.py as plain JSON numbers; bad values are 400 JSON."""

import pytest

from tests.figures.test_movements import w  # noqa: F401 (the hand-derived rows)

URL = "/api/v1/regions/540000/summary"


@pytest.fixture
def api(client, admin_user):
    client.force_login(admin_user)
    return client


def test_movements_beside_the_spec_keys(w, api):  # noqa: F811
    plain = api.get(URL, {"from": "2024-01-01", "to": "2024-12-31"}).json()
    assert "movements" not in plain
    answer = api.get(URL, {"from": "2024-01-01", "to": "2024-12-31", "include": "movements"}).json()
    assert {k: v for k, v in answer.items() if k != "movements"} == plain
    m = answer["movements"]
    # As tests/figures/test_movements.py derives them.
    (t24,) = m["transfers_in"]
    assert t24["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert (t24["count"], t24["distance_km"], t24["duration_hours"]) == (
        5, {"median": 50, "n": 4}, {"median": None, "n": 0})
    assert m["referrals_out"][0]["distance_km"]["median"] == 3250
    assert m["conditions_treatable"]["total"] == 200
    assert (m["conditions_treatable"]["first_month"], m["conditions_treatable"]["last_month"]) == ("2024-05", "2024-11")
    (n24,) = m["neonatal"]["years"]
    assert (n24["deaths"], n24["births"], n24["per_1000_live_births"]) == (3, 400, 7.5)
    assert m["neonatal"]["before"]["from"] == "2014-08" and m["neonatal"]["before"]["per_1000_live_births"] == 8


def test_no_live_births_is_null(w, api):  # noqa: F811
    m = api.get("/api/v1/regions/650000/summary", {"include": "movements"}).json()["movements"]
    assert m["neonatal"]["years"][0]["per_1000_live_births"] is None
    assert m["neonatal"]["before"] is None


@pytest.mark.parametrize("url, query, message", [
    (URL, {"include": "everything"}, "include=movements"),
    ("/api/v1/donors/310000/summary", {"include": "movements"}, "region summary only"),
])
def test_bad_include_is_400_json(w, api, url, query, message):  # noqa: F811
    response = api.get(url, query)
    assert response.status_code == 400
    assert message in response.json()["error"]
