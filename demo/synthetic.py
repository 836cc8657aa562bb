"""A deterministic synthetic world for the demo fixture and for benchmarks.

Built on the real hospitals and programs of the seed articles, with real
GB/T 2260 region codes: Beijing's, Shanghai's, Guangdong's and Shaanxi's
medical teams in Tibet (Lhasa, Xigaze, Nyingchi, Burang), Shanghai's group
aid in Kashgar and Beijing Children's Hospital's regional paediatric centre
at Xinjiang Children's Hospital in Urumqi. People, numbers and dates are
invented; no person named in the articles appears, and there are no patient
identifiers anywhere.

Everything is drawn from `random.Random` seeded with a string (stable across
Python versions), one generator per section so that changing one section
does not reshuffle the others. Same seed, same rows.

Every function returns or yields plain dicts of model attribute names
(`hospital_id`, not `hospital`), which the fixture writer turns into model
instances and `generate_data` into COPY rows or `bulk_create` batches.
Every row satisfies the models' constraints and `clean()`: dates ordered,
numbers not negative, a host hospital exactly for further study, referral
ends that fit their kind, and no overlapping rotations of one person.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

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


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month `months` later (day must be valid in every month: use 1)."""
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


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

ORDINALS = (
    "First Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Eleventh Twelfth "
    "Thirteenth Fourteenth Fifteenth Sixteenth Seventeenth Eighteenth Nineteenth Twentieth "
    "Twenty-first Twenty-second Twenty-third Twenty-fourth"
).split()

# --------------------------------------------------------------------------
# Procedures: (name, grade, approach, blood loss range in ml or None)
# --------------------------------------------------------------------------

PROCEDURES = {
    "general_surgery": [
        ("Laparoscopic cholecystectomy", 3, "laparoscopic", (10, 80)),
        ("Open appendectomy", 2, "open", (10, 60)),
        ("Laparoscopic appendectomy", 2, "laparoscopic", (5, 40)),
        ("Tension-free inguinal hernia repair (Lichtenstein)", 2, "open", (10, 50)),
        ("Laparoscopic transabdominal preperitoneal hernia repair", 3, "laparoscopic", (5, 40)),
        ("Excision of hepatic cystic echinococcosis (hydatid cyst)", 4, "open", (200, 900)),
        ("Laparoscopic radical gastrectomy", 4, "laparoscopic", (100, 400)),
        ("Radical colectomy", 4, "open", (150, 600)),
        ("Thyroid lobectomy", 3, "open", (20, 120)),
        ("Resection of benign breast tumour", 1, "open", (5, 30)),
        ("ERCP with common bile duct stone extraction", 3, "endoscopic", None),
        ("Laparoscopic common bile duct exploration", 4, "laparoscopic", (50, 250)),
    ],
    "orthopedics": [
        ("Total hip arthroplasty", 4, "open", (200, 800)),
        ("Total knee arthroplasty", 4, "open", (150, 600)),
        ("Arthroscopic meniscus repair", 3, "endoscopic", (5, 30)),
        ("Arthroscopic anterior cruciate ligament reconstruction", 3, "endoscopic", (10, 50)),
        ("Open reduction and internal fixation of femoral fracture", 3, "open", (150, 600)),
        ("Intramedullary nailing of tibial fracture", 3, "open", (100, 400)),
        ("Pelvic osteotomy for developmental dysplasia of the hip in children", 4, "open", (150, 500)),
        ("Percutaneous kyphoplasty", 3, "interventional", (5, 30)),
        ("Lumbar discectomy", 3, "open", (50, 250)),
        ("Debridement and closure of open fracture", 2, "open", (30, 200)),
    ],
    "neurosurgery": [
        ("Craniotomy for evacuation of intracerebral haematoma", 4, "open", (200, 800)),
        ("Burr-hole drainage of chronic subdural haematoma", 2, "open", (20, 100)),
        ("Endoscopic transsphenoidal resection of pituitary adenoma", 4, "endoscopic", (50, 300)),
        ("Ventriculoperitoneal shunt", 3, "open", (10, 80)),
        ("Endovascular coiling of intracranial aneurysm", 4, "interventional", None),
        ("Decompressive craniectomy", 4, "open", (300, 1000)),
    ],
    "urology": [
        ("Ureteroscopic holmium laser lithotripsy", 3, "endoscopic", (5, 30)),
        ("Flexible ureteroscopic lithotripsy", 3, "endoscopic", (5, 30)),
        ("Percutaneous nephrolithotomy", 3, "endoscopic", (50, 300)),
        ("Transurethral resection of the prostate", 3, "endoscopic", (50, 300)),
        ("Transurethral resection of bladder tumour", 3, "endoscopic", (20, 150)),
        ("Laparoscopic radical nephrectomy", 4, "laparoscopic", (100, 400)),
        ("Laparoscopic radical prostatectomy", 4, "laparoscopic", (150, 500)),
        ("Laparoscopic partial nephrectomy", 4, "laparoscopic", (100, 400)),
        ("Circumcision", 1, "open", (5, 20)),
    ],
    "cardiology": [
        ("Primary PCI with stent implantation for acute myocardial infarction", 4, "interventional", None),
        ("Coronary angiography", 3, "interventional", None),
        ("Permanent pacemaker implantation", 3, "interventional", (10, 50)),
        ("Radiofrequency catheter ablation of supraventricular tachycardia", 4, "interventional", None),
    ],
    "obstetrics_gynecology": [
        ("Caesarean section", 2, "open", (200, 600)),
        ("Laparoscopic total hysterectomy", 3, "laparoscopic", (100, 300)),
        ("Laparoscopic ovarian cystectomy", 3, "laparoscopic", (20, 100)),
        ("Laparoscopic myomectomy", 3, "laparoscopic", (100, 400)),
        ("Hysteroscopic resection of submucosal fibroid", 2, "endoscopic", (10, 80)),
        ("Radical hysterectomy with pelvic lymphadenectomy for cervical cancer", 4, "open", (300, 900)),
        ("Resection of giant ovarian tumour", 4, "open", (300, 1200)),
        ("Cervical cerclage", 2, "other", (5, 30)),
    ],
    "pediatric_surgery": [
        ("Laparoscopic pyloromyotomy", 3, "laparoscopic", (1, 10)),
        ("Laparoscopic high ligation of inguinal hernia sac", 2, "laparoscopic", (1, 10)),
        ("Laparoscopic appendectomy in children", 2, "laparoscopic", (5, 30)),
        ("Laparoscopic-assisted Soave pull-through for Hirschsprung disease", 4, "laparoscopic", (20, 120)),
        ("Thoracoscopic repair of oesophageal atresia", 4, "thoracoscopic", (5, 40)),
        ("Kasai portoenterostomy for biliary atresia", 4, "open", (30, 150)),
        ("One-stage hypospadias repair", 3, "open", (5, 40)),
        ("Laparoscopic orchidopexy", 2, "laparoscopic", (1, 10)),
        ("Resection of hepatoblastoma", 4, "open", (100, 500)),
        ("Air enema reduction of intussusception", 1, "other", None),
    ],
    "cardiothoracic_surgery": [
        ("Repair of ventricular septal defect under cardiopulmonary bypass", 4, "open", (50, 300)),
        ("Transcatheter closure of atrial septal defect", 3, "interventional", None),
        ("Thoracoscopic lobectomy", 4, "thoracoscopic", (50, 300)),
        ("Nuss procedure for pectus excavatum", 3, "thoracoscopic", (10, 60)),
        ("Closed thoracic drainage", 1, "other", (5, 30)),
    ],
    "emergency": [
        ("Open appendectomy", 2, "open", (10, 60)),
        ("Closed thoracic drainage", 1, "other", (5, 30)),
        ("Debridement and suture of complex wounds", 1, "open", (10, 80)),
        ("Resection of benign breast tumour", 1, "open", (5, 30)),
        ("Closed reduction and casting of forearm fracture", 1, "other", None),
    ],
    "ophthalmology": [
        ("Phacoemulsification with intraocular lens implantation", 3, "other", None),
        ("Pars plana vitrectomy", 4, "endoscopic", None),
        ("Trabeculectomy", 3, "open", None),
        ("Pterygium excision with conjunctival autograft", 2, "open", None),
    ],
    "respiratory": [
        ("Bronchoscopic removal of airway foreign body", 2, "endoscopic", None),
        ("Endobronchial ultrasound-guided transbronchial needle aspiration", 3, "endoscopic", None),
        ("Medical thoracoscopy with pleural biopsy", 3, "thoracoscopic", (5, 30)),
    ],
    "neurology": [
        ("Mechanical thrombectomy for acute ischaemic stroke", 4, "interventional", None),
        ("Digital subtraction cerebral angiography", 3, "interventional", None),
    ],
    "gastroenterology": [
        ("Endoscopic retrograde cholangiopancreatography", 3, "endoscopic", None),
        ("Endoscopic submucosal dissection", 4, "endoscopic", (5, 50)),
        ("Endoscopic variceal ligation", 3, "endoscopic", None),
    ],
}

