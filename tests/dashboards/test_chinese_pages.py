"""The dashboards in Chinese: labels, chart titles, and every region,
hospital and program under its Chinese name; in English, the English names.
Query counts are those of the English pages (pinned in test_query_counts.py),
except that the region page reads the donors' Chinese names with one query
more in Chinese."""

import json
import re

import pytest

from tests.dashboards.data import build

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def charts_of(response):
    """The chart specifications the page hands to charts.js (json_script)."""
    html = response.content.decode()
    return [
        json.loads(m) for m in re.findall(r'<script[^>]* type="application/json"[^>]*>(.*?)</script>', html, re.S)
    ]


@pytest.fixture
def w(db):
    return build(1)


def test_overview_in_chinese_names_regions_in_chinese(signed_in, w):
    response = signed_in.get("/", **ZH)
    html = response.content.decode()
    assert "医疗援助概览" in html and "主要数据" in html
    assert "西藏自治区" in html and "Tibet Autonomous Region" not in html
    specs = json.dumps(charts_of(response), ensure_ascii=False)
    assert "西藏自治区" in specs and "本地医生独立完成" in specs  # axis labels, legend
    assert "Tibet" not in specs
    assert "各受援地区手术例数" in html  # the chart's title


def test_overview_in_english_names_regions_in_english(signed_in, w):
    html = signed_in.get("/", **EN).content.decode()
    assert "Tibet Autonomous Region" in html and "西藏自治区" not in html


def test_region_page_in_chinese_names_donors_in_chinese(signed_in, w):
    response = signed_in.get("/regions/540000/", **ZH)
    html = response.content.decode()
    assert "<h1>西藏自治区" in html
    assert "北京市" in html and "上海市" in html
    assert ">Beijing <" not in html
    specs = json.dumps(charts_of(response), ensure_ascii=False)
    assert "北京市" in specs and "Beijing" not in specs
    assert "每年手术例数（按主刀方）" in html  # all time: by year


def test_region_page_in_english_names_donors_in_english(signed_in, w):
    html = signed_in.get("/regions/540000/", **EN).content.decode()
    assert "Beijing" in html and "北京市" not in html


def count_queries(client, url, headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django.core.cache import caches

    client.get(url, **headers)  # warm: the first request of a session may differ
    caches["default"].clear()  # rendered, not the whole page from the page cache
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    return len(queries)


def test_chinese_region_page_reads_donor_names_with_one_query(signed_in, w):
    english = count_queries(signed_in, "/regions/540000/", EN)
    assert count_queries(signed_in, "/regions/540000/", ZH) == english + 1
    assert count_queries(signed_in, "/", ZH) == count_queries(signed_in, "/", EN)


@pytest.mark.parametrize(
    "url",
    ["/", "/regions/540000/", "/programs/", "/programs/BJ-LHASA/", "/teams/BJ-LHASA-9/",
     "/hospitals/", "/hospitals/LS-PEOPLES/", "/surgeries/", "/trainings/", "/rotations/",
     "/techniques/", "/referrals/", "/consultations/"],
)
def test_every_page_reads_in_chinese(signed_in, w, url):
    response = signed_in.get(url, **ZH)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    # The switcher, sending the reader back to this very page.
    assert 'action="/i18n/setlang/"' in html and f'name="next" value="{url}"' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert re.search(r"[\u4e00-\u9fff]", title), (url, title)  # at least the site's name
    # Table headers and form labels, the words most likely to be left in English.
    heads = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", html, re.S) + re.findall(
        r"<label[^>]*>(.*?)</label>", html, re.S
    )
    english = [h for h in (re.sub(r"<[^>]+>", "", h).strip() for h in heads)
               if h and re.search(r"[A-Za-z]{3,}", h) and not re.search(r"[\u4e00-\u9fff]", h)]
    assert not english, (url, english)


def test_switching_to_english_on_a_page_comes_back_to_it_in_english(signed_in, w):
    response = signed_in.post("/i18n/setlang/", {"language": "en", "next": "/regions/540000/"}, **ZH)
    assert response["Location"] == "/regions/540000/"
    html = signed_in.get("/regions/540000/", **ZH).content.decode()
    assert '<html lang="en">' in html and "Tibet Autonomous Region" in html
