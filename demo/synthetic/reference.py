"""The real places and programs the synthetic world is built on: regions
(GB/T 2260), hospitals and the programs of the seed articles, and the
demo's own "today"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aidtracker.lib.periods import add_months

TODAY = dt.date(2026, 11, 23)  # the demo's "today": current batches cover it
FIRST_DAY = dt.date(2015, 8, 1)

# --------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------

# (code, name, name_zh, level, parent)
REGIONS = [
    ("110000", "Beijing", "北京市", "province", None),
    ("310000", "Shanghai", "上海市", "province", None),
    ("440000", "Guangdong Province", "广东省", "province", None),
    ("440100", "Guangzhou", "广州市", "prefecture", "440000"),
    ("510000", "Sichuan Province", "四川省", "province", None),
    ("510100", "Chengdu", "成都市", "prefecture", "510000"),
    ("610000", "Shaanxi Province", "陕西省", "province", None),
    ("610100", "Xi'an", "西安市", "prefecture", "610000"),
    ("540000", "Tibet Autonomous Region", "西藏自治区", "province", None),
    ("540100", "Lhasa", "拉萨市", "prefecture", "540000"),
    ("540102", "Chengguan District", "城关区", "county", "540100"),
    ("540121", "Lhunzhub County", "林周县", "county", "540100"),
    ("540200", "Xigaze", "日喀则市", "prefecture", "540000"),
    ("540202", "Samzhubze District", "桑珠孜区", "county", "540200"),
    ("540232", "Zhongba County", "仲巴县", "county", "540200"),
    ("540236", "Saga County", "萨嘎县", "county", "540200"),
    ("540400", "Nyingchi", "林芝市", "prefecture", "540000"),
    ("540402", "Bayi District", "巴宜区", "county", "540400"),
    ("540500", "Shannan", "山南市", "prefecture", "540000"),
    ("540600", "Nagqu", "那曲市", "prefecture", "540000"),
    ("542500", "Ngari Prefecture", "阿里地区", "prefecture", "540000"),
    ("542521", "Burang County", "普兰县", "county", "542500"),
    ("542523", "Gar County", "噶尔县", "county", "542500"),
    ("650000", "Xinjiang Uygur Autonomous Region", "新疆维吾尔自治区", "province", None),
    ("650100", "Urumqi", "乌鲁木齐市", "prefecture", "650000"),
    ("652900", "Aksu Prefecture", "阿克苏地区", "prefecture", "650000"),
    ("652901", "Aksu City", "阿克苏市", "county", "652900"),
    ("652926", "Baicheng County", "拜城县", "county", "652900"),
    ("653100", "Kashgar Prefecture", "喀什地区", "prefecture", "650000"),
    ("653101", "Kashgar City", "喀什市", "county", "653100"),
    ("653125", "Shache County", "莎车县", "county", "653100"),
    ("653126", "Yecheng County", "叶城县", "county", "653100"),
    ("653130", "Bachu County", "巴楚县", "county", "653100"),
    ("653200", "Hotan Prefecture", "和田地区", "prefecture", "650000"),
    ("653201", "Hotan City", "和田市", "county", "653200"),
    ("653222", "Moyu County", "墨玉县", "county", "653200"),
    ("653226", "Yutian County", "于田县", "county", "653200"),
]

# (code, name, name_zh, region, grade, kind)
HOSPITALS = [
    # donors
    ("BJ-CHILDRENS", "Beijing Children's Hospital, Capital Medical University",
     "首都医科大学附属北京儿童医院", "110000", "3A", "children"),
    ("BJ-FRIENDSHIP", "Beijing Friendship Hospital, Capital Medical University",
     "首都医科大学附属北京友谊医院", "110000", "3A", "general"),
    ("BJ-ANZHEN", "Beijing Anzhen Hospital, Capital Medical University",
     "首都医科大学附属北京安贞医院", "110000", "3A", "specialist"),
    ("BJ-TONGREN", "Beijing Tongren Hospital, Capital Medical University",
     "首都医科大学附属北京同仁医院", "110000", "3A", "general"),
    ("BJ-OBGYN", "Beijing Obstetrics and Gynecology Hospital, Capital Medical University",
     "首都医科大学附属北京妇产医院", "110000", "3A", "maternal_child"),
    ("SH-FIRST-MATERNITY", "Shanghai First Maternity and Infant Hospital",
     "上海市第一妇婴保健院", "310000", "3A", "maternal_child"),
    ("SH-RENJI", "Renji Hospital, Shanghai Jiao Tong University School of Medicine",
     "上海交通大学医学院附属仁济医院", "310000", "3A", "general"),
    ("SH-SCMC", "Shanghai Children's Medical Center",
     "上海交通大学医学院附属上海儿童医学中心", "310000", "3A", "children"),
    ("SH-ZHONGSHAN", "Zhongshan Hospital, Fudan University",
     "复旦大学附属中山医院", "310000", "3A", "general"),
    ("SH-SIXTH", "Shanghai Sixth People's Hospital",
     "上海市第六人民医院", "310000", "3A", "general"),
    ("GD-PROVINCIAL", "Guangdong Provincial People's Hospital",
     "广东省人民医院", "440100", "3A", "general"),
    ("SN-PROVINCIAL", "Shaanxi Provincial People's Hospital",
     "陕西省人民医院", "610100", "3A", "general"),
    ("SN-XJTU-FIRST", "First Affiliated Hospital of Xi'an Jiaotong University",
     "西安交通大学第一附属医院", "610100", "3A", "general"),
    # recipients
    ("LS-PEOPLES", "Lhasa People's Hospital", "拉萨市人民医院", "540102", "3A", "general"),
    ("XG-PEOPLES", "Xigaze People's Hospital", "日喀则市人民医院", "540202", "3A", "general"),
    ("NY-PEOPLES", "Nyingchi People's Hospital", "林芝市人民医院", "540402", "3A", "general"),
    ("PL-COUNTY", "Pulan County People's Hospital", "普兰县人民医院", "542521", "2B", "general"),
    ("KS-SECOND", "Kashgar Prefecture Second People's Hospital",
     "喀什地区第二人民医院", "653101", "3A", "general"),
    ("XJ-CHILDREN", "Xinjiang Children's Hospital (Regional Paediatric Medical Centre)",
     "新疆维吾尔自治区儿童医院", "650100", "3A", "children"),
    # hospitals that refer and send neonatal transfers
    ("NG-PEOPLES", "Ngari Prefecture People's Hospital", "阿里地区人民医院", "542523", "2A", "general"),
    ("KS-FIRST", "Kashgar Prefecture First People's Hospital",
     "喀什地区第一人民医院", "653101", "3A", "general"),
    ("SC-COUNTY", "Shache County People's Hospital", "莎车县人民医院", "653125", "2A", "general"),
    ("YC-MCH", "Yecheng County Maternal and Child Health Hospital",
     "叶城县妇幼保健院", "653126", "2B", "maternal_child"),
    ("AKS-FIRST", "Aksu Prefecture First People's Hospital",
     "阿克苏地区第一人民医院", "652901", "3A", "general"),
    ("HT-PEOPLES", "Hotan Prefecture People's Hospital", "和田地区人民医院", "653201", "3A", "general"),
    ("MY-COUNTY", "Moyu County People's Hospital", "墨玉县人民医院", "653222", "2A", "general"),
]


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    name: str
    name_zh: str
    kind: str
    donor: str
    recipient: str
    start: dt.date
    main_donor: str  # home hospital of experts outside the twinned departments
    # (specialty, donor hospital, start date) of the twinned departments
    twinnings: tuple
    # (batch start, batch end) pairs, in order, never overlapping
    batches: tuple = ()
    team_name: str = ""  # format string with {ordinal} and {batch}
    team_name_zh: str = ""  # format string with {batch} (in Chinese numerals)
    team_size: tuple = (8, 12)
    # specialties of experts beyond the twinned departments
    extra_specialties: tuple = ()
    # recipient's surgical volume (relative) and the year its logs start
    surgery_weight: float = 1.0


def _yearly(first: dt.date, count: int, gaps: dict | None = None, months: int = 12):
    """Consecutive batches of `months` months from `first`; `gaps` delays a batch's start by days."""
    gaps = gaps or {}
    out = []
    start = first
    for batch in range(1, count + 1):
        start = start + dt.timedelta(days=gaps.get(batch, 0))
        nominal_end = add_months(start.replace(day=1), months) - dt.timedelta(days=1)
        out.append((start, nominal_end))
        start = nominal_end + dt.timedelta(days=1)
    return tuple(out)