SKILLS = {
    "neonatology": ["Neonatal resuscitation", "Mechanical ventilation of preterm infants",
                    "Umbilical venous catheterisation", "Neonatal transport care",
                    "Less invasive surfactant administration"],
    "pediatrics": ["Paediatric advanced life support", "Paediatric asthma management",
                   "Paediatric bedside ultrasound"],
    "critical_care": ["Continuous renal replacement therapy", "Bedside bronchoscopy",
                      "Lung-protective ventilation", "Ultrasound-guided central venous catheterisation"],
    "anesthesiology": ["Ultrasound-guided nerve block", "Difficult airway management",
                       "Paediatric anaesthesia"],
    "nursing": ["Perioperative nursing", "Neonatal intensive care nursing", "Infection control",
                "Stoma care"],
    "hematology": ["Bone marrow aspiration and biopsy", "Intrathecal chemotherapy"],
    "ultrasound": ["Prenatal anomaly ultrasound screening", "Echocardiography"],
    "radiology": ["CT angiography reporting", "MRI of the spine"],
    "pathology": ["Intraoperative frozen section", "Immunohistochemistry"],
    "hospital_management": ["Quality and patient safety management", "Grade 3A accreditation preparation"],
    "plateau_medicine": ["Management of high-altitude pulmonary oedema"],
    "nephrology": ["Haemodialysis", "Renal biopsy"],
    "gastroenterology": ["Diagnostic gastroscopy", "Colonoscopy with polypectomy"],
    "respiratory": ["Flexible bronchoscopy", "Pulmonary function testing", "Non-invasive ventilation"],
    "neurology": ["Intravenous thrombolysis for stroke", "Video EEG monitoring"],
    "cardiology": ["Coronary angiography", "Temporary pacing", "Echocardiography"],
    "emergency": ["Trauma assessment and resuscitation", "Closed thoracic drainage"],
}

# Surgical specialties and their share of a recipient's operations.
HOSPITAL_CASEMIX = {
    "LS-PEOPLES": {"general_surgery": 5, "orthopedics": 4, "neurosurgery": 2, "cardiology": 2,
                   "obstetrics_gynecology": 3, "urology": 1, "ophthalmology": 2, "respiratory": 1,
                   "neurology": 1},
    "XG-PEOPLES": {"urology": 4, "general_surgery": 4, "orthopedics": 3,
                   "obstetrics_gynecology": 3, "ophthalmology": 1},
    "NY-PEOPLES": {"general_surgery": 4, "obstetrics_gynecology": 3, "orthopedics": 2, "cardiology": 1},
    "KS-SECOND": {"obstetrics_gynecology": 6, "general_surgery": 3, "urology": 2, "pediatric_surgery": 1},
    "XJ-CHILDREN": {"pediatric_surgery": 8, "cardiothoracic_surgery": 2, "orthopedics": 1,
                    "respiratory": 1, "gastroenterology": 1, "urology": 1, "neurosurgery": 1},
    "PL-COUNTY": {"emergency": 5, "general_surgery": 3, "obstetrics_gynecology": 1},
}

# --------------------------------------------------------------------------
# Techniques: (name, specialty, first in region)
# --------------------------------------------------------------------------

