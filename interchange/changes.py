"""What a dry run would change: the rows an import would update, field by field.

For each staged file, one query joins the staged rows with the rows already
in the table on the file's key and keeps those that differ in a column the
import writes (the same comparison as Stage.classify and the upsert): the
first CHANGES_PER_FILE by line come over with the old and the new value of
each column, and a window count says how many there are in all. The query
count does not grow with the changed rows, nor does memory.

What is stored (Report.changes, ImportBatch.changes) is plain JSON with the
database column of each field; `described` turns it into rows to show with
each field's label in the reader's language, at the time it is read.
"""

import datetime
import decimal

from django.apps import apps
from django.db import connection
from django.db.models import BooleanField
from django.utils.text import capfirst
from django.utils.translation import gettext as _

CHANGES_PER_FILE = 50  # changed rows listed per file; all are counted


def _q(name):
    return connection.ops.quote_name(name)


def _plain(value):
    """A value from the database as JSON keeps it (dates as ISO text)."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def changed_rows(stage, limit=CHANGES_PER_FILE):
    """{"model", "rows": [{"line", "key", "fields": [[column, old, new], ...]}],
    "total"} for the staged rows of `stage` that would update a row already
    there (the first `limit` by line; `total` counts them all), or None when
    none would. One query."""
    changing = stage.changing
    if stage.rows == 0 or not changing or stage.direct:
        return None
    match = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in stage.conflict)
    if stage.postgres:
        flags = [f"(t.{_q(c)} IS DISTINCT FROM s.{_q(c)})" for c in changing]
    else:
        flags = [f"(t.{_q(c)} IS NOT s.{_q(c)})" for c in changing]
    values = ", ".join(f"{flag}, t.{_q(c)}, s.{_q(c)}" for flag, c in zip(flags, changing))
    keys = ", ".join(f"s.{_q(c)}" for c in stage.conflict)
    rows, total = stage.first_rows(
        f"SELECT s._line, {keys}, {values} FROM {{stg}} s JOIN {_q(stage.table)} t ON {match} "
        f"WHERE {' OR '.join(flags)}",
        limit,
    )
    if not total:
        return None
    listed = []
    width = len(stage.conflict)
    for row in rows:
        line, key, rest = row[0], row[1:1 + width], row[1 + width:]
        fields = [
            [column, _plain(rest[3 * i + 1]), _plain(rest[3 * i + 2])]
            for i, column in enumerate(changing)
            if rest[3 * i]
        ]
        listed.append({"line": line, "key": " + ".join(str(k) for k in key), "fields": fields})
    return {"model": stage.model._meta.label_lower, "rows": listed, "total": total}


def _field(model, column):
    for field in model._meta.concrete_fields if model is not None else ():
        if field.column == column:
            return field
    return None


def _shown(value, field):
    if value is None or value == "":
        return "—"
    if isinstance(field, BooleanField) or isinstance(value, bool):
        return _("yes") if value else _("no")  # SQLite gives 1 and 0
    return str(value)


def described(changes):
    """The stored `changes` (file -> changed_rows) as rows to show, each
    field with its label in the active language:
    [{"file", "rows": [{"line", "key", "fields": [{"label", "old", "new"}]}],
    "total", "more"}]."""
    shown = []
    for file, found in (changes or {}).items():
        try:
            model = apps.get_model(found["model"])
        except (LookupError, ValueError):
            model = None
        rows = []
        for row in found["rows"]:
            rows.append({
                "line": row["line"],
                "key": row["key"],
                "fields": [
                    {
                        "label": capfirst(field.verbose_name) if field is not None else column,
                        "old": _shown(old, field),
                        "new": _shown(new, field),
                    }
                    for column, old, new in row["fields"]
                    for field in [_field(model, column)]
                ],
            })
        shown.append({"file": file, "rows": rows, "total": found["total"], "more": found["total"] - len(rows)})
    return shown
