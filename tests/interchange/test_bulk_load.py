"""A bulk load (PostgreSQL) writes without per-row foreign-key checks and
index updates, and puts every constraint and index back (checked, built)
before the commit; an error still undoes all."""

import pytest
from django.db import connection

from audit.models import ImportBatch
from hospitals.models import Hospital
from interchange import staging
from outcomes import rollups
from outcomes.models import Surgery, SurgeryMonth

from .conftest import append, run

pytestmark = pytest.mark.django_db


def foreign_keys(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), condeferrable, condeferred, convalidated "
            "FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        keys = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table])
        return keys, cursor.fetchall()


def index_oid(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::regclass::oid", [name])
        return cursor.fetchone()[0]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite writes through its own path)")


def test_bulk_load_puts_every_foreign_key_back(postgres, example, monkeypatch):
    tables = [
        m._meta.db_table
        for m in (Surgery, Surgery.history.model, SurgeryMonth, Hospital, Hospital.history.model)
    ]
    before = {t: foreign_keys(t) for t in tables}
    assert all(keys or indexes for keys, indexes in before.values())
    monkeypatch.setattr(staging, "BULK_MIN_ROWS", 1)  # every file of the example is a bulk load
    built = index_oid("surgery_date_idx")
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]
    assert Surgery.objects.count() == 4 and Surgery.history.count() == 4
    assert {t: foreign_keys(t) for t in tables} == before  # same names, definitions, deferral, validated
    rebuilt = index_oid("surgery_date_idx")
    assert rebuilt != built  # dropped and built again after the write
    again = run(example)  # no bulk load: every row is in the table already
    assert again.counts["surgeries.csv"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert index_oid("surgery_date_idx") == rebuilt
    assert {t: foreign_keys(t) for t in tables} == before


def test_bulk_load_refused_by_a_constraint_writes_nothing(postgres, example, monkeypatch):
    before = foreign_keys("outcomes_surgery")
    monkeypatch.setattr(staging, "BULK_MIN_ROWS", 1)
    # What the importer's own checks let through but the database refuses
    # (here: a check constraint made stricter behind the importer's back).
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE outcomes_surgery ADD CONSTRAINT test_no_grade_4 CHECK (grade < 4)")
    report = run(example)
    assert not report.ok and "refused" in str(report.errors[0])
    assert not Surgery.objects.exists() and not Hospital.objects.exists()
    assert foreign_keys("outcomes_surgery") == before  # the constraints and indexes are there, as before


def test_first_load_writes_history_and_rollup_like_an_upsert(postgres, example, monkeypatch):
    """Into empty tables a bulk load writes with plain INSERTs (keys dropped
    and put back): the same rows, history ('+', with the batch) and rollup
    as the upsert writes."""
    batch = ImportBatch.objects.create(file_name="bundle", sha256="")
    report = run(example, batch=batch)  # no bulk load: the upsert
    assert report.ok, [str(e) for e in report.errors]

    def state():
        surgeries = sorted(Surgery.objects.values_list(
            "ref", "date", "hospital_id", "specialty_id", "procedure", "grade", "approach", "lead",
            "team_id", "demonstration", "first_in_region", "outcome", "blood_loss_ml",
        ))
        history = sorted(Surgery.history.values_list("ref", "history_type", "import_batch_id"))
        months = sorted(SurgeryMonth.objects.values_list(
            "hospital_id", "month", "specialty_id", "team_id", "total", "visiting", "grade_4",
        ), key=str)
        return surgeries, history, months

    upserted = state()
    counts = report.counts
    Surgery.objects.all().delete()
    Surgery.history.all().delete()
    assert not SurgeryMonth.objects.exists()
    monkeypatch.setattr(staging, "BULK_MIN_ROWS", 1)
    report = run(example, batch=batch)
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["surgeries.csv"] == counts["surgeries.csv"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert state() == upserted
    months = state()[2]
    rollups.rebuild_surgery_months()
    assert state()[2] == months
    assert {h.history_type for h in Surgery.history.all()} == {"+"}
    assert {h.import_batch_id for h in Surgery.history.all()} == {batch.pk}


@pytest.mark.parametrize("direct", [False, True], ids=["staged", "straight into the table"])
def test_first_load_refuses_a_key_taken_meanwhile(postgres, example, monkeypatch, direct):
    """The key constraints dropped for a first load are checked when put back
    (a file staged straight into its empty table puts them back as its check
    for keys twice)."""
    monkeypatch.setattr(staging, "BULK_MIN_ROWS", 1)
    if not direct:
        monkeypatch.setattr(staging.Stage, "_start_direct_load", lambda self: False)
    before = foreign_keys("outcomes_surgery")
    original = staging.Stage._drop_for_bulk_load

    def sneak_in(self, cursor, table, new_rows, keys):
        put_back = original(self, cursor, table, new_rows, keys)
        if table == "outcomes_surgery" and keys:
            # A row with a key of the bundle, behind the importer's back.
            cursor.execute(
                "INSERT INTO outcomes_surgery (id, ref, date, hospital_id, specialty_id, procedure, grade, "
                "approach, lead, demonstration, first_in_region, outcome) "
                "VALUES (1000, 'S-2024-0003', '2024-01-01', 'LS-PEOPLES', 'general_surgery', 'x', 1, "
                "'open', 'local', false, false, 'success')"
            )
        return put_back

    monkeypatch.setattr(staging.Stage, "_drop_for_bulk_load", sneak_in)
    report = run(example)
    assert not report.ok
    if direct:
        assert [(e.file, e.line, e.value) for e in report.errors] == [("surgeries.csv", 1000, "S-2024-0003")]
    else:
        assert "refused" in str(report.errors[0])
    assert not Surgery.objects.exists() and not Hospital.objects.exists()
    assert foreign_keys("outcomes_surgery") == before


def test_first_load_straight_into_the_table_reports_keys_twice_by_line(postgres, example, monkeypatch):
    monkeypatch.setattr(staging, "BULK_MIN_ROWS", 1)
    before = foreign_keys("outcomes_surgery")
    append(example, "surgeries.csv", "S-2024-0002,2024-03-15,LS-PEOPLES,general_surgery,Again,4,open,visiting,,,,success,")
    dry = run(example, dry_run=True)  # a dry run stages into a temporary table
    report = run(example)
    for r in (dry, report):
        assert [(e.file, e.line, e.column, e.value) for e in r.errors] == [
            ("surgeries.csv", 6, "ref", "S-2024-0002")
        ]
        assert "line 3" in r.errors[0].message
    assert not Surgery.objects.exists()
    assert foreign_keys("outcomes_surgery") == before


def test_first_load_straight_into_the_table_moves_the_key_sequence_on(postgres, example, monkeypatch):
    monkeypatch.setattr(staging, "BULK_MIN_ROWS", 1)
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["surgeries.csv"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert sorted(Surgery.objects.values_list("id", flat=True)) == [2, 3, 4, 5]  # their lines
    assert Surgery.history.filter(history_type="+").count() == 4
    later = Surgery.objects.create(**{
        f.name: getattr(Surgery.objects.get(id=2), f.name) for f in Surgery._meta.concrete_fields if f.name != "id"
    } | {"ref": "S-LATER"})
    assert later.id == 6


def test_staging_statistics_before_comparing_with_rows(postgres, example, monkeypatch):
    """A large staging table is analyzed before it is joined with a table
    that holds rows (here: every table, the second time); same counts."""
    monkeypatch.setattr(staging, "ANALYZE_MIN_ROWS", 1)
    analyzed = []
    original = staging.Stage.analyze

    def spy(self, cursor=None):
        analyzed.append(self.table)
        return original(self, cursor)

    monkeypatch.setattr(staging.Stage, "analyze", spy)
    assert run(example).ok
    again = run(example, dry_run=True)
    assert again.counts["surgeries.csv"] == {"created": 0, "updated": 0, "unchanged": 4}
    again = run(example)
    assert again.counts["surgeries.csv"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert "outcomes_surgery" in analyzed