TECHNIQUES = {
    # 41 new techniques, 14 of which filled a gap in Xinjiang (China Daily, 2022).
    "XJ-CHILDREN": (dt.date(2021, 1, 10), dt.date(2022, 6, 10), [
        ("Thoracoscopic repair of oesophageal atresia", "pediatric_surgery", True),
        ("Laparoscopic Kasai portoenterostomy for biliary atresia", "pediatric_surgery", True),
        ("Neonatal extracorporeal membrane oxygenation (ECMO)", "critical_care", True),
        ("Laparoscopic-assisted anorectoplasty for high anorectal malformation", "pediatric_surgery", True),
        ("Thoracoscopic resection of congenital pulmonary airway malformation", "cardiothoracic_surgery", True),
        ("Resection of hepatoblastoma after neoadjuvant chemotherapy", "pediatric_surgery", True),
        ("Haploidentical haematopoietic stem cell transplantation in children", "hematology", True),
        ("Laser photocoagulation for retinopathy of prematurity", "ophthalmology", True),
        ("Interventional flexible bronchoscopy in infants", "respiratory", True),
        ("Continuous renal replacement therapy in neonates", "nephrology", True),
        ("Transcatheter closure of patent ductus arteriosus in infants", "cardiothoracic_surgery", True),
        ("Paediatric capsule endoscopy", "gastroenterology", True),
        ("Laparoscopic pyeloplasty in infants", "urology", True),
        ("Presurgical video-EEG evaluation of childhood epilepsy", "neurology", True),
        ("Laparoscopic pyloromyotomy", "pediatric_surgery", False),
        ("Laparoscopic high ligation of inguinal hernia sac", "pediatric_surgery", False),
        ("Laparoscopic appendectomy in children", "pediatric_surgery", False),
        ("Laparoscopic-assisted Soave pull-through for Hirschsprung disease", "pediatric_surgery", False),
        ("Laparoscopic orchidopexy", "pediatric_surgery", False),
        ("Laparoscopic splenectomy in children", "pediatric_surgery", False),
        ("Nuss procedure for pectus excavatum", "cardiothoracic_surgery", False),
        ("Neonatal high-frequency oscillatory ventilation", "neonatology", False),
        ("Less invasive surfactant administration", "neonatology", False),
        ("Therapeutic hypothermia for neonatal encephalopathy", "neonatology", False),
        ("Peripherally inserted central catheters in neonates", "neonatology", False),
        ("Neonatal transport with a mobile intensive care unit", "neonatology", False),
        ("Amplitude-integrated EEG monitoring of neonates", "neonatology", False),
        ("Ultrasound-guided central venous catheterisation in children", "critical_care", False),
        ("Paediatric gastroscopy and colonoscopy under sedation", "gastroenterology", False),
        ("Endoscopic removal of oesophageal foreign bodies in children", "gastroenterology", False),
        ("Bronchoalveolar lavage in children", "respiratory", False),
        ("Paediatric polysomnography", "respiratory", False),
        ("Standardised paediatric asthma clinic", "pediatrics", False),
        ("Percutaneous renal biopsy in children", "nephrology", False),
        ("Therapeutic plasma exchange in children", "nephrology", False),
        ("Risk-stratified chemotherapy for childhood acute lymphoblastic leukaemia", "hematology", False),
        ("Rehabilitation programme for children with cerebral palsy", "rehabilitation", False),
        ("One-stage hypospadias repair", "pediatric_surgery", False),
        ("Elastic stable intramedullary nailing of paediatric fractures", "orthopedics", False),
        ("Ultrasound-guided nerve blocks in paediatric anaesthesia", "anesthesiology", False),
        ("Paediatric cardiac catheterisation", "cardiothoracic_surgery", False),
    ]),
    # More than 30 technologies first applied in Tibet (Xinhua).
    "LS-PEOPLES": (dt.date(2015, 10, 1), dt.date(2022, 7, 31), [
        ("Pelvic osteotomy for developmental dysplasia of the hip in children", "orthopedics", True),
        ("Primary PCI with stent implantation for acute myocardial infarction", "cardiology", True),
        ("Total hip arthroplasty", "orthopedics", True),
        ("Arthroscopic anterior cruciate ligament reconstruction", "orthopedics", True),
        ("Unicompartmental knee arthroplasty", "orthopedics", True),
        ("Minimally invasive transforaminal lumbar interbody fusion", "orthopedics", True),
        ("Percutaneous kyphoplasty", "orthopedics", True),
        ("Permanent pacemaker implantation", "cardiology", True),
        ("Radiofrequency catheter ablation of supraventricular tachycardia", "cardiology", True),
        ("Intravascular ultrasound-guided coronary intervention", "cardiology", True),
        ("Mechanical thrombectomy for acute ischaemic stroke", "neurology", True),
        ("Stroke centre with a thrombolysis green channel", "neurology", True),
        ("Long-term video EEG monitoring", "neurology", True),
        ("Endoscopic transsphenoidal resection of pituitary adenoma", "neurosurgery", True),
        ("Neuronavigation-guided craniotomy", "neurosurgery", True),
        ("Microvascular decompression for trigeminal neuralgia", "neurosurgery", True),
        ("Stereotactic aspiration of intracerebral haematoma", "neurosurgery", True),
        ("Endovascular coiling of intracranial aneurysm", "neurosurgery", True),
        ("Endobronchial ultrasound-guided transbronchial needle aspiration", "respiratory", True),
        ("Medical thoracoscopy with pleural biopsy", "respiratory", True),
        ("Polysomnography for sleep apnoea at high altitude", "respiratory", True),
        ("Laparoscopic radical gastrectomy", "general_surgery", True),
        ("Laparoscopic hepatectomy for hepatic echinococcosis", "general_surgery", True),
        ("Ex vivo liver resection and autotransplantation for alveolar echinococcosis", "general_surgery", True),
        ("Laparoscopic common bile duct exploration", "general_surgery", True),
        ("Laparoscopic radical colectomy", "general_surgery", True),
        ("Pars plana vitrectomy", "ophthalmology", True),
        ("Neonatal continuous positive airway pressure", "pediatrics", True),
        ("Laparoscopic radical hysterectomy", "obstetrics_gynecology", True),
        ("Prenatal diagnosis by amniocentesis", "obstetrics_gynecology", True),
        ("Painless labour with epidural analgesia", "anesthesiology", True),
        ("Phacoemulsification with intraocular lens implantation", "ophthalmology", False),
        ("Non-invasive ventilation for chronic obstructive pulmonary disease", "respiratory", False),
        ("Endoscopic retrograde cholangiopancreatography", "general_surgery", False),
    ]),
    "XG-PEOPLES": (dt.date(2015, 9, 15), dt.date(2025, 6, 30), [
        ("Flexible ureteroscopic lithotripsy", "urology", True),
        ("Laparoscopic radical nephrectomy", "urology", True),
        ("Laparoscopic radical prostatectomy", "urology", True),
        ("Laparoscopic partial nephrectomy", "urology", True),
        ("Holmium laser enucleation of the prostate", "urology", True),
        ("Laparoscopic transabdominal preperitoneal hernia repair", "general_surgery", True),
        ("Breast cancer surgery with sentinel lymph node biopsy", "general_surgery", True),
        ("Total knee arthroplasty", "orthopedics", False),
        ("Continuous renal replacement therapy", "critical_care", True),
        ("Painless labour with epidural analgesia", "anesthesiology", False),
        ("Percutaneous nephrolithotomy", "urology", False),
        ("Transurethral resection of the prostate", "urology", False),
        ("Urodynamic testing", "urology", False),
        ("Laparoscopic cholecystectomy", "general_surgery", False),
        ("Arthroscopic meniscus repair", "orthopedics", False),
        ("Laparoscopic total hysterectomy", "obstetrics_gynecology", False),
        ("Hysteroscopic resection of submucosal fibroid", "obstetrics_gynecology", False),
        ("Neonatal resuscitation team", "pediatrics", False),
        ("Bedside bronchoscopy in intensive care", "critical_care", False),
        ("Ultrasound-guided nerve blocks", "anesthesiology", True),
    ]),
    "NY-PEOPLES": (dt.date(2015, 10, 1), dt.date(2025, 3, 31), [
        ("Laparoscopic radical colectomy", "general_surgery", False),
        ("Laparoscopic cholecystectomy", "general_surgery", False),
        ("Coronary angiography", "cardiology", False),
        ("Primary PCI with stent implantation for acute myocardial infarction", "cardiology", False),
        ("Laparoscopic myomectomy", "obstetrics_gynecology", False),
        ("Total knee arthroplasty", "orthopedics", False),
        ("Thoracoscopic lobectomy", "cardiothoracic_surgery", True),
        ("Neonatal intensive care unit", "pediatrics", False),
        ("Telemedicine clinic with Guangdong Provincial People's Hospital", "hospital_management", False),
        ("Management of high-altitude pulmonary oedema protocol", "plateau_medicine", False),
    ]),
    "KS-SECOND": (dt.date(2016, 10, 1), dt.date(2025, 9, 30), [
        ("Laparoscopic radical hysterectomy for cervical cancer", "obstetrics_gynecology", True),
        ("Sentinel lymph node mapping in endometrial cancer", "obstetrics_gynecology", True),
        ("Resection of giant ovarian tumour", "obstetrics_gynecology", False),
        ("Prenatal ultrasound screening for fetal anomalies", "ultrasound", False),
        ("Hysteroscopic septum resection", "obstetrics_gynecology", False),
        ("Intrauterine balloon tamponade for postpartum haemorrhage", "obstetrics_gynecology", False),
        ("Cervical cancer screening with HPV testing and colposcopy", "obstetrics_gynecology", False),
        ("Painless labour with epidural analgesia", "anesthesiology", False),
        ("Central fetal heart rate monitoring", "obstetrics_gynecology", False),
        ("Neonatal high-frequency oscillatory ventilation", "neonatology", True),
        ("Screening for retinopathy of prematurity", "neonatology", False),
        ("Peripherally inserted central catheters in neonates", "neonatology", False),
        ("Intrauterine insemination", "obstetrics_gynecology", True),
        ("Laparoscopic myomectomy", "obstetrics_gynecology", False),
        ("Prenatal diagnosis by amniocentesis", "obstetrics_gynecology", True),
        ("Flexible ureteroscopic lithotripsy", "urology", False),
    ]),
    # Learning from Shaanxi doctors (Xinhua): routine surgery in the county.
    "PL-COUNTY": (dt.date(2016, 6, 1), dt.date(2024, 9, 30), [
        ("Open appendectomy", "emergency", False),
        ("Resection of benign breast tumour", "general_surgery", False),
        ("Closed thoracic drainage", "emergency", False),
        ("Debridement and suture of complex wounds", "emergency", False),
        ("Caesarean section", "obstetrics_gynecology", False),
        ("Remote consultation with Shaanxi Provincial People's Hospital", "hospital_management", False),
    ]),
}

