"""The expert rollups (deployments.ExpertSpanMonth, deployments.ExpertMonth),
kept exact on every write.

The summaries count the distinct people of the rotations that overlap a
period (`experts`) and the days those rotations share with it
(`expert_days`), for a recipient region, a donor, a specialty, or one of
them against the others (by donor, by recipient region); the charts count
the distinct people on site per month; the donor dashboard's hospitals
table counts both per home hospital of the people. Counted from the
rotations, every view sorts or hashes all rotations of the region or
donor. The rollups hold the answer per key, so each read is a few rows of
one key:

- the key (recipient province, donor region, specialty), "" = all, all 8
  combinations, with home "";
- the key (donor region, home hospital of the person, specialty or ""),
  with region "": the people of one home hospital among a donor's. Only
  the donor and specialty filters are keyed with it (a recipient filter
  counts the rotations). The hospitals table picks the home hospitals in
  the donor region when it reads, so a hospital moving to another region
  changes no row.

A reader sums rows of one kind, home "" or not, never both
(figures/definitions.py's expert_spans and expert_months pick them).

- ExpertSpanMonth: the signed counts of each person's merged rotation spans
  (+1) and the gaps between them (-1) per (key, first month, last month).
  Summed over the rows that overlap a period of whole months, they are the
  distinct experts of the key in it (aidtracker/lib/rollups.py explains
  why; spans are merged per person within each key).
- ExpertMonth: per (key, month), the distinct experts on site that month and
  the days their rotations share with it. Summed over a period's months, the
  days are its expert-days (a rotation's days add up over months).

figures/summary.py reads them for periods of whole months; other periods
and the program filter count the rotations.

Both are sums of per-person contributions, so a write that touches a few
people adjusts them (ExpertDelta): what those people contribute is read
before the write and after it, and the difference is added. It runs on
(connected in deployments/apps.py):

- a model save or delete of a Rotation (its person, and the person it had);
- a Person's save that changes their home hospital (nothing extra when the
  person was loaded and it is unchanged; one query for the old home
  hospital when the instance was not loaded); a queryset's update of
  people, or an upsert of them, that sets it (aidtracker/lib/bulk_writes.py's
  rows_writing: those people, or rebuilt whole when more than
  DELTA_MAX_PEOPLE). People are deleted only without rotations (PROTECT);
- a Team's save that moves it to another program, a Program's save that
  changes its donor or recipient hospital, a Hospital's that moves it to
  another region (the people of their rotations; more than
  DELTA_MAX_PEOPLE: rebuilt whole); a Region's that changes its parent
  (rebuilt whole);

and the rollups are recomputed whole (`rebuild_all()`) after bulk writes:
of rotations (aidtracker/lib/bulk_writes.py), a queryset's update of teams or
delete of teams, a queryset's update of programs that sets their donor or
recipient hospital, `generate_data`, `loaddata` and `manage.py
rebuild_rollups` (outcomes/rollups.py's rebuild_all() includes it). The
importer adjusts the people of its rotations when only rotations (and
their people) are staged and few, else rebuilds whole when programs,
teams, rotations or people changed.

On PostgreSQL adjustments and rebuilds of concurrent transactions take
turns (a transaction-level advisory lock), so the second one reads the
first one's committed rotations.
"""

from django.db import connections
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from aidtracker.lib.periods import as_date
from aidtracker.lib.rollups import PeopleDelta, add_rows, advisory_lock, span_counts_sql
from deployments import coverage
from deployments.models import ROLLUP_FIELDS, ExpertMonth, ExpertSpanMonth, Person, Program, Rotation, Team
from aidtracker.lib.bulk_writes import per_row_upkeep_muted, rows_writing, rows_written
from hospitals.models import Hospital, Region, province_of

LOCK_KEY = 7_215_002  # pg_advisory_xact_lock key of the rebuilds and adjustments
DELTA_MAX_PEOPLE = 500  # more people than this: rebuild whole instead

RECIPIENT = "team__program__recipient_hospital"
SPAN_TABLE = ExpertSpanMonth._meta.db_table
MONTH_TABLE = ExpertMonth._meta.db_table
KEY_COLUMNS = ["donor", "specialty", "home", "region"]  # in the order of the unique indexes
SPAN_COLUMNS = [*KEY_COLUMNS, "first_month", "last_month"]  # its unique key
MONTH_COLUMNS = [*KEY_COLUMNS, "month"]  # its unique key

