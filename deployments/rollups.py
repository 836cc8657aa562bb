"""Experts on site per month (deployments.ExpertMonth), kept exact on every write.

The region dashboard charts the distinct experts on site in each month: the
people with a rotation (in a team of a program whose recipient hospital lies
in the province) that overlaps the month. Counted from the rotations, that
expands every rotation into its months and dedupes (month, person) on every
view; ExpertMonth holds the answer per (province, month), so the chart of a
province over whole months without specialty or donor filter reads a few
rows (figures/series.py; other charts count from the rotations).

The rows are recomputed, never adjusted, by `rebuild_expert_months()`: for
the provinces given (or all), from the rotations, set-based, in the caller's
transaction. It runs on (connected in deployments/apps.py):

- a model save or delete of a Rotation (the months it covers now and
  covered before, in its team's province then and now); of a Team or
  Program (all provinces: they may move rotations to another province; rare);
- a bulk write of rotations (deployments/signals.py: all provinces);

and `rebuild_all()` recomputes everything: the importer after writing
programs, teams or rotations, `generate_data`, `loaddata` and
`manage.py rebuild_rollups` call it (outcomes/rollups.py's rebuild_all()
includes it).

On PostgreSQL the rebuilds of concurrent transactions take turns (a
transaction-level advisory lock), so the second sees the first one's rows.
"""

from datetime import date

from django.db import connections
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save

from aidtracker.lib.periods import month_end, month_start
from deployments.models import ExpertMonth, Program, Rotation, Team
from deployments.signals import per_row_upkeep_muted, rows_written
from hospitals.models import province_of

LOCK_KEY = 7_215_002  # pg_advisory_xact_lock key of the rebuilds

RECIPIENT = "team__program__recipient_hospital"


def rebuild_expert_months(provinces=None, *, months=None, using="default") -> None:
    """Recompute the rows of `provinces` (region codes; None = all) from the
    rotations; with `months` = (first, last), month starts, only the rows of
    those months (a rotation saved or deleted changes no other). Run it
    inside the transaction that changed them."""
    provinces = None if provinces is None else sorted({p for p in provinces if p is not None})
    if provinces is not None and not provinces:
        return
    rows = ExpertMonth.objects.using(using)
    # The rotations with the province of their program's recipient hospital.
    rotations = Rotation.objects.using(using).order_by().alias(prov=province_of(RECIPIENT))
    if provinces is not None:
        rows = rows.filter(region__in=provinces)
        rotations = rotations.filter(prov__in=provinces)
    if months is not None:
        first, last = months
        rows = rows.filter(month__gte=first, month__lte=last)
        rotations = rotations.filter(end_date__gte=first, start_date__lte=month_end(last))
    rotations = rotations.values(p=F("prov"), person_code=F("person"), s=F("start_date"), e=F("end_date"))
    inner, inner_params = rotations.query.sql_with_params()
    table = ExpertMonth._meta.db_table
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Each rotation expands to the months it covers (within `months`),
        # then one hash aggregate dedupes (province, month, person).
        start, stop, params = "date_trunc('month', rot.s::timestamp)", "rot.e::timestamp", []
        if months is not None:
            start = f"GREATEST({start}, %s::timestamp)"
            stop = f"LEAST({stop}, %s::timestamp)"
            params = [first, last]
        insert = (
            f"INSERT INTO {table} (region_id, month, experts) "
            "SELECT d.p, d.m, COUNT(*) FROM (SELECT DISTINCT rot.p, gs.m::date AS m, rot.person_code "
            f"FROM ({inner}) rot, LATERAL generate_series({start}, {stop}, interval '1 month') "
            "AS gs(m)) d GROUP BY d.p, d.m"
        )
        params = [*inner_params, *params]
    else:
        # SQLite: the rotations joined to the months between the first start
        # and the last end, or those of `months` (a recursive table of month
        # starts).
        if months is None:
            month_table = (
                "months(m) AS (SELECT strftime('%%Y-%%m-01', MIN(s)) FROM rot "
                "UNION ALL SELECT date(m, '+1 month') FROM months WHERE m < (SELECT MAX(e) FROM rot))"
            )
            params = list(inner_params)
        else:
            month_table = (
                "months(m) AS (SELECT %s UNION ALL SELECT date(m, '+1 month') FROM months WHERE m < %s)"
            )
            params = [*inner_params, first.isoformat(), last.isoformat()]
        insert = (
            f"WITH RECURSIVE rot AS ({inner}), {month_table} "
            f"INSERT INTO {table} (region_id, month, experts) "
            "SELECT rot.p, months.m, COUNT(DISTINCT rot.person_code) FROM rot INNER JOIN months "
            "ON rot.s < date(months.m, '+1 month') AND rot.e >= months.m "
            "GROUP BY rot.p, months.m"
        )
    # A plain DELETE: QuerySet.delete() would fetch the rows to send a
    # signal for each.
    old, old_params = rows.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({old})", old_params)
        cursor.execute(insert, params)