# --------------------------------------------------------------------------
# Names (invented; romanised as in English-language news)
# --------------------------------------------------------------------------

HAN_SURNAMES = (
    "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo "
    "Liang Song Zheng Xie Han Tang Feng Yu Dong Xiao Cheng Cao Yuan Deng Fu Shen Zeng Peng "
    "Lu Su Jiang Cai Jia Ding Wei Xue Ye Yan Pan Du Dai Xia Zhong Tian Ren Fan Fang Shi Yao "
    "Tan Liao Zou Xiong Jin Hao Kong Bai Cui Kang Mao Qiu Qin Gu Hou Shao Meng Long Duan Lei "
    "Qian Yin Yi Chang Qiao Lai Gong Wen Niu Xuan"
).split()
HAN_SYLLABLES = (
    "wei fang na min jing li qiang lei jun yang yong yan jie juan tao ming chao xiu xia ping "
    "gang hua hui hong lin bo bin yu hao kai peng rui wen xin yi ying yun zhen zhi qing shu "
    "dan ning xue han qian feng long cheng jian dong guang zhong sheng hai bing chen lu xiao "
    "yue meng jia tian shan ran an le"
).split()
TIBETAN_NAMES = (
    "Tashi Nima Dawa Pasang Pema Tenzin Lhakpa Phurbu Penpa Migmar Dorje Sonam Tsering Norbu "
    "Kelsang Lobsang Dechen Yangchen Drolma Lhamo Yeshe Gyaltsen Chodron Kunga Namgyal Wangmo "
    "Dolkar Rinchen Jampa Tsewang Chime Dekyi Sangye Tsomo Wangdu Dhondup Palden Zangmo"
).split()
UYGHUR_GIVEN = (
    "Aygul Gulnar Mehray Dilnur Patigul Zulpiye Rena Nurbiye Ayshem Mihray Gulzire Buhajer "
    "Abdulla Ahmatjan Mirzat Erkin Dilshat Yalqun Ilham Adil Kurban Memet Alim Rustam Parhat "
    "Ekber Nurmemet Abliz Kerim Ablimit Hasan Nurlan Perhat Shohret"
).split()
UYGHUR_FAMILY = (
    "Tursun Abdukerim Memet Hoshur Yasin Rozi Niyaz Qadir Ismail Abla Tohti Osman Sidiq "
    "Ghopur Ablet Ehmet Kasim Mamut Emet Sawut"
).split()


def han_name(rng: random.Random) -> str:
    given = rng.choice(HAN_SYLLABLES)
    if rng.random() < 0.75:
        given += rng.choice(HAN_SYLLABLES)
    return f"{rng.choice(HAN_SURNAMES)} {given.capitalize()}"


def local_name(rng: random.Random, province: str) -> str:
    if province == "540000":
        if rng.random() < 0.85:
            first, second = rng.sample(TIBETAN_NAMES, 2)
            return f"{first} {second}"
        return han_name(rng)
    if rng.random() < 0.7:
        return f"{rng.choice(UYGHUR_GIVEN)} {rng.choice(UYGHUR_FAMILY)}"
    return han_name(rng)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def rng_for(seed, section: str) -> random.Random:
    """One generator per section, seeded with a string (stable across Python versions)."""
    return random.Random(f"aidtracker:{seed}:{section}")


def random_date(rng: random.Random, start: dt.date, end: dt.date, skew: float = 1.0) -> dt.date:
    """A date in [start, end]; skew < 1 favours later dates (volumes grow over time)."""
    span = (end - start).days
    return start + dt.timedelta(days=int(span * rng.random() ** skew))


def months(start: dt.date, end: dt.date):
    """First days of the months from `start`'s to `end`'s, both included."""
    day = start.replace(day=1)
    while day <= end:
        yield day
        day = add_months(day, 1)


def weighted(rng: random.Random, table: dict):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


PROVINCE_OF_REGION = {}
for _code, _n, _z, _level, _parent in REGIONS:
    PROVINCE_OF_REGION[_code] = _code if _parent is None else PROVINCE_OF_REGION[_parent]
HOSPITAL_REGION = {h[0]: h[3] for h in HOSPITALS}
PROGRAM_BY_RECIPIENT = {}
for _p in PROGRAMS:
    if _p.batches:  # the program with teams speaks for the recipient
        PROGRAM_BY_RECIPIENT.setdefault(_p.recipient, _p)


def province_of_hospital(code: str) -> str:
    return PROVINCE_OF_REGION[HOSPITAL_REGION[code]]


# --------------------------------------------------------------------------
# The reference world: regions to rotations
# --------------------------------------------------------------------------


@dataclass
class World:
    regions: list = field(default_factory=list)
    hospitals: list = field(default_factory=list)
    programs: list = field(default_factory=list)
    twinnings: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    people: list = field(default_factory=list)
    rotations: list = field(default_factory=list)
    # program code -> sorted [(start, end, team code)], for "which team was on site"
    team_periods: dict = field(default_factory=dict)

    def team_on(self, program_code: str, day: dt.date):
        """The code of the program's team whose dates cover `day`, or None (a gap)."""
        periods = self.team_periods.get(program_code, [])
        i = bisect.bisect_right(periods, (day, dt.date.max, "")) - 1
        if i >= 0 and periods[i][0] <= day <= periods[i][1]:
            return periods[i][2]
        return None


TITLES = {"chief": 20, "associate_chief": 34, "attending": 30, "nurse": 11, "technician": 5}


def build_world(seed=0) -> World:
    """Regions, hospitals, programs, twinnings, teams, people and rotations."""
    world = World()
    for code, name, name_zh, level, parent in REGIONS:
        world.regions.append(
            {"code": code, "name": name, "name_zh": name_zh, "level": level, "parent_id": parent}
        )
    for code, name, name_zh, region, grade, kind in HOSPITALS:
        world.hospitals.append(
            {"code": code, "name": name, "name_zh": name_zh, "region_id": region,
             "grade": grade, "kind": kind}
        )
    rng = rng_for(seed, "world")
    person_numbers: dict[str, int] = {}
    for spec in PROGRAMS:
        world.programs.append(
            {"code": spec.code, "name": spec.name, "name_zh": spec.name_zh, "kind": spec.kind,
             "donor_region_id": spec.donor, "recipient_hospital_id": spec.recipient,
             "start_date": spec.start, "end_date": None}
        )
        for specialty, donor, start in spec.twinnings:
            world.twinnings.append(
                {"program_id": spec.code, "specialty_id": specialty, "donor_hospital_id": donor,
                 "start_date": start, "end_date": None}
            )
        _build_teams(world, spec, rng, person_numbers)
    return world


