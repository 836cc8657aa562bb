import pytest

from hospitals.models import Hospital, Region, Specialty
from tests.rules import assert_invalid, assert_refused_by_database

pytestmark = pytest.mark.django_db


def test_specialty_code_list_is_the_specs():
    assert Specialty.objects.count() == 35
    assert Specialty.objects.get(code="plateau_medicine").name_zh == "高原医学科"


def test_region_code_must_be_six_digits():
    region = Region(code="54000X", name="Bad", level="province")
    assert_invalid(region, "six digits")
    assert_refused_by_database(region)


def test_province_with_a_parent_is_refused(world):
    region = Region(code="630000", name="Qinghai", level="province", parent=world.tibet)
    assert_invalid(region, "province-level region has no parent")
    assert_refused_by_database(region)


def test_prefecture_without_parent_is_refused():
    region = Region(code="540200", name="Xigaze", level="prefecture")
    assert_invalid(region, "must name one")
    assert_refused_by_database(region)


def test_region_parent_must_be_one_level_up(world):
    county = Region(code="540102", name="Chengguan", level="county", parent=world.tibet)
    assert_invalid(county, "The parent of a county must be a prefecture", field="parent")
    prefecture = Region(code="540300", name="Chamdo", level="prefecture", parent=world.burang)
    assert_invalid(prefecture, "The parent of a prefecture must be a province", field="parent")
    Region(code="540102", name="Chengguan", level="county", parent=world.lhasa).full_clean()


def test_hospitals_in_region_include_county_hospitals(world):
    in_tibet = set(Hospital.objects.in_region(world.tibet).values_list("code", flat=True))
    assert in_tibet == {"LS-PEOPLES", "XG-PEOPLES", "PL-COUNTY"}
    assert list(Hospital.objects.in_region("542500").values_list("code", flat=True)) == ["PL-COUNTY"]


def test_hospital_code_format_is_enforced(world):
    hospital = Hospital(code="bad code!", name="X", region=world.tibet, kind="general")
    assert_invalid(hospital, "letters, digits and '-'")
    assert_refused_by_database(hospital)


def test_display_name_follows_the_language(world):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert world.lhasa_peoples.display_name == "拉萨市人民医院"
    with translation.override("en"):
        assert world.lhasa_peoples.display_name == "Lhasa People's Hospital"
    no_zh = Hospital(code="X", name="Only English", region=world.tibet, kind="general")
    with translation.override("zh-hans"):
        assert no_zh.display_name == "Only English"