# Each rotation under the 10 keys: 0-7 with home "", where bit 1 keeps its
# region, 2 its donor, 4 its specialty, the others ""; 8 and 9 with its
# person's home hospital, its donor, region "" and specialty "" (8) or its
# own (9).
KEYS = " UNION ALL ".join(f"SELECT {n}" + (" AS n" if n == 0 else "") for n in range(10))
KEYED = (
    "SELECT y.p, y.s, y.e, CASE WHEN g.n IN (1, 3, 5, 7) THEN y.r ELSE '' END AS r, "
    "CASE WHEN g.n IN (2, 3, 6, 7, 8, 9) THEN y.d ELSE '' END AS d, "
    "CASE WHEN g.n IN (4, 5, 6, 7, 9) THEN y.c ELSE '' END AS c, "
    "CASE WHEN g.n >= 8 THEN y.h ELSE '' END AS h "
    f"FROM ({{rows}}) y CROSS JOIN ({KEYS}) g"
)


def _rows_sql(people=None, *, using="default") -> tuple[str, list]:
    """SELECT (p, s, e, r, d, c, h) of every rotation (of `people` when
    given) under each of the 10 keys: its person, dates, and its recipient
    province, donor, specialty and its person's home hospital or ""."""
    rotations = Rotation.objects.using(using).order_by()
    if people is not None:
        rotations = rotations.filter(person__in=people)
    rotations = rotations.values(
        p=F("person"), s=F("start_date"), e=F("end_date"), r=province_of(RECIPIENT),
        d=F("team__program__donor_region"), c=F("specialty"), h=F("person__home_hospital"),
    )
    sql, params = rotations.query.sql_with_params()
    return KEYED.format(rows=sql), list(params)


def _month_sql(vendor, keyed_sql, *, few=False) -> str:
    """SELECT (donor, specialty, home, region, month, experts, days), the
    key in KEY_COLUMNS' order, over the keyed rotations: each spread over the
    months it covers, the days it shares with each summed per person first,
    then the people counted. `few`: the rotations of a few people (an
    adjustment)."""
    if vendor == "postgresql" and not few:
        # Every rotation: generate_series per row, then hash or sort
        # aggregates (4.7 s for 60,000 rotations against 11 s recursively).
        return (
            "SELECT d, c, h, r, m, COUNT(*), SUM(days) FROM (SELECT k.r, k.d, k.c, k.h, gs.m::date AS m, k.p, "
            "SUM(LEAST(k.e, (gs.m + interval '1 month' - interval '1 day')::date) - GREATEST(k.s, gs.m::date) + 1) "
            f"AS days FROM ({keyed_sql}) k, LATERAL generate_series(date_trunc('month', k.s::timestamp), "
            "k.e::timestamp, interval '1 month') AS gs(m) GROUP BY k.r, k.d, k.c, k.h, gs.m, k.p) x "
            "GROUP BY d, c, h, r, m"
        )
    # Each row repeated once per month it covers (a recursive table). On
    # PostgreSQL for a few people: generate_series' estimate (1,000 rows a
    # row) would plan parallel workers, 150 ms where this takes 7.
    if vendor == "postgresql":
        first, following, last = (
            "CAST(date_trunc('month', s::timestamp) AS date)", "CAST(m + interval '1 month' AS date)",
            "CAST(m + interval '1 month' - interval '1 day' AS date)",
        )
        days = f"LEAST(e, {last}) - GREATEST(s, m) + 1"
    else:
        first, following, last = "strftime('%%Y-%%m-01', s)", "date(m, '+1 month')", "date(m, '+1 month', '-1 day')"
        days = f"CAST(julianday(MIN(e, {last})) - julianday(MAX(s, m)) + 1 AS INTEGER)"
    return (
        f"WITH RECURSIVE k AS ({keyed_sql}), x(r, d, c, h, p, s, e, m) AS ("
        f"SELECT r, d, c, h, p, s, e, {first} FROM k "
        f"UNION ALL SELECT r, d, c, h, p, s, e, {following} FROM x WHERE {following} <= e) "
        f"SELECT d, c, h, r, m, COUNT(*), SUM(days) FROM (SELECT r, d, c, h, m, p, SUM({days}) AS days "
        "FROM x GROUP BY r, d, c, h, m, p) y GROUP BY d, c, h, r, m"
    )


def _statements(connection, people=None) -> tuple[str, list, str, list]:
    """(spans SELECT, params, months SELECT, params) of the rotations (of
    `people` when given)."""
    keyed, params = _rows_sql(people, using=connection.alias)
    spans, span_params = span_counts_sql(connection.vendor, keyed, ["d", "c", "h", "r"])
    return spans, [*params, *span_params], _month_sql(connection.vendor, keyed, few=people is not None), params



