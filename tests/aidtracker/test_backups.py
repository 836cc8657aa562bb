"""The restore drill: back up, wipe, restore, and everything is as before."""

import datetime as dt
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q, Sum

from aidtracker.lib import cache as figures
from outcomes.models import Surgery
from tests import factories as f


def row_counts() -> dict[str, int]:
    """Every table's row count, straight from the database."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def figures_of(world) -> dict:
    """A set of region figures, computed in the database."""
    out = {}
    for region in (world.tibet, world.xinjiang, world.lhasa):
        out[region.code] = Surgery.objects.in_region(region).aggregate(
            total=Count("pk"),
            local=Count("pk", filter=Q(lead="local")),
            grade_sum=Sum("grade"),
            blood=Sum("blood_loss_ml"),
        )
    return out


# Committed data: pg_dump reads it from another connection.
transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filled_world(django_user_model):
    world = f.make_world()
    team = f.TeamFactory(program=world.bj_lhasa)
    for i in range(12):
        f.SurgeryFactory(
            hospital=world.lhasa_peoples if i % 3 else world.xj_children,
            lead=("local", "joint", "visiting")[i % 3],
            grade=1 + i % 4,
            team=team if i % 2 else None,
            date=dt.date(2024, 1 + i % 12, 5),
            blood_loss_ml=100 + i,
        )
    django_user_model.objects.create_user("official", password="pw")
    return world


@transactional
def test_restore_drill(filled_world, tmp_path):
    counts_before = row_counts()
    figures_before = figures_of(filled_world)
    assert counts_before["outcomes_surgery"] == 12

    out = tmp_path / "aidtracker.dump"
    call_command("backup", str(out))
    assert out.stat().st_size > 0
    # it holds password hashes and sessions: its owner's only
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not out.with_name(out.name + ".partial").exists()

    call_command("flush", interactive=False, verbosity=0)  # the disaster
    assert Surgery.objects.count() == 0

    call_command("restore", str(out), interactive=False)
    assert row_counts() == counts_before
    assert figures_of(filled_world) == figures_before


@transactional
def test_restore_moves_cached_figures_on(filled_world, tmp_path):
    out = tmp_path / "aidtracker.dump"
    call_command("backup", str(out))
    count = lambda: figures.cached(("surgeries", "all"), Surgery.objects.count)  # noqa: E731
    assert count() == 12
    Surgery.objects.filter(pk__in=Surgery.objects.values("pk")[:5]).delete()
    assert count() == 7
    call_command("restore", str(out), interactive=False)
    assert count() == 12


@transactional
def test_restore_of_a_file_that_is_no_backup_changes_nothing(filled_world, tmp_path):
    counts_before = row_counts()
    bad = tmp_path / "notes.dump"
    bad.write_text("not a backup")
    with pytest.raises(CommandError, match="notes.dump"):
        call_command("restore", str(bad), interactive=False)
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.dump"), interactive=False)
    assert row_counts() == counts_before


def test_backup_into_a_missing_folder_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "nope" / "x.dump"))