def rebuild_all(*, using="default") -> None:
    """Recompute every rollup of this app from its rows."""
    rebuild_expert_months(using=using)


def provinces_of_teams(teams, *, using="default") -> set:
    """Province codes of the recipient hospitals of the teams' programs (1 query)."""
    teams = sorted({t for t in teams if t is not None})
    if not teams:
        return set()
    return set(
        Team.objects.using(using).filter(code__in=teams).order_by()
        .values_list(province_of("program__recipient_hospital"), flat=True).distinct()
    )


# --- upkeep on writes ------------------------------------------------------------------

def _before_rotation_save(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted() or hasattr(instance, "_rollup_old"):
        return
    old = None
    if instance.pk is not None:
        old = (
            sender._default_manager.using(using)
            .filter(pk=instance.pk)
            .values_list("team_id", "start_date", "end_date")
            .first()
        )
    instance._rollup_old = old


def _on_rotation_write(sender, instance, using="default", **kwargs):
    """Recompute the months of the rotation as it is and as it was (its
    team's province then and now): a few rows, not the provinces' years."""
    if per_row_upkeep_muted():
        return
    spans = [(instance.team_id, instance.start_date, instance.end_date)]
    old = getattr(instance, "_rollup_old", None)
    if old is not None:
        spans.append(old)
    provinces = provinces_of_teams({team for team, _s, _e in spans}, using=using)
    days = [d for _t, start, end in spans for d in (start, end) if isinstance(d, date)]
    if len(days) == 2 * len(spans):
        rebuild_expert_months(provinces, months=(month_start(min(days)), month_start(max(days))), using=using)
    else:  # dates not set as dates (never through the forms): the whole provinces
        rebuild_expert_months(provinces, using=using)
    instance._rollup_old = (instance.team_id, instance.start_date, instance.end_date)


def _on_structure_write(sender, instance, using="default", raw=False, **kwargs):
    if per_row_upkeep_muted():
        return
    rebuild_expert_months(using=using)


def _on_bulk_write(sender, using="default", **kwargs):
    rebuild_expert_months(using=using)


def connect() -> None:
    """Keep ExpertMonth exact on every write (called by deployments/apps.py)."""
    pre_save.connect(_before_rotation_save, sender=Rotation, dispatch_uid="deployments.rollups.rotation_pre")
    post_save.connect(_on_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_save")
    post_delete.connect(_on_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_delete")
    rows_written.connect(_on_bulk_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_bulk")
    for model in (Team, Program):
        name = model.__name__.lower()
        post_save.connect(_on_structure_write, sender=model, dispatch_uid=f"deployments.rollups.{name}_save")
        post_delete.connect(_on_structure_write, sender=model, dispatch_uid=f"deployments.rollups.{name}_delete")
