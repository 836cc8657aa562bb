"""The JSON API: /api/v1/regions/ and /api/v1/regions/<code>/summary."""

import datetime as dt

import pytest

from figures.summary import region_summary
from aidtracker.lib.periods import Period
from tests import factories as f
from tests.conftest import _make_user

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/regions/540000/summary"


@pytest.fixture
def user(official_all):
    """An official reading every region (viewers may not use the API)."""
    return official_all


@pytest.fixture
def api(client, user, world):
    client.force_login(user)
    return client


def test_summary_is_the_functions_result(api, world):
    f.SurgeryFactory(hospital=world.pulan, date=dt.date(2024, 5, 1), team=f.TeamFactory(program=world.bj_lhasa))
    response = api.get(SUMMARY, {"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == region_summary(world.tibet, Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert body["surgeries"]["total"] == 1 and body["by_donor"][0]["surgeries"] == 1
    assert body["period"] == {"from": "2024-01-01", "to": "2024-12-31"}


def test_summary_open_bounds_and_filters(api, world):
    assert api.get(SUMMARY).json()["period"] == {"from": None, "to": None}
    assert api.get(SUMMARY, {"from": "", "to": "2024-01-01"}).json()["period"] == {"from": None, "to": "2024-01-01"}
    body = api.get(SUMMARY, {"specialty": "orthopedics", "donor": "310000"}).json()
    assert body == region_summary(world.tibet, specialty="orthopedics", donor="310000")
    assert [d["code"] for d in body["by_donor"]] == ["310000"]


def test_no_redirect_with_or_without_trailing_slash(api):
    for url in (SUMMARY, SUMMARY + "/", "/api/v1/regions/", "/api/v1/regions"):
        assert api.get(url).status_code == 200, url


def test_non_ascii_names_are_kept(api, world):
    body = api.get("/api/v1/regions/").content.decode()
    assert "西藏自治区" in body


@pytest.mark.parametrize(
    "params,message",
    [
        ({"from": "2024-13-01"}, "'from': '2024-13-01' is not a date; use YYYY-MM-DD"),
        ({"to": "yesterday"}, "'to': 'yesterday' is not a date"),
        ({"from": "2024-02-01", "to": "2024-01-31"}, "'from' (2024-02-01) is after 'to' (2024-01-31)"),
        ({"specialty": "surgery"}, "'specialty': 'surgery' is not a specialty code"),
        ({"donor": "999999"}, "'donor': '999999' is not the code of a province-level region"),
        ({"donor": "540100"}, "'donor': '540100' is not the code of a province-level region"),
    ],
)
def test_bad_parameters_are_400_json(api, params, message):
    response = api.get(SUMMARY, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]


@pytest.mark.parametrize(
    "code,message",
    [("999999", "No region has the code '999999'.")],
)
def test_unknown_or_non_province_region_is_404_json(api, code, message):
    response = api.get(f"/api/v1/regions/{code}/summary")
    assert response.status_code == 404
    assert message in response.json()["error"]


def test_a_prefecture_is_400_json_saying_summaries_are_of_provinces(api):
    response = api.get("/api/v1/regions/540100/summary")
    assert response.status_code == 400
    assert "540100 (Lhasa) is a prefecture; summaries are of province-level regions" in response.json()["error"]


def test_an_official_of_a_province_asking_for_its_prefecture_is_told_the_same(world, django_user_model, client):
    """Not "no region has the code": the prefecture lies in their region."""
    client.force_login(_make_user(django_user_model, "tibetan", "official", regions=[world.tibet]))
    response = client.get("/api/v1/regions/540100/summary")
    assert response.status_code == 400
    assert "is a prefecture" in response.json()["error"]
    assert client.get("/api/v1/regions/650000/summary").status_code == 404


def test_anonymous_is_401_json(client, world):
    for url in (SUMMARY, "/api/v1/regions/"):
        response = client.get(url)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert "Sign in" in response.json()["error"]
        assert response.has_header("WWW-Authenticate")
    # In Chinese, the message is UTF-8 text like every other answer, not \u escapes.
    response = client.get(SUMMARY, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请" in response.content.decode("utf-8")


def test_only_get(api):
    response = api.post(SUMMARY)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "error" in response.json()


def test_regions_lists_recipient_regions(api, world):
    f.ProgramFactory(donor_region=world.beijing, recipient_hospital=world.xj_children)
    body = api.get("/api/v1/regions/").json()
    assert body == {
        "regions": [
            {"code": "540000", "name": "Tibet Autonomous Region", "name_zh": "西藏自治区",
             "summary_url": "http://testserver/api/v1/regions/540000/summary"},
            {"code": "650000", "name": "Xinjiang Uygur Autonomous Region", "name_zh": "新疆维吾尔自治区",
             "summary_url": "http://testserver/api/v1/regions/650000/summary"},
        ]
    }


@pytest.mark.parametrize("rows", [1, 20])
def test_api_query_count_is_fixed(api, world, rows, django_assert_num_queries):
    for i in range(rows):
        f.SurgeryFactory(hospital=world.pulan)
        f.RotationFactory(team=f.TeamFactory(program=world.bj_lhasa))
    # session, user with profile and scope (one query), region, specialty,
    # donor, the data version (the cache is empty), then the 9 of the summary
    with django_assert_num_queries(2 + 3 + 1 + 9):
        assert api.get(SUMMARY, {"specialty": "general_surgery", "donor": "110000"}).status_code == 200
    with django_assert_num_queries(2 + 1):
        assert api.get("/api/v1/regions/").status_code == 200


def test_unknown_api_address_is_404_json(api):
    response = api.get("/api/v1/regions/540000/nothing")
    assert response.status_code == 404
    assert response.json() == {"error": "There is no API address /api/v1/regions/540000/nothing."}
