"""Fast inserts of many rows: COPY on PostgreSQL, bulk_create elsewhere.

Rows are dicts of attribute names (`hospital_id`), as demo.synthetic
makes them. The database still checks every constraint (COPY enforces
check, unique, foreign-key and exclusion constraints like any INSERT).
Model signals do not run, so no history rows are written: this is for
benchmarks and for loading generated data, not for user edits.
"""

from django.db import connections


def insert_rows(model, rows, using="default") -> int:
    """Insert `rows` (an iterable of dicts) into `model`'s table; returns the count."""
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)]
    fields = [f for f in fields if not getattr(f, "db_returning", False)]
    if connection.vendor == "postgresql":
        return _copy(connection, model, fields, rows)
    objs = [model(**row) for row in rows]
    model.objects.using(using).bulk_create(objs, batch_size=500)
    return len(objs)


def _copy(connection, model, fields, rows) -> int:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    defaults = {f.attname: f.get_default() for f in fields}
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [row[f.attname] if f.attname in row else defaults[f.attname] for f in fields]
            )
            count += 1
    return count
