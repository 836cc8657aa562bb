"""The files and columns of interchange format v1 (spec sections 2 and 3).

One `FileSpec` per file, in dependency order: its columns (name, required,
how a value is read), its key, and the model and database columns a row is
written to. Code lists come from the models' choices, so there is one list.
"""

from dataclasses import dataclass, field

from deployments.models import Person, Program, Rotation, Team, Title, Twinning
from hospitals.models import Hospital, Region
from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Trainee,
    Training,
)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    # "text" (with max_length), "key", "region_code", "hospital_code",
    # "choice" (with choices), "date", "period", "bool", "int", "decimal",
    # or a reference: "ref:region", "ref:hospital", "ref:program",
    # "ref:team", "ref:specialty".
    kind: str = "text"
    max_length: int = 0
    choices: tuple = ()
    minimum: int = 0
    maximum: int = 2_147_483_647
    digits: tuple = (0, 0)  # max_digits, decimal places
    default: object = None  # the stored value when the cell is empty
    db: str | None = None  # database column in the main model, if any


def text(name, max_length, required=False, db=None, default=""):
    return Column(name, required, "text", max_length=max_length, db=db or name, default=default)


def choice(name, choices, required=True, db=None, default=""):
    values = tuple(value for value, _label in choices)
    return Column(name, required, "choice", choices=values, db=db or name, default=default)


def ref(name, target, required=True, db=None):
    return Column(name, required, f"ref:{target}", db=db)


def date_col(name, required=True, db=None):
    return Column(name, required, "date", db=db or name)


def bool_col(name):
    return Column(name, False, "bool", default="0", db=name)


@dataclass
class FileSpec:
    name: str
    model: type
    columns: list
    key: tuple  # column names
    conflict: tuple  # database columns of the key
    extra_db: tuple = ()  # database columns filled by the file's own code
    date_pairs: tuple = (("start_date", "end_date"),)
    column_names: tuple = field(init=False)

    def __post_init__(self):
        self.column_names = tuple(c.name for c in self.columns)

    @property
    def db_columns(self):
        return tuple(c.db for c in self.columns if c.db) + self.extra_db

    @property
    def label(self):
        return self.name


