"""The region selects show the region tree: each region after its parent,
indented by its level (an em space per level below the province); a
recipient-region filter offers the regions that receive a program's teams
(with their ancestors), a donor filter the donors."""

import html
import re

import pytest
from django.urls import reverse

from hospitals.filters import REGION_INDENT
from hospitals.models import Region
from tests import factories as f

OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


def options(client, url, name):
    page = client.get(url).content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [(value, html.unescape(label)) for value, label in OPTION.findall(select) if value]


def depth(label):
    return len(label) - len(label.lstrip(REGION_INDENT))


@pytest.fixture
def signed_in(client, admin_user, world):
    # A county whose code sorts before its prefecture's siblings: the tree,
    # not the codes' digits, decides where it goes (under Ngari, 542500).
    R = Region.objects
    R.create(code="540150", name="Gar County", name_zh="噶尔县", level="county", parent=world.ngari)
    client.force_login(admin_user)
    return client


def test_the_region_filter_lists_the_tree_parent_first_and_indented(signed_in, world):
    listed = options(signed_in, reverse("outcomes:surgery_list"), "region")
    assert [code for code, _ in listed] == [
        "110000", "310000",
        "540000", "540100", "540200", "542500", "540150", "542521",
        "650000", "650100",
    ]
    assert [depth(label) for _, label in listed] == [0, 0, 0, 1, 1, 1, 2, 2, 0, 1]
    assert dict(listed)["540100"] == f"{REGION_INDENT}540100 Lhasa"
    assert dict(listed)["542521"] == f"{REGION_INDENT * 2}542521 Burang County"
    # Every region follows its parent.
    seen = set()
    for code, _ in listed:
        parent = Region.objects.get(code=code).parent_id
        assert parent is None or parent in seen, code
        seen.add(code)


def test_the_tree_reads_in_chinese(signed_in, settings):
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    listed = dict(options(signed_in, reverse("outcomes:training_list"), "region"))
    assert listed["540000"] == "540000 西藏自治区"
    assert listed["540100"] == f"{REGION_INDENT}540100 拉萨市"


@pytest.mark.parametrize("url", ["deployments:rotation_list", "dashboards:program_list"])
def test_a_recipient_region_filter_offers_the_recipients_regions(signed_in, world, url):
    # Programs go to Lhasa and Xigaze People's Hospitals (Tibet); Urumqi has
    # a hospital but no program, Beijing and Shanghai send the teams.
    listed = options(signed_in, reverse(url), "region")
    assert [(code, depth(label)) for code, label in listed] == [("540000", 0), ("540100", 1), ("540200", 1)]
    f.ProgramFactory(code="BJ-PULAN", recipient_hospital=world.pulan, donor_region=world.beijing)
    listed = options(signed_in, reverse(url), "region")
    # A county's program brings its prefecture and province along.
    assert [code for code, _ in listed] == ["540000", "540100", "540200", "542500", "542521"]


def test_a_donor_filter_offers_the_donors(signed_in, world):
    for url in ("outcomes:surgery_list", "deployments:rotation_list", "dashboards:program_list"):
        assert [code for code, _ in options(signed_in, reverse(url), "donor")] == ["110000", "310000"]


def test_an_official_sees_the_tree_of_their_regions(client, official, world):
    client.force_login(official)  # Tibet
    listed = options(client, reverse("outcomes:surgery_list"), "region")
    assert [(code, depth(label)) for code, label in listed] == [
        ("540000", 0), ("540100", 1), ("540200", 1), ("542500", 1), ("542521", 2),
    ]
