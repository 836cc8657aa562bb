"""The files and columns of interchange format v1 (spec sections 2 and 3), as
the importer reads them.

One `FileSpec` per file, in dependency order. Its columns, their order and
the field each is stored in are the ones its app declares (hospitals/,
deployments/ and outcomes/columns.py, which the bundle export and the record
lists write too); the spec adds how each column is read (required or not,
what a value may be) by the column's name, and the file's key and the model
its rows are written to. Code lists come from the models' choices, so there
is one list.
"""

from dataclasses import dataclass, field, replace

from django.core.exceptions import ImproperlyConfigured

from aidtracker.lib.columns import TEXT

from deployments import columns as deployments_columns
from deployments.models import Person, Program, Rotation, Team, Title, Twinning
from hospitals import columns as hospitals_columns
from hospitals.models import Hospital, Region
from outcomes import columns as outcomes_columns
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
class ImportColumn:
    """How the importer reads one column. `name` and `db` come from the
    app's declaration (FileSpec fills them in)."""

    name: str = ""
    required: bool = False
    # "text" (with max_length), "key", "region_code", "hospital_code",
    # "parent", "choice" (with choices), "date", "period", "bool", "int",
    # "decimal", "grade", "end" (a referral's origin or destination), or a
    # reference: "ref:region", "ref:hospital", "ref:program", "ref:team",
    # "ref:specialty".
    kind: str = "text"
    max_length: int = 0
    choices: tuple = ()
    minimum: int = 0
    maximum: int = 2_147_483_647
    digits: tuple = (0, 0)  # max_digits, decimal places
    default: object = None  # the stored value when the cell is empty
    db: str | None = None  # database column in the main model, if any
    # Written as text (aidtracker.lib.columns): one leading apostrophe, which
    # keeps spreadsheets from taking the text for a formula, is not the value's.
    quoted: bool = False
    # A date or month of something that has happened: not later than today
    # (spec section 2; outcomes.models.common.EventDatesRule is the forms' side).
    not_after_today: bool = False


def text(max_length, required=False, default=""):
    return ImportColumn(required=required, kind="text", max_length=max_length, default=default)


def choice(choices, required=True, default=""):
    values = tuple(value for value, _label in choices)
    return ImportColumn(required=required, kind="choice", choices=values, default=default)


def ref(target, required=True):
    return ImportColumn(required=required, kind=f"ref:{target}")


def date_col(required=True):
    return ImportColumn(required=required, kind="date")


def event_date(required=True):
    """The date of something that has happened: refused after today."""
    return ImportColumn(required=required, kind="date", not_after_today=True)


def bool_col():
    return ImportColumn(kind="bool", default="0")


def code(kind):
    """A required code of a pattern: "key", "hospital_code", "region_code"."""
    return ImportColumn(required=True, kind=kind)