def _build_teams(world: World, spec: ProgramSpec, rng: random.Random, person_numbers: dict):
    """Numbered batches of one program, their people and rotations.

    Batches never overlap, so a person who returns in a later batch (about
    one in eight places) never has overlapping rotations; one leader serves
    three batches in a row."""
    periods = []
    pool = []  # people of this program who may return: (person dict, specialty)
    long_leader = None
    for batch, (start, end) in enumerate(spec.batches, start=1):
        code = f"{spec.code}-B{batch:02d}"
        world.teams.append(
            {"code": code, "program_id": spec.code, "batch": batch,
             "name": spec.team_name.format(ordinal=ORDINALS[batch - 1], batch=batch),
             "start_date": start, "end_date": end}
        )
        periods.append((start, end, code))
        active = [t for t in spec.twinnings if t[2] <= start]
        size = rng.randint(*spec.team_size)
        slots = []
        # the leader
        slots.append(("leader", "hospital_management" if rng.random() < 0.4 else active[0][0],
                      spec.main_donor))
        # paired directors of twinned departments (the regional centre pairs every one)
        for specialty, donor, _ in active:
            if spec.kind == "regional_center" or rng.random() < 0.35:
                slots.append(("paired_director", specialty, donor))
        while len(slots) < size:
            if rng.random() < 0.7 and active:
                specialty, donor, _ = rng.choice(active)
            else:
                specialty, donor = rng.choice(spec.extra_specialties), spec.main_donor
            slots.append(("member", specialty, donor))

        used = set()
        for role, specialty, donor in slots:
            person = None
            if role == "leader" and spec.code == "BJ-LHASA" and batch in (6, 7, 8):
                # one leader for three batches in a row
                if long_leader is None:
                    long_leader = _new_person(world, rng, donor, person_numbers)
                person = long_leader
            elif role != "leader" and pool and rng.random() < 0.13:
                candidate, cand_specialty = rng.choice(pool)
                if candidate["code"] not in used:
                    person, specialty = candidate, cand_specialty
            if person is None:
                person = _new_person(world, rng, donor, person_numbers)
                pool.append((person, specialty))
            if person["code"] in used:
                continue
            used.add(person["code"])
            if role == "leader":
                title = "chief" if rng.random() < 0.7 else "administrator"
            elif role == "paired_director":
                title = "chief" if rng.random() < 0.6 else "associate_chief"
            elif specialty == "nursing":
                title = "nurse"
            else:
                title = weighted(rng, TITLES)
                if title == "nurse" and specialty not in ("critical_care", "neonatology", "nursing"):
                    title = "attending"
            r_start, r_end = start, end
            if role == "member" and rng.random() < 0.3:
                # short-term experts: one to five months inside the batch
                length = rng.randint(30, 150)
                latest = (end - start).days - length
                if latest > 0:
                    r_start = start + dt.timedelta(days=rng.randint(0, latest))
                    r_end = r_start + dt.timedelta(days=length)
            world.rotations.append(
                {"team_id": code, "person_id": person["code"], "specialty_id": specialty,
                 "title": title, "role": role, "start_date": r_start, "end_date": r_end}
            )
    world.team_periods[spec.code] = periods


def _new_person(world: World, rng: random.Random, hospital: str, numbers: dict) -> dict:
    numbers[hospital] = numbers.get(hospital, 0) + 1
    person = {"code": f"{hospital}-{numbers[hospital]:04d}", "name": han_name(rng),
              "home_hospital_id": hospital}
    world.people.append(person)
    return person


# --------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------


def surgery_hospital_weights():
    """Recipients and their weight: surgical volume x months of logs."""
    weights = {}
    for spec in PROGRAMS:
        if spec.surgery_weight and spec.recipient in HOSPITAL_CASEMIX:
            weights[spec.recipient] = spec.surgery_weight * (TODAY - spec.start).days
    return weights


def lead_shares(years: float, grade: int):
    """(visiting, joint, local) shares: local surgeons lead more each year (skills stay)."""
    x = min(years / 9.0, 1.0)
    local = max(0.03, min(0.85, 0.08 + 0.62 * x - 0.07 * (grade - 2)))
    visiting = max(0.03, 0.55 - 0.45 * x + 0.06 * (grade - 2))
    joint = max(0.05, 1.0 - local - visiting)
    return visiting, joint, local


def surgeries(world: World, n: int, seed=0, ref_prefix="SRG", start_index=0):
    """Yield `n` surgeries (dicts) at the recipients, in date order within each batch
    of 10,000, refs `{ref_prefix}-{i:07d}` from `start_index`."""
    rng = rng_for(seed, f"surgeries:{ref_prefix}:{start_index}")
    weights = surgery_hospital_weights()
    chunk = 10_000
    made = 0
    while made < n:
        size = min(chunk, n - made)
        rows = [_one_surgery(world, rng, weights) for _ in range(size)]
        rows.sort(key=lambda r: (r["date"], r["hospital_id"]))
        for row in rows:
            row["ref"] = f"{ref_prefix}-{start_index + made:07d}"
            made += 1
            yield row


def _one_surgery(world, rng, weights):
    hospital = weighted(rng, weights)
    spec = PROGRAM_BY_RECIPIENT[hospital]
    day = random_date(rng, max(spec.start, dt.date(2015, 9, 1)), TODAY, skew=0.8)
    specialty = weighted(rng, HOSPITAL_CASEMIX[hospital])
    name, grade, approach, loss = rng.choice(PROCEDURES[specialty])
    years = (day - spec.start).days / 365.25
    visiting, joint, local = lead_shares(years, grade)
    lead = rng.choices(("visiting", "joint", "local"), weights=(visiting, joint, local))[0]
    team = world.team_on(spec.code, day)
    if team is None:
        lead = "local"  # no expert on site in a coverage gap
    demonstration = lead != "local" and grade >= 3 and rng.random() < 0.12
    first_in_region = lead == "visiting" and grade == 4 and rng.random() < 0.004
    p_death = 0.0004 * grade * grade
    p_complication = 0.01 + 0.01 * grade
    u = rng.random()
    outcome = "death" if u < p_death else "complication" if u < p_death + p_complication else "success"
    blood = None
    if loss is not None and rng.random() < 0.8:
        blood = rng.randint(*loss)
    return {
        "date": day, "hospital_id": hospital, "specialty_id": specialty, "procedure": name,
        "grade": grade, "approach": approach, "lead": lead,
        "team_id": team if lead != "local" else None,
        "demonstration": demonstration, "first_in_region": first_in_region,
        "outcome": outcome, "blood_loss_ml": blood,
    }