def _half_years_with_winter_gap():
    """Shaanxi's rotations to Burang: six months each, a fortnight's handover gap
    in spring and autumn, and one winter (2019/20) without a team."""
    out = []
    for year in range(2016, 2027):
        out.append((dt.date(year, 5, 1), dt.date(year, 10, 31)))
        if year == 2019:
            continue  # deliberate coverage gap: no winter team in 2019/20
        end_year = year + 1
        out.append((dt.date(year, 11, 15), dt.date(end_year, 4, 15)))
    return tuple(out)


PROGRAMS = [
    ProgramSpec(
        code="BJ-LHASA",
        name="Beijing medical aid to Lhasa People's Hospital (department twinning)",
        name_zh="北京市组团式医疗援藏·拉萨市人民医院科室对口帮扶",
        kind="department_twinning",
        donor="110000",
        recipient="LS-PEOPLES",
        start=dt.date(2015, 8, 1),
        main_donor="BJ-FRIENDSHIP",
        twinnings=(
            ("orthopedics", "BJ-FRIENDSHIP", dt.date(2015, 8, 1)),
            ("neurology", "BJ-FRIENDSHIP", dt.date(2015, 8, 1)),
            ("respiratory", "BJ-FRIENDSHIP", dt.date(2015, 8, 1)),
            ("general_surgery", "BJ-FRIENDSHIP", dt.date(2015, 8, 1)),
            ("neurosurgery", "BJ-FRIENDSHIP", dt.date(2019, 8, 1)),
            ("cardiology", "BJ-ANZHEN", dt.date(2019, 8, 1)),
            ("ophthalmology", "BJ-TONGREN", dt.date(2020, 9, 1)),
            ("pediatrics", "BJ-CHILDRENS", dt.date(2021, 8, 1)),
            ("obstetrics_gynecology", "BJ-OBGYN", dt.date(2021, 8, 1)),
        ),
        # 2020: the sixth team left late (travel restrictions): a seven-week gap.
        batches=_yearly(dt.date(2015, 8, 1), 12, gaps={6: 50}),
        team_name="Beijing's {ordinal} Tibet Medical Team",
        team_name_zh="北京市第{batch}批援藏医疗队",
        team_size=(14, 22),
        extra_specialties=("anesthesiology", "critical_care", "nursing", "radiology", "emergency"),
        surgery_weight=1.0,
    ),
    ProgramSpec(
        code="SH-XIGAZE",
        name="Shanghai Tibet Medical Team at Xigaze People's Hospital",
        name_zh="上海市组团式医疗援藏·日喀则市人民医院",
        kind="group_aid",
        donor="310000",
        recipient="XG-PEOPLES",
        start=dt.date(2015, 8, 1),
        main_donor="SH-ZHONGSHAN",
        twinnings=(
            ("urology", "SH-RENJI", dt.date(2015, 8, 1)),
            ("general_surgery", "SH-ZHONGSHAN", dt.date(2015, 8, 1)),
            ("orthopedics", "SH-SIXTH", dt.date(2016, 8, 1)),
            ("obstetrics_gynecology", "SH-FIRST-MATERNITY", dt.date(2016, 8, 1)),
            ("pediatrics", "SH-SCMC", dt.date(2017, 8, 1)),
            ("critical_care", "SH-RENJI", dt.date(2018, 8, 1)),
        ),
        batches=_yearly(dt.date(2015, 8, 1), 12),
        team_name="{ordinal} Group of Shanghai Tibet Medical Team",
        team_name_zh="上海市第{batch}批援藏医疗队",
        team_size=(13, 19),
        extra_specialties=("anesthesiology", "cardiology", "nursing", "ultrasound", "hospital_management"),
        surgery_weight=0.9,
    ),
    ProgramSpec(
        code="GD-NYINGCHI",
        name="Guangdong group medical aid to Nyingchi People's Hospital",
        name_zh="广东省组团式医疗援藏·林芝市人民医院",
        kind="group_aid",
        donor="440000",
        recipient="NY-PEOPLES",
        start=dt.date(2015, 8, 1),
        main_donor="GD-PROVINCIAL",
        twinnings=(
            ("general_surgery", "GD-PROVINCIAL", dt.date(2015, 8, 1)),
            ("cardiology", "GD-PROVINCIAL", dt.date(2017, 8, 1)),
            ("obstetrics_gynecology", "GD-PROVINCIAL", dt.date(2017, 8, 1)),
        ),
        # 2023: the ninth team arrived five weeks after the eighth had left.
        batches=_yearly(dt.date(2015, 8, 1), 12, gaps={9: 35}),
        team_name="Guangdong's {ordinal} medical team to Nyingchi",
        team_name_zh="广东省第{batch}批援林芝医疗队",
        team_size=(8, 13),
        extra_specialties=("anesthesiology", "orthopedics", "pediatrics", "nursing"),
        surgery_weight=0.5,
    ),
    ProgramSpec(
        code="SH-KASHGAR",
        name="Shanghai group medical aid in Kashgar (First Maternity and Infant Hospital team)",
        name_zh="上海市组团式医疗援疆·喀什地区第二人民医院",
        kind="group_aid",
        donor="310000",
        recipient="KS-SECOND",
        start=dt.date(2016, 9, 1),
        main_donor="SH-FIRST-MATERNITY",
        twinnings=(
            ("obstetrics_gynecology", "SH-FIRST-MATERNITY", dt.date(2016, 9, 1)),
            ("neonatology", "SH-FIRST-MATERNITY", dt.date(2016, 9, 1)),
            ("general_surgery", "SH-ZHONGSHAN", dt.date(2017, 9, 1)),
            ("urology", "SH-RENJI", dt.date(2018, 9, 1)),
        ),
        batches=_yearly(dt.date(2016, 9, 1), 11),
        team_name="Shanghai medical team in Kashgar, {ordinal} batch",
        team_name_zh="上海市第{batch}批援喀什医疗队",
        team_size=(8, 12),
        extra_specialties=("anesthesiology", "ultrasound", "pathology", "nursing"),
        surgery_weight=0.8,
    ),
    ProgramSpec(
        code="BJ-XJ-PAEDIATRIC-CENTRE",
        name="Regional Paediatric Medical Centre: Beijing Children's Hospital with Xinjiang Children's Hospital",
        name_zh="国家儿童区域医疗中心·北京儿童医院与新疆维吾尔自治区儿童医院",
        kind="regional_center",
        donor="110000",
        recipient="XJ-CHILDREN",
        start=dt.date(2020, 12, 1),
        main_donor="BJ-CHILDRENS",
        twinnings=tuple(
            (s, "BJ-CHILDRENS", dt.date(2020, 12, 1))
            for s in (
                "pediatric_surgery", "neonatology", "critical_care", "pediatrics",
                "hematology", "cardiothoracic_surgery", "respiratory", "gastroenterology",
            )
        ),
        # Six-month stints; 2022: the fourth group came five weeks late.
        batches=_yearly(dt.date(2020, 12, 1), 12, gaps={4: 35}, months=6),
        team_name="Beijing Children's Hospital expert group {batch} in Urumqi",
        team_name_zh="北京儿童医院第{batch}批援疆专家组（乌鲁木齐）",
        team_size=(9, 14),
        extra_specialties=("anesthesiology", "nephrology", "neurology", "ophthalmology", "urology"),
        surgery_weight=1.4,
    ),
    ProgramSpec(
        code="SN-PULAN",
        name="Shaanxi medical aid to Pulan County People's Hospital, Ngari",
        name_zh="陕西省医疗援藏·阿里地区普兰县人民医院",
        kind="group_aid",
        donor="610000",
        recipient="PL-COUNTY",
        start=dt.date(2016, 5, 1),
        main_donor="SN-PROVINCIAL",
        twinnings=(
            ("emergency", "SN-PROVINCIAL", dt.date(2016, 5, 1)),
            ("general_surgery", "SN-XJTU-FIRST", dt.date(2018, 5, 1)),
        ),
        batches=_half_years_with_winter_gap(),
        team_name="Shaanxi medical team to Pulan, batch {batch}",
        team_name_zh="陕西省第{batch}批援普兰医疗队",
        team_size=(3, 6),
        extra_specialties=("obstetrics_gynecology", "anesthesiology", "plateau_medicine", "nursing"),
        surgery_weight=0.08,
    ),
    ProgramSpec(
        code="SCMC-KASHGAR-REMOTE",
        name="Shanghai Children's Medical Center remote support to Kashgar",
        name_zh="上海儿童医学中心远程支持·喀什地区第二人民医院",
        kind="remote_support",
        donor="310000",
        recipient="KS-SECOND",
        start=dt.date(2019, 3, 1),
        main_donor="SH-SCMC",
        twinnings=(("pediatrics", "SH-SCMC", dt.date(2019, 3, 1)),),
        batches=(),
        surgery_weight=0.0,
    ),
]

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals: 8 八, 10 十, 12 十二, 24 二十四."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CHINESE_DIGITS[ones]
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")


ORDINALS = (
    "First Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Eleventh Twelfth "
    "Thirteenth Fourteenth Fifteenth Sixteenth Seventeenth Eighteenth Nineteenth Twentieth "
    "Twenty-first Twenty-second Twenty-third Twenty-fourth"
).split()

