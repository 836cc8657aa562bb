"""On PostgreSQL, let the database itself refuse overlapping rotations of one person.

Model validation and the importer give the coordinator a readable message;
this exclusion constraint is the last line of defence against a write that
bypasses both (raw SQL, a race between two imports). SQLite has no such
constraint and relies on validation alone.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE deployments_rotation ADD CONSTRAINT rotation_person_no_overlap
    EXCLUDE USING gist (person_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
"""
DROP = "ALTER TABLE deployments_rotation DROP CONSTRAINT IF EXISTS rotation_person_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("deployments", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
