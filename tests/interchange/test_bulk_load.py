"""A bulk load (PostgreSQL) writes without per-row foreign-key checks and
index updates, and puts every constraint and index back (checked, built)
before the commit; an error still undoes all."""

import pytest
from django.db import connection

from hospitals.models import Hospital
from interchange import staging
from outcomes.models import Surgery

from .conftest import run

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
    tables = [m._meta.db_table for m in (Surgery, Surgery.history.model, Hospital, Hospital.history.model)]
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