def techniques(world: World, seed=0):
    """Techniques introduced at the recipients, and the first operation of each
    surgical technique that was first in its region (a demonstration)."""
    rng = rng_for(seed, "techniques")
    rows, first_operations = [], []
    number = 0
    for hospital, (start, end, items) in TECHNIQUES.items():
        spec = PROGRAM_BY_RECIPIENT[hospital]
        dates = sorted(random_date(rng, start, end, skew=1.3) for _ in items)
        for (name, specialty, first), day in zip(items, dates):
            number += 1
            rows.append(
                {"ref": f"TQ-{number:04d}", "hospital_id": hospital, "specialty_id": specialty,
                 "name": name, "introduced_on": day, "program_id": spec.code,
                 "first_in_region": first}
            )
            procedure = _procedure_named(name)
            team = world.team_on(spec.code, day)
            if first and procedure and team:
                _, grade, approach, loss = procedure
                first_operations.append(
                    {"date": day, "hospital_id": hospital, "specialty_id": _surgical(specialty, name),
                     "procedure": name, "grade": grade, "approach": approach, "lead": "visiting",
                     "team_id": team, "demonstration": True, "first_in_region": True,
                     "outcome": "success", "blood_loss_ml": rng.randint(*loss) if loss else None}
                )
    return rows, first_operations


def _procedure_named(name):
    for items in PROCEDURES.values():
        for item in items:
            if item[0] == name:
                return item
    return None


def _surgical(specialty, name):
    for code, items in PROCEDURES.items():
        if any(item[0] == name for item in items) and code == specialty:
            return code
    for code, items in PROCEDURES.items():
        if any(item[0] == name for item in items):
            return code
    return specialty


def trainees_and_trainings(world: World, n: int, seed=0, ref_prefix="TRN", start_index=0,
                           trainee_prefix="T"):
    """Yield ("trainee", dict) and ("training", dict) items: `n` trainings of
    local trainees, one to three each, trainees before their trainings.
    Trainee codes are `{hospital}-{trainee_prefix}{number}`."""
    rng = rng_for(seed, f"trainings:{ref_prefix}:{start_index}")
    recipients = {s.recipient: s for s in PROGRAMS if s.batches}
    weights = {h: (TODAY - s.start).days * (0.15 if h == "PL-COUNTY" else 1.0)
               for h, s in recipients.items()}
    twinned = {}
    for t in world.twinnings:
        twinned.setdefault(t["program_id"], []).append(
            (t["specialty_id"], t["donor_hospital_id"], t["start_date"]))
    numbers: dict[str, int] = {}
    made = 0
    while made < n:
        hospital = weighted(rng, weights)
        spec = recipients[hospital]
        numbers[hospital] = numbers.get(hospital, 0) + 1
        role = weighted(rng, {"doctor": 64, "nurse": 26, "technician": 7, "manager": 3})
        code = f"{hospital}-{trainee_prefix}{numbers[hospital]:05d}"
        yield "trainee", {"code": code, "name": local_name(rng, province_of_hospital(hospital)),
                          "hospital_id": hospital, "role": role}
        day = random_date(rng, spec.start + dt.timedelta(days=30), TODAY - dt.timedelta(days=20), 0.85)
        # departments twinned by then (every program twins one from its start)
        pairs = [(s, d) for s, d, since in twinned.get(spec.code, ()) if since <= day]
        pairs = pairs or [(spec.extra_specialties[0], spec.main_donor)]
        if role == "nurse":
            specialty, donor = "nursing", spec.main_donor
        elif role == "manager":
            specialty, donor = "hospital_management", spec.main_donor
        else:
            specialty, donor = rng.choice(pairs)
        count = min(n - made, rng.choice((1, 1, 2, 2, 3)))
        kinds = ["onsite_course", "mentorship", "further_study"]
        for i in range(count):
            kind = kinds[i] if i < 3 and rng.random() < 0.75 else rng.choice(kinds)
            if day > TODAY:
                day = TODAY - dt.timedelta(days=rng.randint(0, 60))
            row = _one_training(rng, kind, specialty, donor, spec, day)
            made += 1
            row["ref"] = f"{ref_prefix}-{start_index + made:07d}"
            row["trainee_id"] = code
            yield "training", row
            day = (row["end_date"] or TODAY) + dt.timedelta(days=rng.randint(20, 200))


def _one_training(rng, kind, specialty, donor, spec, start):
    if kind == "onsite_course":
        end = start + dt.timedelta(days=rng.randint(0, 4))
        hours = Decimal(rng.randint(6, 40))
    elif kind == "mentorship":
        end = start + dt.timedelta(days=rng.randint(90, 365))
        hours = Decimal(rng.randint(60, 600)) if rng.random() < 0.6 else None
    else:
        end = start + dt.timedelta(days=rng.choice((91, 122, 183, 183, 274, 365)))
        hours = None
    status, independent = "completed", None
    if end > TODAY:
        status = "ongoing"
        if kind == "mentorship" and rng.random() < 0.5:
            end = None  # open-ended mentorship
    elif rng.random() < 0.04:
        status = "withdrawn"
    if status == "completed" and kind != "onsite_course" and rng.random() < 0.68:
        candidate = end + dt.timedelta(days=rng.randint(0, 90))
        independent = candidate if candidate <= TODAY else None
    skill_list = [p[0] for p in PROCEDURES.get(specialty, [])] + SKILLS.get(specialty, [])
    return {
        "specialty_id": specialty, "kind": kind,
        "host_hospital_id": donor if kind == "further_study" else None,
        "program_id": spec.code if rng.random() < 0.92 else None,
        "start_date": start, "end_date": end, "hours": hours, "status": status,
        "independent_on": independent,
        "skill": rng.choice(skill_list) if skill_list else "",
    }


# Neonatal transfers into Xinjiang Children's Hospital: origin, road km from Urumqi.
NEONATAL_ORIGINS = [
    ("KS-FIRST", None, 1480, 22),
    ("SC-COUNTY", None, 1640, 16),
    ("YC-MCH", None, 1700, 10),
    (None, "653130", 1290, 6),     # Bachu County
    (None, "653126", 1720, 6),     # Yecheng County, remote villages
    ("AKS-FIRST", None, 1010, 16),
    (None, "652926", 780, 4),      # Baicheng County
    ("HT-PEOPLES", None, 1510, 12),
    ("MY-COUNTY", None, 1530, 6),
    (None, "653226", 1380, 4),     # Yutian County
]
TIBET_TRANSFERS = {
    "LS-PEOPLES": [(None, "540121", 70), (None, "540500", 190), (None, "540600", 330)],
    "XG-PEOPLES": [(None, "540232", 540), (None, "540236", 480)],
    "NG-PEOPLES": [("PL-COUNTY", None, 110)],
}
REFERRAL_OUT = {
    "LS-PEOPLES": [("BJ-FRIENDSHIP", None, 3700), (None, "510000", 1250), ("BJ-ANZHEN", None, 3700)],
    "XG-PEOPLES": [("SH-RENJI", None, 4300), (None, "510000", 1500), ("SH-ZHONGSHAN", None, 4300)],
    "NY-PEOPLES": [("GD-PROVINCIAL", None, 3500), (None, "510000", 1100)],
    "PL-COUNTY": [(None, "610100", 3900), ("SN-PROVINCIAL", None, 3900), (None, "510000", 2400)],
    "KS-SECOND": [("SH-FIRST-MATERNITY", None, 5000), (None, "650000", 1480)],
    "XJ-CHILDREN": [("BJ-CHILDRENS", None, 3100), ("SH-SCMC", None, 4100)],
}
INTERNATIONAL = [
    # A two-year-old Polish boy, hepatoblastoma, Shanghai Children's Medical Center (2024).
    (dt.date(2024, 2, 5), "PL", "SH-SCMC", "child", "recovered"),
    (dt.date(2019, 7, 12), "NP", "PL-COUNTY", "adult", "recovered"),
    (dt.date(2021, 9, 3), "NP", "PL-COUNTY", "adult", "improved"),
    (dt.date(2023, 6, 20), "NP", "PL-COUNTY", "child", "recovered"),
    (dt.date(2024, 8, 14), "NP", "XG-PEOPLES", "adult", "recovered"),
    (dt.date(2018, 10, 9), "PK", "KS-SECOND", "adult", "recovered"),
    (dt.date(2023, 4, 27), "PK", "KS-SECOND", "adult", "improved"),
    (dt.date(2025, 5, 16), "PK", "KS-SECOND", "adult", "recovered"),
    (dt.date(2022, 11, 2), "KZ", "XJ-CHILDREN", "child", "recovered"),
    (dt.date(2024, 3, 18), "KZ", "XJ-CHILDREN", "child", "improved"),
    (dt.date(2025, 10, 7), "KG", "XJ-CHILDREN", "child", "recovered"),
    (dt.date(2025, 1, 22), "TJ", "XJ-CHILDREN", "neonate", "recovered"),
]


