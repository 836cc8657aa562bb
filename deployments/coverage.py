"""The covered-days rollup (deployments.CoveredSpan), kept exact on every
write.

A twinned department's coverage (dashboards/coverage.py) is computed from
the days the rotations of its program's teams in its specialty cover,
merged into disjoint spans (RotationQuerySet.covered_spans). Merged from
the rotations on every read, the program page, the hospital page and the
donor dashboard read and sort every rotation of the programs they show (the
busiest program at 10M surgeries has 51,294). CoveredSpan holds the merged
spans of all rotations per (program, specialty): a few rows per department.
The spans of all rotations clipped to a window cover exactly the days that
those overlapping the window cover within it, so every period reads them.

A (program, specialty) pair's rows are recomputed from its rotations,
never adjusted (rebuild_covered: 2 statements, +1 lock on PostgreSQL), on
(connected in deployments/apps.py):

- a model save or delete of a Rotation that changes its team, specialty or
  dates (the pairs it had and has);
- a Team's save that moves it to another program (both programs' pairs);

and recomputed whole after bulk writes of rotations (a queryset's update or
delete of rotations or teams: aidtracker/lib/bulk_writes.py), by the importer, by
`generate_data`, `loaddata` and `manage.py rebuild_rollups` (through
deployments/rollups.py's rebuild_all).
"""

from django.db import connections
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from aidtracker.lib.rollups import advisory_lock
from deployments.models import ROLLUP_FIELDS, CoveredSpan, Rotation, Team
from aidtracker.lib.bulk_writes import per_row_upkeep_muted, rows_written

LOCK_KEY = 7_215_003  # pg_advisory_xact_lock key of the rebuilds
TABLE = CoveredSpan._meta.db_table
COLUMNS = "program_id, specialty_id, first_day, last_day, rotations"
#: What decides a rotation's covered days: its team (program), specialty, dates.
FIELDS = ("team_id", "specialty_id", "start_date", "end_date")


def rebuild_covered(pairs=None, *, programs=None, using="default") -> None:
    """Recompute the spans of the (program, specialty) `pairs` and of every
    specialty of `programs` (codes) from their rotations; of everything when
    both are None. Run it inside the transaction that changed them."""
    rotations = Rotation.objects.using(using)
    where, params = "", []
    if pairs is not None or programs is not None:
        pairs = sorted({pair for pair in pairs or () if None not in pair})
        programs = sorted({code for code in programs or () if code is not None})
        if not pairs and not programs:
            return
        chosen = [Q(team__program=p, specialty=c) for p, c in pairs]
        if programs:
            chosen.append(Q(team__program__in=programs))
        rotations = rotations.filter(Q(*chosen, _connector=Q.OR))
        keys = ["(program_id = %s AND specialty_id = %s)"] * len(pairs) + ["program_id = %s"] * len(programs)
        where, params = f" WHERE {' OR '.join(keys)}", [*(v for pair in pairs for v in pair), *programs]
    connection = connections[using]
    select, select_params = rotations.covered_spans_sql()
    with connection.cursor() as cursor:
        advisory_lock(cursor, connection.vendor, LOCK_KEY)
        cursor.execute(f"DELETE FROM {TABLE}{where}", params)
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT p, c, s, e, n FROM ({select}) spans", select_params)


# --- upkeep on writes ------------------------------------------------------------------


def _programs_of(teams, using) -> dict:
    """{team code: program code} of `teams` as they are in the database."""
    return dict(Team.objects.using(using).filter(pk__in=[t for t in teams if t]).values_list("pk", "program_id"))


def _before_rotation_write(sender, instance, raw=False, using="default", **kwargs):
    """The pair the rotation had (read before the write), when what decides
    its covered days may change. 1 query (its old team's program, and its
    fields when not loaded); none when a loaded rotation keeps them."""
    if per_row_upkeep_muted():
        return
    loaded = getattr(instance, "_rollup_old", None)  # as loaded or last saved (Rotation.from_db)
    old = None if loaded is None else tuple(loaded[ROLLUP_FIELDS.index(field)] for field in FIELDS)
    now = tuple(getattr(instance, field) for field in FIELDS)
    deleting = kwargs.get("signal") is pre_delete
    if old == now and not deleting:
        return  # loaded from the database, none of it changed (a title, a role, the person)
    if old is None and instance.pk is not None:
        old = Rotation.objects.using(using).filter(pk=instance.pk).values_list(*FIELDS).first()
    teams = {now[0], old[0] if old else None}
    programs = _programs_of(teams, using)
    pairs = {(programs.get(now[0]), now[1])} if not deleting else set()
    if old is not None:
        pairs.add((programs.get(old[0]), old[1]))
    instance._covered_pairs = pairs


def _after_rotation_write(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    pairs = instance.__dict__.pop("_covered_pairs", None)
    if pairs:
        rebuild_covered(pairs, using=using)


def _before_team_save(sender, instance, raw=False, using="default", **kwargs):
    """A team moving to another program moves its rotations' days from one
    program's spans to the other's. 1 query."""
    if per_row_upkeep_muted() or instance.pk is None:
        return
    old = _programs_of([instance.pk], using).get(instance.pk)
    if old is not None and old != instance.program_id:
        instance._covered_programs = {old, instance.program_id}


def _after_team_save(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    programs = instance.__dict__.pop("_covered_programs", None)
    if programs:
        rebuild_covered(programs=programs, using=using)


def _on_bulk_write(sender, using="default", **kwargs):
    rebuild_covered(using=using)


def connect() -> None:
    """Keep CoveredSpan exact on every write (called by deployments/apps.py)."""
    uid = "deployments.coverage"
    pre_save.connect(_before_rotation_write, sender=Rotation, dispatch_uid=f"{uid}.rotation_pre_save")
    post_save.connect(_after_rotation_write, sender=Rotation, dispatch_uid=f"{uid}.rotation_post_save")
    pre_delete.connect(_before_rotation_write, sender=Rotation, dispatch_uid=f"{uid}.rotation_pre_delete")
    post_delete.connect(_after_rotation_write, sender=Rotation, dispatch_uid=f"{uid}.rotation_post_delete")
    pre_save.connect(_before_team_save, sender=Team, dispatch_uid=f"{uid}.team_pre_save")
    post_save.connect(_after_team_save, sender=Team, dispatch_uid=f"{uid}.team_post_save")
    rows_written.connect(_on_bulk_write, sender=Rotation, dispatch_uid=f"{uid}.rotation_bulk")
