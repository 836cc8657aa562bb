"""The interchange format's columns of the outcomes (spec section 2): what
the bundle export, the importer and the record lists' CSV downloads read and
write (aidtracker/lib/columns.py)."""

from django.db.models import CharField
from django.db.models.functions import Coalesce

from aidtracker.lib.columns import BOOL, DATE, MONTH, NUMBER, Column, Columns

SURGERIES = Columns(
    Column("ref", "ref"),
    Column("date", "date", DATE),
    Column("hospital_code", "hospital_id"),
    Column("specialty", "specialty_id"),
    Column("procedure", "procedure"),
    Column("grade", "grade", NUMBER),
    Column("approach", "approach"),
    Column("lead", "lead"),
    Column("team_code", "team_id"),
    Column("demonstration", "demonstration", BOOL),
    Column("first_in_region", "first_in_region", BOOL),
    Column("outcome", "outcome"),
    Column("blood_loss_ml", "blood_loss_ml", NUMBER),
)

# trainee_name, hospital_code and role describe the trainee (Trainee), the
# rest the training.
TRAININGS = Columns(
    Column("ref", "ref"),
    Column("trainee_id", "trainee_id"),
    Column("trainee_name", "trainee__name"),
    Column("hospital_code", "trainee__hospital_id"),
    Column("specialty", "specialty_id"),
    Column("role", "trainee__role"),
    Column("kind", "kind"),
    Column("host_hospital_code", "host_hospital_id"),
    Column("program_code", "program_id"),
    Column("start_date", "start_date", DATE),
    Column("end_date", "end_date", DATE),
    Column("hours", "hours", NUMBER),
    Column("status", "status"),
    Column("independent_on", "independent_on", DATE),
    Column("skill", "skill"),
)

TECHNIQUES = Columns(
    Column("ref", "ref"),
    Column("hospital_code", "hospital_id"),
    Column("specialty", "specialty_id"),
    Column("name", "name"),
    Column("introduced_on", "introduced_on", DATE),
    Column("program_code", "program_id"),
    Column("first_in_region", "first_in_region", BOOL),
)

# A referral's single origin and destination columns hold whichever of a
# hospital, region or country code the row has (Referral.origin).
REFERRALS = Columns(
    Column("ref", "ref"),
    Column("date", "date", DATE),
    Column("kind", "kind"),
    Column(
        "origin",
        Coalesce("origin_hospital_id", "origin_region_id", "origin_country", output_field=CharField()),
    ),
    Column(
        "destination",
        Coalesce("destination_hospital_id", "destination_region_id", output_field=CharField()),
    ),
    Column("age_group", "age_group"),
    Column("distance_km", "distance_km", NUMBER),
    Column("duration_hours", "duration_hours", NUMBER),
    Column("outcome", "outcome"),
)

CONSULTATIONS = Columns(
    Column("ref", "ref"),
    Column("date", "date", DATE),
    Column("requesting_hospital_code", "requesting_hospital_id"),
    Column("consulting_hospital_code", "consulting_hospital_id"),
    Column("specialty", "specialty_id"),
    Column("mode", "mode"),
)

INDICATORS = Columns(
    Column("hospital_code", "hospital_id"),
    Column("period", "period", MONTH),
    Column("indicator", "indicator"),
    Column("value", "value", NUMBER),
)