def referrals(world: World, seed=0):
    """Neonatal transfers (about 700 a year into Xinjiang Children's Hospital),
    transfers within Tibet, referrals out (falling as care stays local) and
    international patients."""
    rng = rng_for(seed, "referrals")
    rows = []
    # ~700 neonatal transfers a year from southern Xinjiang since the centre opened
    start = dt.date(2020, 12, 15)
    for month in months(start, TODAY):
        count = rng.randint(50, 66)
        last = min(add_months(month, 1) - dt.timedelta(days=1), TODAY)
        first = max(month, start)
        for _ in range(count):
            hospital, region, km, _ = rng.choices(NEONATAL_ORIGINS, weights=[o[3] for o in NEONATAL_ORIGINS])[0]
            distance = km + rng.randint(-40, 40) if region else km
            hours = round(2 * distance / 85 + rng.uniform(0, 3), 1)  # there and back, as reported
            rows.append(_referral(
                random_date(rng, first, last), "transfer_in", hospital, region, "",
                "XJ-CHILDREN", None, "neonate" if rng.random() < 0.93 else "child",
                distance, hours, _outcome(rng, 0.05)))
    for destination, origins in TIBET_TRANSFERS.items():
        for _ in range(rng.randint(60, 90)):
            hospital, region, km = rng.choice(origins)
            rows.append(_referral(
                random_date(rng, dt.date(2016, 1, 1), TODAY, 0.9), "transfer_in", hospital, region,
                "", destination, None, weighted(rng, {"adult": 6, "child": 2, "neonate": 2}),
                km, round(km / 55 + rng.uniform(0.5, 2), 1), _outcome(rng, 0.04)))
    for origin, destinations in REFERRAL_OUT.items():
        spec = PROGRAM_BY_RECIPIENT[origin]
        for _ in range(rng.randint(25, 60)):
            # referrals out fall over time: dates skewed towards the early years
            day = random_date(rng, spec.start - dt.timedelta(days=180), TODAY, skew=1.8)
            hospital, region, km = rng.choice(destinations)
            rows.append(_referral(
                day, "referral_out", origin, None, "", hospital, region,
                "child" if origin == "XJ-CHILDREN" else weighted(rng, {"adult": 8, "child": 2}),
                km, None, _outcome(rng, 0.03, unknown=0.2)))
    for day, country, hospital, age, outcome in INTERNATIONAL:
        rows.append(_referral(day, "international", None, None, country, hospital, None, age,
                              None, None, outcome))
    rows.sort(key=lambda r: (r["date"], r["kind"], r["destination_hospital_id"] or ""))
    for number, row in enumerate(rows, start=1):
        row["ref"] = f"REF-{number:06d}"
    return rows


def _referral(day, kind, origin_hospital, origin_region, country, dest_hospital, dest_region,
              age, distance, hours, outcome):
    return {
        "date": day, "kind": kind, "origin_hospital_id": origin_hospital,
        "origin_region_id": origin_region, "origin_country": country,
        "destination_hospital_id": dest_hospital, "destination_region_id": dest_region,
        "age_group": age,
        "distance_km": Decimal(distance).quantize(Decimal("0.1")) if distance is not None else None,
        "duration_hours": Decimal(str(hours)) if hours is not None else None,
        "outcome": outcome,
    }


def _outcome(rng, died, unknown=0.05):
    u = rng.random()
    if u < died:
        return "died"
    if u < died + unknown:
        return "unknown"
    return "recovered" if rng.random() < 0.72 else "improved"


