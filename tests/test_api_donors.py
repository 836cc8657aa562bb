"""The JSON API of the donor summary: /api/v1/donors/ and
/api/v1/donors/<code>/summary (api/views.py), on the hand-made bundle of
tests/data/donor_bundle/ whose figures its README derives."""

import datetime as dt
import json

import pytest

from accounts.models import ApiToken
from aidtracker.lib.periods import Period
from figures.summary import donor_summary
from hospitals.models import Region
from outcomes.models import Surgery
from tests.support.bundles import DATA, load_bundle

pytestmark = pytest.mark.django_db

BUNDLE = DATA / "donor_bundle"
SUMMARY = "/api/v1/donors/110000/summary"
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}


def expected(name):
    return json.loads((BUNDLE / name).read_text(encoding="utf-8"))


@pytest.fixture
def bundle():
    load_bundle(BUNDLE)


def make_user(django_user_model, username, role, regions=(), all_regions=False):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw")
    user.profile.role = role
    user.profile.all_regions = all_regions
    user.profile.save()
    user.profile.regions.set(Region.objects.filter(code__in=regions))
    return user


@pytest.fixture
def official_all(bundle, django_user_model):
    """An official reading every region."""
    return make_user(django_user_model, "official_all", "official", all_regions=True)


@pytest.fixture
def api(client, official_all):
    client.force_login(official_all)
    return client


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='tool')[1]}"}


# --------------------------------------------------------------------- the list


def test_donors_lists_donor_regions_with_their_summary_url(api):
    body = api.get("/api/v1/donors/").json()
    assert body == {
        "donors": [
            {"code": "110000", "name": "Beijing", "name_zh": "北京市",
             "summary_url": "http://testserver/api/v1/donors/110000/summary"},
            {"code": "310000", "name": "Shanghai", "name_zh": "上海市",
             "summary_url": "http://testserver/api/v1/donors/310000/summary"},
            {"code": "440000", "name": "Guangdong", "name_zh": "广东省",
             "summary_url": "http://testserver/api/v1/donors/440000/summary"},
        ]
    }
    assert api.get("/api/v1/donors").json() == body
    # Each address answers.
    for donor in body["donors"]:
        assert api.get(donor["summary_url"]).status_code == 200


def test_donors_lists_only_the_donor_regions_an_official_reads(client, bundle, django_user_model):
    client.force_login(make_user(django_user_model, "beijing", "official", regions=["110000"]))
    assert [d["code"] for d in client.get("/api/v1/donors/").json()["donors"]] == ["110000"]
    client.force_login(make_user(django_user_model, "tibet", "official", regions=["540000"]))
    assert client.get("/api/v1/donors/").json() == {"donors": []}


# ------------------------------------------------------------------ the summary


@pytest.mark.parametrize(
    "url,params,file",
    [
        (SUMMARY, YEAR, "expected_110000_2024.json"),
        (SUMMARY + "/", {"from": "2024-06-15"}, "expected_110000_2024-06-15-.json"),
        ("/api/v1/donors/310000/summary", YEAR, "expected_310000_2024.json"),
        ("/api/v1/donors/310000/summary", {"from": "2024-06-15", "to": ""}, "expected_310000_2024-06-15-.json"),
        (SUMMARY, {**YEAR, "specialty": "orthopedics"}, "expected_110000_2024_orthopedics.json"),
        (SUMMARY, {**YEAR, "recipient": "650000"}, "expected_110000_2024_recipient-650000.json"),
        ("/api/v1/donors/310000/summary/", {"from": "2024-06-15", "recipient": "630000"},
         "expected_310000_2024-06-15-_recipient-630000.json"),
    ],
)
def test_summary_is_the_hand_derived_json(api, url, params, file):
    response = api.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content.decode() == json.dumps(expected(file), ensure_ascii=False)  # key order too


