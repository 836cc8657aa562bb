"""The interchange format's columns of programs, twinnings, teams and
rotations (spec section 2): what the bundle export, the importer and the
program and rotation lists' CSV downloads read and write
(aidtracker/lib/columns.py)."""

from aidtracker.lib.columns import DATE, NUMBER, Column, Columns

PROGRAMS = Columns(
    Column("code", "code"),
    Column("name", "name"),
    Column("name_zh", "name_zh"),
    Column("kind", "kind"),
    Column("donor_region_code", "donor_region_id"),
    Column("recipient_hospital_code", "recipient_hospital_id"),
    Column("start_date", "start_date", DATE),
    Column("end_date", "end_date", DATE),
)

TWINNINGS = Columns(
    Column("program_code", "program_id"),
    Column("specialty", "specialty_id"),
    Column("donor_hospital_code", "donor_hospital_id"),
    Column("start_date", "start_date", DATE),
    Column("end_date", "end_date", DATE),
)

TEAMS = Columns(
    Column("code", "code"),
    Column("program_code", "program_id"),
    Column("name", "name"),
    Column("name_zh", "name_zh"),
    Column("batch", "batch", NUMBER),
    Column("start_date", "start_date", DATE),
    Column("end_date", "end_date", DATE),
)

# person_name and home_hospital_code describe the person (Person), the rest
# the rotation.
ROTATIONS = Columns(
    Column("team_code", "team_id"),
    Column("person_id", "person_id"),
    Column("person_name", "person__name"),
    Column("home_hospital_code", "person__home_hospital_id"),
    Column("specialty", "specialty_id"),
    Column("title", "title"),
    Column("role", "role"),
    Column("start_date", "start_date", DATE),
    Column("end_date", "end_date", DATE),
)
