"""The monthly surgery rollup (outcomes.SurgeryMonth), kept exact on every write.

One SurgeryMonth row holds the counts of the surgeries of one (hospital,
month, specialty, team) group. aidtracker/summary.py reads whole months of a
period from it and only the partial months at the period's edges from the
surgeries themselves, so the region dashboard's cost no longer grows with the
number of surgeries.

The rollup is recomputed, never adjusted by deltas: `rebuild()` deletes the
rows of the (hospital, month) groups it is given and inserts them again from
the surgeries, set-based, in the caller's transaction (2 statements). Who
calls it:

- model saves and deletes of a Surgery (signals below; an edit that moves a
  surgery to another hospital or month rebuilds the old group too; loaddata's
  raw saves included);
- SurgeryQuerySet.bulk_create / update / delete (outcomes/models.py): one
  rebuild of the hospitals and months they touched;
- the importer (interchange/importer.py) for the hospitals and months of the
  surgeries it wrote, before and after;
- `generate_data`, the data migration and `manage.py rebuild_rollups` (all).

On PostgreSQL a transaction-level advisory lock serialises the rebuilds of
concurrent transactions, so the second one sees the first one's rows and
recomputes from them (the lock is taken by the first statement).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

from django.db import connections, router
from django.db.models.signals import post_delete, post_save

LOCK_KEY = 7_215_001  # pg_advisory_xact_lock key of the rollup's rebuilds

SURGERY_TABLE = "outcomes_surgery"
ROLLUP_TABLE = "outcomes_surgerymonth"
MINIMALLY_INVASIVE = ("laparoscopic", "thoracoscopic", "endoscopic", "robotic", "interventional")

# Rollup column -> condition on the surgery row (None: every row).
COUNTS = {
    "total": None,
    "visiting": "lead = 'visiting'",
    "joint": "lead = 'joint'",
    "local": "lead = 'local'",
    "grade_1": "grade = 1",
    "grade_2": "grade = 2",
    "grade_3": "grade = 3",
    "grade_4": "grade = 4",
    "minimally_invasive": "approach IN ({})".format(", ".join(f"'{a}'" for a in MINIMALLY_INVASIVE)),
    "demonstration": "demonstration",
    "first_in_region": "first_in_region",
}

_state = threading.local()


@contextlib.contextmanager
def suspended():
    """Model signals do not rebuild inside this block (a bulk path rebuilds once)."""
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _month_sql(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', CAST({column} AS timestamp)) AS date)"
    return f"strftime('%%Y-%%m-01', {column})"


def rebuild(hospitals=None, start=None, end=None, *, using="default") -> None:
    """Recompute the rollup rows of `hospitals` (codes; None = all) for the
    months from start's to end's (dates; None = open), from the surgeries.
    Run it inside the transaction that changed the surgeries."""
    hospitals = None if hospitals is None else sorted(set(hospitals))
    if hospitals is not None and not hospitals:
        return
    first = month_start(_as_date(start)) if start is not None else None
    last = month_end(_as_date(end)) if end is not None else None
    connection = connections[using]
    vendor = connection.vendor

    def where(month_column, date_column):
        parts, params = [], []
        if hospitals is not None:
            parts.append(f"hospital_id IN ({', '.join(['%s'] * len(hospitals))})")
            params += hospitals
        if first is not None:
            parts.append(f"{month_column} >= %s" if month_column else f"{date_column} >= %s")
            params.append(first)
        if last is not None:
            parts.append(f"{month_column} <= %s" if month_column else f"{date_column} <= %s")
            params.append(month_start(last) if month_column else last)
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    delete_where, delete_params = where("month", None)
    select_where, select_params = where(None, "date")
    counts = ", ".join(
        "COUNT(*)" if cond is None else f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)" for cond in COUNTS.values()
    )
    month = _month_sql(vendor, "date")
    columns = ", ".join(["hospital_id", "month", "specialty_id", "team_id", *COUNTS])
    insert = (
        f"INSERT INTO {ROLLUP_TABLE} ({columns}) "
        f"SELECT hospital_id, {month}, specialty_id, team_id, {counts} FROM {SURGERY_TABLE}"
        f"{select_where} GROUP BY hospital_id, {month}, specialty_id, team_id"
    )
    delete = f"DELETE FROM {ROLLUP_TABLE}{delete_where}"
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # Statement 1 waits for any other transaction's rebuild to commit;
            # statement 2 (a new snapshot) then sees its rows.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            # One statement: the INSERT reads the count of the DELETE's rows
            # (an InitPlan, run first), so the old rows are gone before the
            # new ones go in (sub-statements of a WITH run in no set order).
            joiner = " AND " if select_where else " WHERE "
            ordered = insert.replace(
                " GROUP BY ", f"{joiner}(SELECT COUNT(*) FROM gone) >= 0 GROUP BY ", 1
            )
            cursor.execute(f"WITH gone AS ({delete} RETURNING 1) {ordered}", [*delete_params, *select_params])
        else:
            cursor.execute(delete, delete_params)
            cursor.execute(insert, select_params)


def rebuild_keys(keys, *, using="default") -> None:
    """Rebuild each distinct (hospital code, date) group: one rebuild per
    (hospital, month), none for keys that are None."""
    seen = set()
    for key in keys:
        if key is None or key[0] is None or key[1] is None:
            continue
        group = (key[0], month_start(_as_date(key[1])))
        if group not in seen:
            seen.add(group)
            rebuild([group[0]], group[1], group[1], using=using)


def rollup_key(instance):
    return (instance.hospital_id, instance.date)


def _on_save(sender, instance, raw=False, using="default", **kwargs):
    if getattr(_state, "suspended", False):
        return
    old = getattr(instance, "_rollup_key", None)
    new = rollup_key(instance)
    rebuild_keys([new, old] if old != new else [new], using=using)
    instance._rollup_key = new


def _on_delete(sender, instance, using="default", **kwargs):
    if getattr(_state, "suspended", False):
        return
    rebuild_keys([getattr(instance, "_rollup_key", None) or rollup_key(instance)], using=using)


def connect_signals() -> None:
    from outcomes.models import Surgery

    post_save.connect(_on_save, sender=Surgery, dispatch_uid="outcomes.rollups.save")
    post_delete.connect(_on_delete, sender=Surgery, dispatch_uid="outcomes.rollups.delete")


def db_for(model) -> str:
    return router.db_for_write(model)
