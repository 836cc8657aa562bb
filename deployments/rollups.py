"""Experts on site per month (deployments.ExpertMonth), kept exact on every write.

The region dashboard charts the distinct experts on site in each month: the
people with a rotation (in a team of a program whose recipient hospital lies
in the province) that overlaps the month. Counted from the rotations, that
expands every rotation into its months and dedupes (month, person) on every
view; ExpertMonth holds the answer per (province, month), so the chart of
a province over whole months without specialty or donor filter reads a few
rows (aidtracker/summary.py; other charts still count from the rotations).

The rows are recomputed, never adjusted, by `rebuild()`: for the provinces
given (or all), from the rotations, set-based, in the caller's transaction.
Who calls it:

- model saves and deletes of a Rotation (signals: the provinces of its team
  now and before, only the months it covers now and covered before); saves and deletes of a Team or Program (all provinces:
  they may move rotations to another province; rare);
- bulk_create / update / delete of rotation querysets (all provinces);
- the importer, when it wrote programs, teams or rotations (all provinces);
- `generate_data`, `loaddata`, the data migration and `manage.py
  rebuild_rollups` (all).

On PostgreSQL the rebuilds of concurrent transactions take turns (a
transaction-level advisory lock), so the second sees the first one's rows.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import date

from django.db import connections
from django.db.models.signals import post_delete, post_save, pre_save

from aidtracker.lib.periods import month_end, month_start

LOCK_KEY = 7_215_002  # pg_advisory_xact_lock key of the rebuilds
TABLE = "deployments_expertmonth"

_state = threading.local()


@contextlib.contextmanager
def suspended():
    """Model signals rebuild or adjust no rollup inside this block (a bulk
    path rebuilds once). One switch for every rollup: this one and those of
    outcomes/rollups.py."""
    previous = is_suspended()
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def is_suspended() -> bool:
    return getattr(_state, "suspended", False)


# The rotations with the province of their program's recipient hospital (a
# hospital's region is a province, a prefecture or a county).
ROTATIONS = (
    "SELECT COALESCE(p.parent_id, r.parent_id, h.region_id) AS prov, x.person_id AS person, "
    "x.start_date AS s, x.end_date AS e "
    "FROM deployments_rotation x "
    "INNER JOIN deployments_team t ON t.code = x.team_id "
    "INNER JOIN deployments_program g ON g.code = t.program_id "
    "INNER JOIN hospitals_hospital h ON h.code = g.recipient_hospital_id "
    "INNER JOIN hospitals_region r ON r.code = h.region_id "
    "LEFT OUTER JOIN hospitals_region p ON p.code = r.parent_id"
)


def rebuild(provinces=None, *, months=None, using="default") -> None:
    """Recompute the rows of `provinces` (region codes; None = all) from the
    rotations; with `months` = (first, last), month starts, only the rows of
    those months (a rotation saved or deleted changes no other). Run it
    inside the transaction that changed them."""
    provinces = None if provinces is None else sorted({p for p in provinces if p is not None})
    if provinces is not None and not provinces:
        return
    connection = connections[using]
    marks = ", ".join(["%s"] * len(provinces)) if provinces is not None else ""
    where, delete_where, where_params, delete_params = [], [], [], []
    if provinces is not None:
        where.append(f"rot.prov IN ({marks})")
        delete_where.append(f"region_id IN ({marks})")
        where_params += provinces
        delete_params += provinces
    if months is not None:
        first, last = months
        where.append("rot.e >= %s AND rot.s <= %s")
        where_params += [first, month_end(last)]
        delete_where.append("month >= %s AND month <= %s")
        delete_params += [first, last]
    where = f" WHERE {' AND '.join(where)}" if where else ""
    delete_where = f" WHERE {' AND '.join(delete_where)}" if delete_where else ""
    if connection.vendor == "postgresql":
        # Each rotation expands to the months it covers (within `months`),
        # then one hash aggregate dedupes (province, month, person).
        start, stop, params = "date_trunc('month', rot.s::timestamp)", "rot.e::timestamp", []
        if months is not None:
            start = f"GREATEST({start}, %s::timestamp)"
            stop = f"LEAST({stop}, %s::timestamp)"
            params = [first, last]
        params += where_params
        insert = (
            f"INSERT INTO {TABLE} (region_id, month, experts) "
            f"SELECT d.prov, d.m, COUNT(*) FROM (SELECT DISTINCT rot.prov, gs.m::date AS m, rot.person "
            f"FROM ({ROTATIONS}) rot, LATERAL generate_series({start}, {stop}, interval '1 month') "
            f"AS gs(m){where}) d GROUP BY d.prov, d.m"
        )
    else:
        # SQLite: the rotations joined to the months between the first start
        # and the last end, or those of `months` (a recursive table of month
        # starts).
        if months is None:
            month_table = (
                "months(m) AS (SELECT strftime('%%Y-%%m-01', MIN(s)) FROM rot "
                "UNION ALL SELECT date(m, '+1 month') FROM months WHERE m < (SELECT MAX(e) FROM rot))"
            )
            params = where_params
        else:
            month_table = (
                "months(m) AS (SELECT %s UNION ALL SELECT date(m, '+1 month') FROM months WHERE m < %s)"
            )
            params = where_params + [first.isoformat(), last.isoformat()]
        insert = (
            f"WITH RECURSIVE rot AS (SELECT * FROM ({ROTATIONS}) rot{where}), {month_table} "
            f"INSERT INTO {TABLE} (region_id, month, experts) "
            "SELECT rot.prov, months.m, COUNT(DISTINCT rot.person) FROM rot INNER JOIN months "
            "ON rot.s < date(months.m, '+1 month') AND rot.e >= months.m "
            "GROUP BY rot.prov, months.m"
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"DELETE FROM {TABLE}{delete_where}", delete_params)
        cursor.execute(insert, params)


def provinces_of_teams(teams, *, using="default") -> set:
    """Province codes of the recipient hospitals of the teams' programs (1 query)."""
    teams = sorted({t for t in teams if t is not None})
    if not teams:
        return set()
    marks = ", ".join(["%s"] * len(teams))
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT COALESCE(p.parent_id, r.parent_id, h.region_id) FROM deployments_team t "
            "INNER JOIN deployments_program g ON g.code = t.program_id "
            "INNER JOIN hospitals_hospital h ON h.code = g.recipient_hospital_id "
            "INNER JOIN hospitals_region r ON r.code = h.region_id "
            "LEFT OUTER JOIN hospitals_region p ON p.code = r.parent_id "
            f"WHERE t.code IN ({marks})",
            teams,
        )
        return {row[0] for row in cursor.fetchall()}


