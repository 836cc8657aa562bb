"""On PostgreSQL, make surgery_hospital_date_idx a covering index.

The region summary's surgery aggregate and the surgeries-per-month chart read
hospital, date, lead, grade, approach, demonstration, first_in_region, team
and specialty of every surgery of a region. With those columns in the index
(INCLUDE) PostgreSQL answers from the index alone (index-only scan) instead
of reading one heap page per surgery: at 1,000,000 surgeries the monthly
surgery query went from about 2 s to about 0.2 s (bench/dashboard_bench.py,
README "Performance"). SQLite has no INCLUDE; there the index stays as the
model declares it, which is also the migration state on both databases.
"""

from django.db import migrations

COLUMNS = "lead, grade, approach, demonstration, first_in_region, team_id, specialty_id"


def make_covering(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS surgery_hospital_date_idx")
    schema_editor.execute(
        "CREATE INDEX surgery_hospital_date_idx ON outcomes_surgery (hospital_id, date) "
        f"INCLUDE ({COLUMNS})"
    )


def make_plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS surgery_hospital_date_idx")
    schema_editor.execute("CREATE INDEX surgery_hospital_date_idx ON outcomes_surgery (hospital_id, date)")


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(make_covering, make_plain, elidable=False)]