def consultations(world: World, seed=0):
    """Consultations of the recipients by donor experts: on site from the start,
    remote (tele-consultation) more and more from 2018."""
    rng = rng_for(seed, "consultations")
    rows = []
    by_program = {}
    for t in world.twinnings:
        by_program.setdefault(t["program_id"], []).append(t)
    for spec in PROGRAMS:
        for month in months(spec.start, TODAY):
            onsite = 1 if rng.random() < 0.4 else 0
            remote = 0 if month.year < 2018 else rng.randint(0, 1 + (month.year - 2018) // 3)
            if spec.kind == "remote_support":
                remote, onsite = rng.randint(0, 1), 0
            last = min(add_months(month, 1) - dt.timedelta(days=1), TODAY)
            for mode, count in (("remote", remote), ("onsite", onsite)):
                for _ in range(count):
                    day = random_date(rng, max(month, spec.start), last)
                    active = [t for t in by_program[spec.code] if t["start_date"] <= day]
                    if not active:
                        continue
                    if mode == "onsite" and spec.batches and world.team_on(spec.code, day) is None:
                        continue  # nobody on site to consult
                    t = rng.choice(active)
                    rows.append({"date": day, "requesting_hospital_id": spec.recipient,
                                 "consulting_hospital_id": t["donor_hospital_id"],
                                 "specialty_id": t["specialty_id"], "mode": mode})
    rows.sort(key=lambda r: (r["date"], r["requesting_hospital_id"], r["specialty_id"]))
    for number, row in enumerate(rows, start=1):
        row["ref"] = f"CON-{number:06d}"
    return rows


# Monthly baselines before aid began: outpatient, inpatient, surgeries, outbound
# referrals, conditions treatable, neonatal deaths, live births (None = not kept).
INDICATOR_BASE = {
    "LS-PEOPLES": (24000, 1700, 520, 130, 170, 4.0, 330),
    "XG-PEOPLES": (17000, 1300, 380, 100, 140, 3.5, 290),
    "NY-PEOPLES": (11000, 850, 260, 70, 110, 2.0, 190),
    "KS-SECOND": (38000, 2900, 850, 90, 200, 7.0, 620),
    "XJ-CHILDREN": (58000, 3300, 880, 45, 260, 11.0, None),
    "PL-COUNTY": (1400, 55, 10, 12, 35, 0.4, 9),
}
INDICATORS = ("outpatient_visits", "inpatient_admissions", "surgeries_total",
              "outbound_referrals", "conditions_treatable", "neonatal_deaths", "live_births")
# yearly change once aid runs
INDICATOR_TREND = (0.06, 0.05, 0.08, -0.10, 0.10, -0.08, 0.01)
SEASON = {1: 0.97, 2: 0.84, 3: 1.0, 4: 1.01, 5: 1.02, 6: 1.01, 7: 1.06, 8: 1.06, 9: 1.0,
          10: 0.95, 11: 1.02, 12: 1.03}


def indicators(world: World, seed=0):
    """Monthly figures per recipient from a year before its first program to last month.

    Xinjiang Children's Hospital steps up when the regional centre opens
    (December 2020): surgeries about +44 %, outpatient visits about +40 %."""
    rng = rng_for(seed, "indicators")
    rows = []
    last_month = add_months(TODAY.replace(day=1), -1)
    for hospital, base in INDICATOR_BASE.items():
        spec = PROGRAM_BY_RECIPIENT[hospital]
        first = add_months(spec.start.replace(day=1), -12)
        for month in months(first, last_month):
            years = max(0.0, (month - spec.start).days / 365.25)
            for indicator, value, trend in zip(INDICATORS, base, INDICATOR_TREND):
                if value is None:
                    continue
                level = value * (1 + 0.015 * (month.year - first.year)) * (1 + trend) ** years
                if hospital == "XJ-CHILDREN" and month >= spec.start:
                    ramp = min(1.0, ((month.year - 2020) * 12 + month.month - 11) / 3)
                    # tuned so that the year after the opening is ~+44 % / +40 %
                    # on the year before (which had the pandemic's first months)
                    step = {"surgeries_total": 0.355, "outpatient_visits": 0.31,
                            "inpatient_admissions": 0.25, "conditions_treatable": 0.35}.get(indicator, 0)
                    level *= 1 + step * ramp
                    level /= (1 + trend) ** years  # the step, not a yearly trend
                    level *= 1.02 ** years
                if indicator == "conditions_treatable":
                    # a count that grows in steps, not with the seasons
                    rows.append(_indicator(hospital, month, indicator, int(level)))
                    continue
                level *= SEASON[month.month] if indicator != "neonatal_deaths" else 1.0
                if month.year == 2020 and month.month in (2, 3):
                    level *= 0.72  # the first months of the pandemic
                noise = rng.gauss(1.0, 0.04 if level > 50 else 0.25)
                rows.append(_indicator(hospital, month, indicator, max(0, round(level * noise))))
    return rows


def _indicator(hospital, month, indicator, value):
    return {"hospital_id": hospital, "period": month, "indicator": indicator,
            "value": Decimal(value)}


# --------------------------------------------------------------------------
# The demo
# --------------------------------------------------------------------------

DEMO_SURGERIES = 5000
DEMO_TRAININGS = 650


def demo_rows(seed=0):
    """Every row of the demo, as (model label, dict) in dependency order."""
    world = build_world(seed)
    yield from (("hospitals.region", r) for r in world.regions)
    yield from (("hospitals.hospital", r) for r in world.hospitals)
    yield from (("deployments.program", r) for r in world.programs)
    yield from (("deployments.twinning", r) for r in world.twinnings)
    yield from (("deployments.team", r) for r in world.teams)
    yield from (("deployments.person", r) for r in world.people)
    yield from (("deployments.rotation", r) for r in world.rotations)
    trainees, trainings = [], []
    for kind, row in trainees_and_trainings(world, DEMO_TRAININGS, seed):
        (trainees if kind == "trainee" else trainings).append(row)
    yield from (("outcomes.trainee", r) for r in trainees)
    trainings.sort(key=lambda r: (r["start_date"], r["trainee_id"], r["kind"]))
    for number, row in enumerate(trainings, start=1):
        row["ref"] = f"TRN-{number:06d}"
        yield "outcomes.training", row
    technique_rows, first_operations = techniques(world, seed)
    yield from (("outcomes.technique", r) for r in technique_rows)
    operations = list(surgeries(world, DEMO_SURGERIES - len(first_operations), seed)) + first_operations
    operations.sort(key=lambda r: (r["date"], r["hospital_id"], r["procedure"]))
    for number, row in enumerate(operations, start=1):
        row["ref"] = f"SRG-{number:07d}"
        yield "outcomes.surgery", row
    yield from (("outcomes.referral", r) for r in referrals(world, seed))
    yield from (("outcomes.consultation", r) for r in consultations(world, seed))
    yield from (("outcomes.indicatorvalue", r) for r in indicators(world, seed))


# --------------------------------------------------------------------------
# Benchmarks: more rotations at any scale
# --------------------------------------------------------------------------


def extra_rotations(world: World, k: int, seed=0, tag="G", next_batch=None):
    """Yield ("person" | "team" | "rotation", dict) items: `k` rotations in new
    short-term expert groups (30 to 180 days) of the programs that send teams.

    Items come in insertable order (a team and its people before its
    rotations). Teams of a program are made in date order and a person is
    reused only once their last rotation has ended, so no two rotations of
    one person overlap. `next_batch` maps a program code to its first free
    batch number (default: after the reference world's batches)."""
    import heapq

    rng = rng_for(seed, f"rotations:{tag}")
    specs = [s for s in PROGRAMS if s.batches]
    if next_batch is None:
        next_batch = {s.code: len(s.batches) + 1 for s in specs}
    twinned = {}
    for t in world.twinnings:
        twinned.setdefault(t["program_id"], []).append((t["specialty_id"], t["donor_hospital_id"]))
    # share of the k rotations per program: by its usual team size
    weights = [sum(s.team_size) for s in specs]
    total = sum(weights)
    quotas = [k * w // total for w in weights]
    quotas[0] += k - sum(quotas)
    person_number = 0
    for spec, quota in zip(specs, quotas):
        if not quota:
            continue
        sizes = []
        while sum(sizes) < quota:
            sizes.append(min(rng.randint(*spec.team_size), quota - sum(sizes)))
        starts = sorted(random_date(rng, spec.start, TODAY) for _ in sizes)
        free = []  # heap of (first free day, person code, specialty, home hospital)
        batch = next_batch[spec.code]
        for size, start in zip(sizes, starts):
            if batch > 32767:
                raise ValueError(
                    f"Program {spec.code} would need batch number {batch}; batches stop at 32767. "
                    "Ask for fewer rotations."
                )
            end = start + dt.timedelta(days=rng.randint(30, 180))
            code = f"{spec.code}-{tag}-{batch:05d}"
            yield "team", {"code": code, "program_id": spec.code, "batch": batch,
                           "name": f"Short-term expert group {batch} ({spec.code})",
                           "start_date": start, "end_date": end}
            batch += 1
            for slot in range(size):
                if free and free[0][0] <= start and rng.random() < 0.6:
                    _, person, specialty, home = heapq.heappop(free)
                else:
                    if rng.random() < 0.7 and twinned.get(spec.code):
                        specialty, home = rng.choice(twinned[spec.code])
                    else:
                        specialty, home = rng.choice(spec.extra_specialties), spec.main_donor
                    person_number += 1
                    person = f"{home}-{tag}-{person_number:06d}"
                    yield "person", {"code": person, "name": han_name(rng), "home_hospital_id": home}
                r_start, r_end = start, end
                if rng.random() < 0.3:
                    r_start = start + dt.timedelta(days=rng.randint(0, (end - start).days // 2))
                role = "leader" if slot == 0 else "member"
                title = "chief" if role == "leader" else weighted(rng, TITLES)
                if specialty == "nursing":
                    title = "nurse"
                yield "rotation", {"team_id": code, "person_id": person, "specialty_id": specialty,
                                   "title": title, "role": role,
                                   "start_date": r_start, "end_date": r_end}
                heapq.heappush(free, (r_end + dt.timedelta(days=1), person, specialty, home))