def test_summary_is_the_functions_result(api):
    response = api.get(SUMMARY, YEAR)
    assert response.json() == donor_summary("110000", Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    body = api.get(SUMMARY).json()
    assert body == donor_summary("110000")
    assert body["period"] == {"from": None, "to": None}
    assert api.get(SUMMARY, {"to": "2024-06-14"}).json() == donor_summary("110000", Period(None, dt.date(2024, 6, 14)))


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize(
    "params,message",
    [
        ({"from": "2024-13-01"}, "'from': '2024-13-01' is not a date; use YYYY-MM-DD"),
        ({"to": "2024-1-5"}, "'to': '2024-1-5' is not a date; use YYYY-MM-DD"),
        ({"from": "2024-02-01", "to": "2024-01-31"}, "'from' (2024-02-01) is after 'to' (2024-01-31)"),
        ({"specialty": "surgery"}, "'specialty': 'surgery' is not a specialty code"),
        ({"recipient": "999999"}, "'recipient': '999999' is not the code of a province-level region (e.g. 540000)"),
        ({"recipient": "540100"}, "'recipient': '540100' is not the code of a province-level region"),
    ],
)
def test_bad_parameters_are_400_json(api, slash, params, message):
    response = api.get(SUMMARY + slash, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize(
    "code,status,message",
    [
        ("999999", 404, "No region has the code '999999'."),
        # As the region summary: a region below province level is a bad
        # argument (400), named as what it is.
        ("110100", 400, "110100 (Beijing Municipal Districts) is a prefecture"),
        ("110105", 400, "110105 (Chaoyang District) is a county"),
    ],
)
def test_unknown_or_non_province_donor_is_json(api, slash, code, status, message):
    response = api.get(f"/api/v1/donors/{code}/summary{slash}", YEAR)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]


def test_no_redirect_with_or_without_trailing_slash(api):
    for url in (SUMMARY, SUMMARY + "/", "/api/v1/donors/", "/api/v1/donors"):
        assert api.get(url).status_code == 200, url


# -------------------------------------------------------------- who may read it


def test_a_personal_api_token_signs_the_request_in(client, official_all):
    response = client.get(SUMMARY, YEAR, **bearer(official_all))
    assert response.status_code == 200
    assert response.json() == expected("expected_110000_2024.json")
    assert client.get("/api/v1/donors/", **bearer(official_all)).status_code == 200


def signed_in(client, user, how):
    """`client` and the headers of a request by `user`, signed in by a
    session or sending a personal API token."""
    if how == "session":
        client.force_login(user)
        return {}
    return bearer(user)


@pytest.mark.parametrize("how", ["session", "token"])
def test_a_viewer_gets_403_json(client, bundle, django_user_model, how):
    headers = signed_in(client, make_user(django_user_model, "viewer", "viewer"), how)
    for url in (SUMMARY, "/api/v1/donors/"):
        response = client.get(url, **headers)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/json"
        assert "error" in response.json()


@pytest.mark.parametrize("how", ["session", "token"])
def test_an_official_of_other_regions_gets_404_json(client, bundle, django_user_model, how):
    """A donor summary is for readers of the donor region itself or of all
    regions: an official of Tibet, where Beijing's teams work, does not get
    Beijing's figures for other regions; as if it did not exist."""
    headers = signed_in(client, make_user(django_user_model, "tibet", "official", regions=["540000"]), how)
    response = client.get(SUMMARY, YEAR, **headers)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "No region has the code '110000'."}


def test_a_reader_of_a_district_of_the_donor_does_not_read_the_donors_summary(client, bundle, django_user_model):
    client.force_login(make_user(django_user_model, "chaoyang", "official", regions=["110105"]))
    assert client.get(SUMMARY).status_code == 404


def test_an_official_of_the_donor_region_reads_it(client, bundle, django_user_model):
    client.force_login(make_user(django_user_model, "beijing", "official", regions=["110000"]))
    response = client.get(SUMMARY, YEAR)
    assert response.status_code == 200
    assert response.json() == expected("expected_110000_2024.json")
    assert client.get("/api/v1/donors/310000/summary").status_code == 404


def test_anonymous_is_401_json(client, bundle):
    for url in (SUMMARY, "/api/v1/donors/"):
        response = client.get(url)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.has_header("WWW-Authenticate")


def test_only_get(api):
    response = api.post(SUMMARY)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "error" in response.json()


def test_a_cached_answer_follows_a_write(api):
    """The API caches whole answers; a new surgery by a Beijing team must
    show at once (the data version is part of the key)."""
    assert api.get(SUMMARY, YEAR).json()["surgeries"]["total"] == 7
    Surgery.objects.create(ref="S99", date=dt.date(2024, 7, 1), hospital_id="LS-PEOPLES",
                           specialty_id="general_surgery", procedure="Appendectomy", grade=2,
                           approach="open", lead="joint", team_id="BJ-LHASA-11", outcome="success")
    body = api.get(SUMMARY, YEAR).json()
    assert body["surgeries"]["total"] == 8
    assert body["by_recipient"][0]["surgeries"] == 5


def test_api_query_count_is_fixed(api, django_assert_num_queries):
    # session, user with profile and scope (one query), region, specialty,
    # recipient, the data version (the cache is empty), then the 12 of the
    # donor summary (tests/figures/test_donor_summary.py names them).
    with django_assert_num_queries(2 + 3 + 1 + 12):
        assert api.get(SUMMARY, {**YEAR, "specialty": "orthopedics", "recipient": "540000"}).status_code == 200
    with django_assert_num_queries(2 + 1):
        assert api.get("/api/v1/donors/").status_code == 200