def rebuild_experts(*, using="default") -> None:
    """Recompute both expert rollups from the rotations. Run it inside the
    transaction that changed them. 4 statements (+1 lock on PostgreSQL)."""
    connection = connections[using]
    spans, span_params, months, month_params = _statements(connection)
    with connection.cursor() as cursor:
        advisory_lock(cursor, connection.vendor, LOCK_KEY)
        cursor.execute(f"DELETE FROM {SPAN_TABLE}")
        cursor.execute(f"INSERT INTO {SPAN_TABLE} ({', '.join(SPAN_COLUMNS)}, n) {spans}", span_params)
        cursor.execute(f"DELETE FROM {MONTH_TABLE}")
        cursor.execute(f"INSERT INTO {MONTH_TABLE} ({', '.join(MONTH_COLUMNS)}, experts, days) {months}", month_params)


def rebuild_all(*, using="default") -> None:
    """Recompute every rollup of this app from its rows: the experts and
    the covered days (deployments/coverage.py)."""
    rebuild_experts(using=using)
    coverage.rebuild_covered(using=using)


def _contributions(people, connection) -> tuple[dict, dict]:
    """({(donor, specialty, home, region, first, last): n}, {(donor,
    specialty, home, region, month): (experts, days)}): what the given
    people add to the two rollups now. 2 queries."""
    spans_sql, span_params, months_sql, month_params = _statements(connection, people)
    with connection.cursor() as cursor:
        cursor.execute(spans_sql, span_params)
        spans = {(*key, as_date(first), as_date(last)): int(n) for *key, first, last, n in cursor.fetchall()}
        cursor.execute(months_sql, month_params)
        months = {(*key, as_date(m)): (int(n), int(days)) for *key, m, n, days in cursor.fetchall()}
    return spans, months


class ExpertDelta(PeopleDelta):
    """Keeps both expert rollups exact across a write that touches a few
    people (PeopleDelta); more than DELTA_MAX_PEOPLE: rebuilt whole. Use as
    `with ExpertDelta(codes): <write>`, inside the write's transaction."""

    lock_key = LOCK_KEY
    lock_before_rebuild = False  # rebuild_experts takes the lock itself

    def limit(self):
        return DELTA_MAX_PEOPLE

    def contributions(self):
        return _contributions(self.people, self.connection)

    def write(self, cursor, changes):
        spans, months = changes
        add_rows(cursor, SPAN_TABLE, SPAN_COLUMNS, ["n"], spans)
        add_rows(cursor, MONTH_TABLE, MONTH_COLUMNS, ["experts", "days"], months)

    def rebuild_all(self):
        rebuild_experts(using=self.using)


# --- upkeep on writes ------------------------------------------------------------------
# The contributions before (pre_ signal) and after (post_ signal). The
# "before" only reads, so a save that fails changes nothing.

