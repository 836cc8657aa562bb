"""factory_boy factories for every model, and `make_world()`, a small fixed
world of real regions and hospitals that many tests share."""

import datetime as dt
from types import SimpleNamespace

import factory

from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region, Specialty
from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Trainee,
    Training,
)


def specialty(code="general_surgery"):
    return Specialty.objects.get(code=code)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{11 + n % 80:02d}0000")
    name = factory.Sequence(lambda n: f"Province {n}")
    level = Region.Level.PROVINCE


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"H-{n}")
    name = factory.Sequence(lambda n: f"Hospital {n}")
    region = factory.SubFactory(RegionFactory)
    grade = Hospital.Grade.A3
    kind = Hospital.Kind.GENERAL


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    code = factory.Sequence(lambda n: f"P-{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    kind = Program.Kind.GROUP_AID
    donor_region = factory.SubFactory(RegionFactory)
    recipient_hospital = factory.SubFactory(HospitalFactory)
    start_date = dt.date(2020, 1, 1)
    end_date = None


class TwinningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Twinning

    program = factory.SubFactory(ProgramFactory)
    specialty = factory.LazyFunction(specialty)
    donor_hospital = factory.SubFactory(HospitalFactory)
    start_date = dt.date(2020, 1, 1)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"T-{n}")
    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    batch = factory.Sequence(lambda n: n + 1)
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2024, 12, 31)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    code = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"Expert {n}")
    home_hospital = factory.SubFactory(HospitalFactory)


class RotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rotation

    team = factory.SubFactory(TeamFactory)
    person = factory.SubFactory(PersonFactory)
    specialty = factory.LazyFunction(specialty)
    title = "attending"
    role = Rotation.Role.MEMBER
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2024, 6, 30)


class SurgeryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Surgery

    ref = factory.Sequence(lambda n: f"S{n:07d}")
    date = dt.date(2024, 3, 1)
    hospital = factory.SubFactory(HospitalFactory)
    specialty = factory.LazyFunction(specialty)
    procedure = "Laparoscopic cholecystectomy"
    grade = 3
    approach = Surgery.Approach.LAPAROSCOPIC
    lead = Surgery.Lead.JOINT
    outcome = Surgery.Outcome.SUCCESS


class TraineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainee

    code = factory.Sequence(lambda n: f"L{n:05d}")
    name = factory.Sequence(lambda n: f"Trainee {n}")
    hospital = factory.SubFactory(HospitalFactory)
    role = Trainee.Role.DOCTOR


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    ref = factory.Sequence(lambda n: f"TR{n:06d}")
    trainee = factory.SubFactory(TraineeFactory)
    specialty = factory.LazyFunction(specialty)
    kind = Training.Kind.MENTORSHIP
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2024, 6, 30)
    status = Training.Status.COMPLETED


class TechniqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technique

    ref = factory.Sequence(lambda n: f"TQ{n:05d}")
    hospital = factory.SubFactory(HospitalFactory)
    specialty = factory.LazyFunction(specialty)
    name = "Percutaneous nephrolithotomy"
    introduced_on = dt.date(2024, 5, 1)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    ref = factory.Sequence(lambda n: f"RF{n:06d}")
    date = dt.date(2024, 5, 1)
    kind = Referral.Kind.TRANSFER_IN
    origin_region = factory.SubFactory(RegionFactory)
    destination_hospital = factory.SubFactory(HospitalFactory)
    age_group = Referral.AgeGroup.NEONATE


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    ref = factory.Sequence(lambda n: f"C{n:06d}")
    date = dt.date(2024, 5, 1)
    requesting_hospital = factory.SubFactory(HospitalFactory)
    consulting_hospital = factory.SubFactory(HospitalFactory)
    specialty = factory.LazyFunction(specialty)
    mode = Consultation.Mode.REMOTE


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    hospital = factory.SubFactory(HospitalFactory)
    period = dt.date(2024, 1, 1)
    indicator = IndicatorValue.Indicator.OUTPATIENT_VISITS
    value = 1000


def make_world():
    """Tibet (Lhasa, Xigaze, Ngari/Burang) and Xinjiang (Urumqi, Kashgar),
    Beijing and Shanghai as donors, and two programs. Returns a namespace."""
    R = Region.objects
    w = SimpleNamespace()
    w.beijing = R.create(code="110000", name="Beijing", name_zh="北京市", level="province")
    w.shanghai = R.create(code="310000", name="Shanghai", name_zh="上海市", level="province")
    w.tibet = R.create(code="540000", name="Tibet Autonomous Region", name_zh="西藏自治区", level="province")
    w.lhasa = R.create(code="540100", name="Lhasa", name_zh="拉萨市", level="prefecture", parent=w.tibet)
    w.xigaze = R.create(code="540200", name="Xigaze", name_zh="日喀则市", level="prefecture", parent=w.tibet)
    w.ngari = R.create(code="542500", name="Ngari Prefecture", name_zh="阿里地区", level="prefecture", parent=w.tibet)
    w.burang = R.create(code="542521", name="Burang County", name_zh="普兰县", level="county", parent=w.ngari)
    w.xinjiang = R.create(code="650000", name="Xinjiang Uygur Autonomous Region", name_zh="新疆维吾尔自治区", level="province")
    w.urumqi = R.create(code="650100", name="Urumqi", name_zh="乌鲁木齐市", level="prefecture", parent=w.xinjiang)

    H = Hospital.objects
    w.bj_friendship = H.create(code="BJ-FRIENDSHIP", name="Beijing Friendship Hospital", name_zh="北京友谊医院", region=w.beijing, grade="3A", kind="general")
    w.renji = H.create(code="SH-RENJI", name="Renji Hospital", name_zh="仁济医院", region=w.shanghai, grade="3A", kind="general")
    w.lhasa_peoples = H.create(code="LS-PEOPLES", name="Lhasa People's Hospital", name_zh="拉萨市人民医院", region=w.lhasa, grade="3A", kind="general")
    w.xigaze_peoples = H.create(code="XG-PEOPLES", name="Xigaze People's Hospital", name_zh="日喀则市人民医院", region=w.xigaze, grade="3A", kind="general")
    w.pulan = H.create(code="PL-COUNTY", name="Pulan County People's Hospital", name_zh="普兰县人民医院", region=w.burang, grade="2B", kind="general")
    w.xj_children = H.create(code="XJ-CHILDREN", name="Xinjiang Children's Hospital", name_zh="新疆维吾尔自治区儿童医院", region=w.urumqi, grade="3A", kind="children")

    P = Program.objects
    w.bj_lhasa = P.create(code="BJ-LHASA", name="Beijing aid to Lhasa People's Hospital", kind="group_aid", donor_region=w.beijing, recipient_hospital=w.lhasa_peoples, start_date=dt.date(2015, 8, 1))
    w.sh_xigaze = P.create(code="SH-XIGAZE", name="Shanghai aid to Xigaze People's Hospital", kind="department_twinning", donor_region=w.shanghai, recipient_hospital=w.xigaze_peoples, start_date=dt.date(2016, 7, 1))
    return w