FILES = [
    FileSpec(
        "regions.csv",
        Region,
        [
            Column("code", True, "region_code", db="code"),
            text("name", 100, True),
            text("name_zh", 100),
            choice("level", Region.Level.choices),
            Column("parent_code", False, "parent", db="parent_id"),
        ],
        key=("code",),
        conflict=("code",),
        date_pairs=(),
    ),
    FileSpec(
        "hospitals.csv",
        Hospital,
        [
            Column("code", True, "hospital_code", db="code"),
            text("name", 200, True),
            text("name_zh", 200),
            ref("region_code", "region", db="region_id"),
            choice("grade", Hospital.Grade.choices, required=False),
            choice("kind", Hospital.Kind.choices),
        ],
        key=("code",),
        conflict=("code",),
        date_pairs=(),
    ),
    FileSpec(
        "programs.csv",
        Program,
        [
            Column("code", True, "key", db="code"),
            text("name", 200, True),
            text("name_zh", 200),
            choice("kind", Program.Kind.choices),
            ref("donor_region_code", "region", db="donor_region_id"),
            ref("recipient_hospital_code", "hospital", db="recipient_hospital_id"),
            date_col("start_date"),
            date_col("end_date", required=False),
        ],
        key=("code",),
        conflict=("code",),
    ),
    FileSpec(
        "twinnings.csv",
        Twinning,
        [
            ref("program_code", "program", db="program_id"),
            ref("specialty", "specialty", db="specialty_id"),
            ref("donor_hospital_code", "hospital", db="donor_hospital_id"),
            date_col("start_date"),
            date_col("end_date", required=False),
        ],
        key=("program_code", "specialty", "donor_hospital_code"),
        conflict=("program_id", "specialty_id", "donor_hospital_id"),
    ),
    FileSpec(
        "teams.csv",
        Team,
        [
            Column("code", True, "key", db="code"),
            ref("program_code", "program", db="program_id"),
            text("name", 200, True),
            Column("batch", True, "int", minimum=1, maximum=32767, db="batch"),
            date_col("start_date"),
            date_col("end_date"),
        ],
        key=("code",),
        conflict=("code",),
    ),
    FileSpec(
        "rotations.csv",
        Rotation,
        [
            ref("team_code", "team", db="team_id"),
            text("person_id", 64, True, db="person_id"),
            Column("person_name", True, "text", max_length=100),
            ref("home_hospital_code", "hospital"),
            ref("specialty", "specialty", db="specialty_id"),
            choice("title", Title.choices),
            choice("role", Rotation.Role.choices),
            date_col("start_date"),
            date_col("end_date"),
        ],
        key=("team_code", "person_id"),
        conflict=("team_id", "person_id"),
    ),
    FileSpec(
        "surgeries.csv",
        Surgery,
        [
            Column("ref", True, "key", db="ref"),
            date_col("date"),
            ref("hospital_code", "hospital", db="hospital_id"),
            ref("specialty", "specialty", db="specialty_id"),
            text("procedure", 200, True),
            Column("grade", True, "grade", db="grade"),
            choice("approach", Surgery.Approach.choices),
            choice("lead", Surgery.Lead.choices),
            ref("team_code", "team", required=False, db="team_id"),
            bool_col("demonstration"),
            bool_col("first_in_region"),
            choice("outcome", Surgery.Outcome.choices),
            Column("blood_loss_ml", False, "int", db="blood_loss_ml"),
        ],
        key=("ref",),
        conflict=("ref",),
        date_pairs=(),
    ),
    FileSpec(
        "trainings.csv",
        Training,
        [
            Column("ref", True, "key", db="ref"),
            text("trainee_id", 64, True, db="trainee_id"),
            Column("trainee_name", True, "text", max_length=100),
            ref("hospital_code", "hospital"),
            ref("specialty", "specialty", db="specialty_id"),
            Column("role", True, "choice", choices=tuple(v for v, _l in Trainee.Role.choices)),
            choice("kind", Training.Kind.choices),
            ref("host_hospital_code", "hospital", required=False, db="host_hospital_id"),
            ref("program_code", "program", required=False, db="program_id"),
            date_col("start_date"),
            date_col("end_date", required=False),
            Column("hours", False, "decimal", digits=(8, 1), db="hours"),
            choice("status", Training.Status.choices),
            date_col("independent_on", required=False),
            text("skill", 200),
        ],
        key=("ref",),
        conflict=("ref",),
    ),
    FileSpec(
        "techniques.csv",
        Technique,
        [
            Column("ref", True, "key", db="ref"),
            ref("hospital_code", "hospital", db="hospital_id"),
            ref("specialty", "specialty", db="specialty_id"),
            text("name", 200, True),
            date_col("introduced_on"),
            ref("program_code", "program", required=False, db="program_id"),
            bool_col("first_in_region"),
        ],
        key=("ref",),
        conflict=("ref",),
        date_pairs=(),
    ),
    FileSpec(
        "referrals.csv",
        Referral,
        [
            Column("ref", True, "key", db="ref"),
            date_col("date"),
            choice("kind", Referral.Kind.choices),
            Column("origin", True, "end"),
            Column("destination", True, "end"),
            choice("age_group", Referral.AgeGroup.choices),
            Column("distance_km", False, "decimal", digits=(8, 1), db="distance_km"),
            Column("duration_hours", False, "decimal", digits=(7, 1), db="duration_hours"),
            choice("outcome", Referral.Outcome.choices, required=False),
        ],
        key=("ref",),
        conflict=("ref",),
        extra_db=(
            "origin_hospital_id",
            "origin_region_id",
            "origin_country",
            "destination_hospital_id",
            "destination_region_id",
        ),
        date_pairs=(),
    ),
    FileSpec(
        "consultations.csv",
        Consultation,
        [
            Column("ref", True, "key", db="ref"),
            date_col("date"),
            ref("requesting_hospital_code", "hospital", db="requesting_hospital_id"),
            ref("consulting_hospital_code", "hospital", db="consulting_hospital_id"),
            ref("specialty", "specialty", db="specialty_id"),
            choice("mode", Consultation.Mode.choices),
        ],
        key=("ref",),
        conflict=("ref",),
        date_pairs=(),
    ),
    FileSpec(
        "indicators.csv",
        IndicatorValue,
        [
            ref("hospital_code", "hospital", db="hospital_id"),
            Column("period", True, "period", db="period"),
            choice("indicator", IndicatorValue.Indicator.choices),
            Column("value", True, "decimal", digits=(14, 2), db="value"),
        ],
        key=("hospital_code", "period", "indicator"),
        conflict=("hospital_id", "period", "indicator"),
        date_pairs=(),
    ),
]

SPECS = {spec.name: spec for spec in FILES}

# Rows that describe a person or trainee rather than the rotation or training.
PERSON_COLUMNS = ("code", "name", "home_hospital_id")
TRAINEE_COLUMNS = ("code", "name", "hospital_id", "role")
PERSON_MODEL = Person
TRAINEE_MODEL = Trainee