def _before_rotation_write(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    now = tuple(getattr(instance, field) for field in ROLLUP_FIELDS)
    old = getattr(instance, "_rollup_old", None)
    if kwargs.get("signal") is pre_save and old == now:
        return  # loaded from the database and none of what counts changed (a title, a role)
    old_person = old[1] if old is not None else None
    if old is None and instance.pk is not None:
        old_person = sender._default_manager.using(using).filter(pk=instance.pk).values_list(
            "person_id", flat=True
        ).first()
    instance._expert_delta = ExpertDelta({instance.person_id, old_person}, using=using).before()


def _after_rotation_write(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    delta = instance.__dict__.pop("_expert_delta", None)
    if delta is not None:
        delta.after()
    instance._rollup_old = tuple(getattr(instance, field) for field in ROLLUP_FIELDS)


class _Rebuild:
    def __init__(self, using):
        self.using = using

    def after(self):
        rebuild_experts(using=self.using)


#: What moves a rotation to another key: {model: (its fields, the path from
#: a rotation to it)}.
STRUCTURE = {
    Team: (("program_id",), "team"),
    Program: (("donor_region_id", "recipient_hospital_id"), "team__program"),
    Hospital: (("region_id",), "team__program__recipient_hospital"),
    Region: (("parent_id",), None),
}


def _people_of(rotations) -> set:
    return set(rotations.order_by().values_list("person_id", flat=True).distinct())


def _before_structure_save(sender, instance, raw=False, using="default", **kwargs):
    """A team moving to another program, a program changing its donor or
    recipient hospital, a hospital moving to another region: the people of
    their rotations move to other keys (a region under another parent:
    rebuilt whole). 2 queries (the old values, the people), 1 when nothing
    moves."""
    if per_row_upkeep_muted() or instance.pk is None:
        return
    fields, path = STRUCTURE[sender]
    old = sender._default_manager.using(using).filter(pk=instance.pk).values_list(*fields).first()
    if old is None or old == tuple(getattr(instance, field) for field in fields):
        return  # new, or nothing that moves its rotations
    if sender is Region:  # a region under another province: rare, every key may change
        instance._expert_delta = _Rebuild(using)
        return
    rotations = Rotation.objects.using(using).filter(**{path: instance.pk})
    instance._expert_delta = ExpertDelta(_people_of(rotations), using=using).before()


def _after_structure_save(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    delta = instance.__dict__.pop("_expert_delta", None)
    if delta is not None:
        delta.after()


def _on_bulk_write(sender, using="default", **kwargs):
    rebuild_experts(using=using)


#: The fields of a program whose update moves its rotations to another key.
PROGRAM_KEY_FIELDS = {"donor_region", "donor_region_id", "recipient_hospital", "recipient_hospital_id"}


def _on_programs_written(sender, using="default", fields=None, **kwargs):
    """An update of programs: rebuild when it set a field of the keys."""
    if fields is None or PROGRAM_KEY_FIELDS & set(fields):
        rebuild_experts(using=using)


def _on_places_written(sender, using="default", **kwargs):
    """An update or upsert that put hospitals in other regions or regions
    under other parents (hospitals' AnnouncedWrites): rebuild (rare: the
    forms and the importer save them one by one, and model saves adjust
    through STRUCTURE)."""
    rebuild_experts(using=using)


#: The fields of a person whose write moves their rotations to another key.
PERSON_KEY_FIELDS = {"home_hospital", "home_hospital_id"}
_NOT_LOADED = object()


def _sets_home(update_fields) -> bool:
    return update_fields is None or bool(PERSON_KEY_FIELDS & set(update_fields))


def _before_person_save(sender, instance, raw=False, using="default", update_fields=None, **kwargs):
    """A person's home hospital changing: their rotations move to another
    home key (their contributions before and after). Nothing for a person
    loaded from the database whose home hospital is unchanged; 1 query (the
    old home hospital) for an instance not loaded from it."""
    if per_row_upkeep_muted() or instance.pk is None or not _sets_home(update_fields):
        return
    old = getattr(instance, "_rollup_old_home", _NOT_LOADED)
    if old is _NOT_LOADED:
        old = sender._default_manager.using(using).filter(pk=instance.pk).values_list(
            "home_hospital_id", flat=True
        ).first()
        if old is None:
            return  # a new person: no rotations yet
    if old == instance.home_hospital_id:
        return
    instance._expert_delta = ExpertDelta({instance.pk}, using=using).before()


def _after_person_save(sender, instance, raw=False, using="default", update_fields=None, **kwargs):
    if _sets_home(update_fields):
        # What the database holds now, even after a muted save (a rebuild
        # follows it): the next save compares with this.
        instance._rollup_old_home = instance.home_hospital_id
    if per_row_upkeep_muted():
        return
    delta = instance.__dict__.pop("_expert_delta", None)
    if delta is not None:
        delta.after()


def _before_people_written(sender, using="default", people=None, fields=None, **kwargs):
    """A bulk write of people (a queryset's update, an upsert) that sets
    their home hospital: their contributions before the write, and the
    callable that adds the difference after it (more than DELTA_MAX_PEOPLE:
    a rebuild). 1 query for a queryset's people, 2-3 for their
    contributions."""
    if fields is not None and not PERSON_KEY_FIELDS & set(fields):
        return None
    if people is None:
        return _Rebuild(using).after
    if hasattr(people, "values_list"):  # a queryset: its first codes tell few from many
        people = people.order_by().values_list("pk", flat=True)[: DELTA_MAX_PEOPLE + 1]
    return ExpertDelta(list(people), using=using).before().after


def connect() -> None:
    """Keep the expert rollups exact on every write (called by deployments/apps.py)."""
    pre_save.connect(_before_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_pre_save")
    post_save.connect(_after_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_post_save")
    pre_delete.connect(_before_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_pre_delete")
    post_delete.connect(_after_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_post_delete")
    rows_written.connect(_on_bulk_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_bulk")
    rows_written.connect(_on_programs_written, sender=Program, dispatch_uid="deployments.rollups.program_bulk")
    for model in (Hospital, Region):
        rows_written.connect(_on_places_written, sender=model,
                             dispatch_uid=f"deployments.rollups.{model.__name__.lower()}_bulk")
    pre_save.connect(_before_person_save, sender=Person, dispatch_uid="deployments.rollups.person_pre_save")
    post_save.connect(_after_person_save, sender=Person, dispatch_uid="deployments.rollups.person_post_save")
    rows_writing.connect(_before_people_written, sender=Person, dispatch_uid="deployments.rollups.person_bulk")
    # People are deleted only without rotations (PROTECT): nothing to adjust.
    # Teams are deleted with their rotations (the cascade deletes each, with
    # its signals), programs, hospitals and regions only without them
    # (PROTECT).
    for model in STRUCTURE:
        name = model.__name__.lower()
        pre_save.connect(_before_structure_save, sender=model, dispatch_uid=f"deployments.rollups.{name}_pre_save")
        post_save.connect(_after_structure_save, sender=model, dispatch_uid=f"deployments.rollups.{name}_post_save")