@dataclass
class FileSpec:
    name: str
    model: type
    declared: object  # the file's columns as its app declares them (aidtracker.lib.columns.Columns)
    reading: dict  # column name -> ImportColumn: how that column is read
    key: tuple  # column names
    conflict: tuple  # database columns of the key
    extra_db: tuple = ()  # database columns filled by the file's own code
    date_pairs: tuple = (("start_date", "end_date"),)
    columns: list = field(init=False)
    column_names: tuple = field(init=False)

    def __post_init__(self):
        self.column_names = self.declared.names
        if set(self.reading) != set(self.column_names):
            raise ImproperlyConfigured(
                f"{self.name}: how to read {sorted(self.reading)} does not match the declared "
                f"columns {list(self.column_names)}"
            )
        # A column whose value comes from a field of the model itself is
        # written to that field; the others (a person's name, a referral's
        # ends) are the file's own code's to write.
        self.columns = [
            replace(
                self.reading[column.name],
                name=column.name,
                db=self.model._meta.get_field(column.field_path).column if column.field_path else None,
                quoted=column.kind == TEXT,
            )
            for column in self.declared
        ]

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
        hospitals_columns.REGIONS,
        {
            "code": code("region_code"),
            "name": text(100, True),
            "name_zh": text(100),
            "level": choice(Region.Level.choices),
            "parent_code": ImportColumn(kind="parent"),
        },
        key=("code",),
        conflict=("code",),
        date_pairs=(),
    ),
    FileSpec(
        "hospitals.csv",
        Hospital,
        hospitals_columns.HOSPITALS,
        {
            "code": code("hospital_code"),
            "name": text(200, True),
            "name_zh": text(200),
            "region_code": ref("region"),
            "grade": choice(Hospital.Grade.choices, required=False),
            "kind": choice(Hospital.Kind.choices),
        },
        key=("code",),
        conflict=("code",),
        date_pairs=(),
    ),
    FileSpec(
        "programs.csv",
        Program,
        deployments_columns.PROGRAMS,
        {
            "code": code("key"),
            "name": text(200, True),
            "name_zh": text(200),
            "kind": choice(Program.Kind.choices),
            "donor_region_code": ref("region"),
            "recipient_hospital_code": ref("hospital"),
            "start_date": date_col(),
            "end_date": date_col(required=False),
        },
        key=("code",),
        conflict=("code",),
    ),
    FileSpec(
        "twinnings.csv",
        Twinning,
        deployments_columns.TWINNINGS,
        {
            "program_code": ref("program"),
            "specialty": ref("specialty"),
            "donor_hospital_code": ref("hospital"),
            "start_date": date_col(),
            "end_date": date_col(required=False),
        },
        key=("program_code", "specialty", "donor_hospital_code"),
        conflict=("program_id", "specialty_id", "donor_hospital_id"),
    ),
    FileSpec(
        "teams.csv",
        Team,
        deployments_columns.TEAMS,
        {
            "code": code("key"),
            "program_code": ref("program"),
            "name": text(200, True),
            "name_zh": text(200),
            "batch": ImportColumn(required=True, kind="int", minimum=1, maximum=32767),
            "start_date": date_col(),
            "end_date": date_col(),
        },
        key=("code",),
        conflict=("code",),
    ),
    FileSpec(
        "rotations.csv",
        Rotation,
        deployments_columns.ROTATIONS,
        {
            "team_code": ref("team"),
            "person_id": text(64, True),
            "person_name": ImportColumn(required=True, kind="text", max_length=100),
            "home_hospital_code": ref("hospital"),
            "specialty": ref("specialty"),
            "title": choice(Title.choices),
            "role": choice(Rotation.Role.choices),
            "start_date": date_col(),
            "end_date": date_col(),
        },
        key=("team_code", "person_id"),
        conflict=("team_id", "person_id"),
    ),
    FileSpec(
        "surgeries.csv",
        Surgery,
        outcomes_columns.SURGERIES,
        {
            "ref": code("key"),
            "date": event_date(),
            "hospital_code": ref("hospital"),
            "specialty": ref("specialty"),
            "procedure": text(200, True),
            "grade": ImportColumn(required=True, kind="grade"),
            "approach": choice(Surgery.Approach.choices),
            "lead": choice(Surgery.Lead.choices),
            "team_code": ref("team", required=False),
            "demonstration": bool_col(),
            "first_in_region": bool_col(),
            "outcome": choice(Surgery.Outcome.choices),
            "blood_loss_ml": ImportColumn(kind="int"),
        },
        key=("ref",),
        conflict=("ref",),
        date_pairs=(),
    ),
    FileSpec(
        "trainings.csv",
        Training,
        outcomes_columns.TRAININGS,
        {
            "ref": code("key"),
            "trainee_id": text(64, True),
            "trainee_name": ImportColumn(required=True, kind="text", max_length=100),
            "hospital_code": ref("hospital"),
            "specialty": ref("specialty"),
            "role": ImportColumn(
                required=True, kind="choice", choices=tuple(v for v, _l in Trainee.Role.choices)
            ),
            "kind": choice(Training.Kind.choices),
            "host_hospital_code": ref("hospital", required=False),
            "program_code": ref("program", required=False),
            "start_date": date_col(),
            "end_date": date_col(required=False),
            "hours": ImportColumn(kind="decimal", digits=(8, 1)),
            "status": choice(Training.Status.choices),
            "independent_on": event_date(required=False),
            "skill": text(200),
        },
        key=("ref",),
        conflict=("ref",),
    ),
    FileSpec(
        "techniques.csv",
        Technique,
        outcomes_columns.TECHNIQUES,
        {
            "ref": code("key"),
            "hospital_code": ref("hospital"),
            "specialty": ref("specialty"),
            "name": text(200, True),
            "introduced_on": event_date(),
            "program_code": ref("program", required=False),
            "first_in_region": bool_col(),
        },
        key=("ref",),
        conflict=("ref",),
        date_pairs=(),
    ),
    FileSpec(
        "referrals.csv",
        Referral,
        outcomes_columns.REFERRALS,
        {
            "ref": code("key"),
            "date": event_date(),
            "kind": choice(Referral.Kind.choices),
            "origin": ImportColumn(required=True, kind="end"),
            "destination": ImportColumn(required=True, kind="end"),
            "age_group": choice(Referral.AgeGroup.choices),
            "distance_km": ImportColumn(kind="decimal", digits=(8, 1)),
            "duration_hours": ImportColumn(kind="decimal", digits=(7, 1)),
            "outcome": choice(Referral.Outcome.choices, required=False),
        },
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
        outcomes_columns.CONSULTATIONS,
        {
            "ref": code("key"),
            "date": event_date(),
            "requesting_hospital_code": ref("hospital"),
            "consulting_hospital_code": ref("hospital"),
            "specialty": ref("specialty"),
            "mode": choice(Consultation.Mode.choices),
        },
        key=("ref",),
        conflict=("ref",),
        date_pairs=(),
    ),
    FileSpec(
        "indicators.csv",
        IndicatorValue,
        outcomes_columns.INDICATORS,
        {
            "hospital_code": ref("hospital"),
            "period": ImportColumn(required=True, kind="period", not_after_today=True),
            "indicator": choice(IndicatorValue.Indicator.choices),
            "value": ImportColumn(required=True, kind="decimal", digits=(14, 2)),
        },
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