def _before_rotation_save(sender, instance, raw=False, using="default", **kwargs):
    if is_suspended() or hasattr(instance, "_rollup_old"):
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
    if is_suspended():
        return
    spans = [(instance.team_id, instance.start_date, instance.end_date)]
    old = getattr(instance, "_rollup_old", None)
    if old is not None:
        spans.append(old)
    provinces = provinces_of_teams({team for team, _s, _e in spans}, using=using)
    days = [d for _t, start, end in spans for d in (start, end) if isinstance(d, date)]
    if len(days) == 2 * len(spans):
        rebuild(provinces, months=(month_start(min(days)), month_start(max(days))), using=using)
    else:  # dates not set as dates (never through the forms): the whole provinces
        rebuild(provinces, using=using)
    instance._rollup_old = (instance.team_id, instance.start_date, instance.end_date)


def _on_structure_write(sender, instance, using="default", raw=False, **kwargs):
    if is_suspended():
        return
    rebuild(using=using)


def connect_signals() -> None:
    from deployments.models import Program, Rotation, Team

    pre_save.connect(_before_rotation_save, sender=Rotation, dispatch_uid="deployments.rollups.rotation_pre")
    post_save.connect(_on_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_save")
    post_delete.connect(_on_rotation_write, sender=Rotation, dispatch_uid="deployments.rollups.rotation_delete")
    for model in (Team, Program):
        name = model.__name__.lower()
        post_save.connect(_on_structure_write, sender=model, dispatch_uid=f"deployments.rollups.{name}_save")
        post_delete.connect(_on_structure_write, sender=model, dispatch_uid=f"deployments.rollups.{name}_delete")
