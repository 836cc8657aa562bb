"""What the rollups of distinct people share: the span SQL and the
adding of per-person differences to a rollup table.

Distinct people over a period of whole months do not add up over months,
but they follow from counts of intervals. Merge the intervals (trainings,
rotations) of one person under one key into disjoint spans s1 < s2 < ...
(a span ends before the next begins). The spans that overlap a period
[a, b] are consecutive, so

    1 if any span overlaps [a, b], else 0
      = (spans overlapping [a, b]) - (gaps with end_k >= a and start_k+1 <= b)

where gap k lies between span k and span k+1: if spans i..j overlap, exactly
the j - i gaps between them satisfy the condition, and every gap that does
has both its neighbours overlapping. A gap is thus counted like an interval
whose "first" is start_k+1 and whose "last" is end_k. Summed over people,
distinct people = (+1 per overlapping span) + (-1 per overlapping gap): an
ordinary additive count, kept per (key, first month, last month). For a
period of whole months the month of a date decides exactly (start <= b iff
its month <= b's month; end >= a iff its month >= a's month).

outcomes/rollups.py (trainees) and deployments/rollups.py (experts) build
their rows with `span_counts_sql` and keep them exact on writes by adding
the difference of the touched people's contributions (`difference`,
`add_rows`, and the write-time adjustment both share, `PeopleDelta`).
This module imports Django's database layer only.
"""

from django.db import connections

from aidtracker.lib.periods import month_of_sql


def advisory_lock(cursor, vendor: str, key: int) -> None:
    """On PostgreSQL, take the transaction-level advisory lock `key`: the
    rebuilds and adjustments of one rollup in concurrent transactions take
    turns, and the statements after this one see the other's committed
    rows (1 statement; none elsewhere: SQLite writes one at a time)."""
    if vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def span_counts_sql(vendor: str, rows_sql: str, keys: list[str], *, ongoing=None) -> tuple[str, list]:
    """(SQL, params to append after those of `rows_sql`): a SELECT of
    (*keys, first month, last month, n) over `rows_sql`, a SELECT with the
    columns p (the person), s, e (first and last day) and `keys`: the signed
    counts of each person's spans (+1) and gaps (-1), intervals merged per
    person and key. `ongoing`: (the end that stands for "no end yet", the
    last month to store for it), or None when every row has an end."""
    k = ", ".join(keys)
    person_key = f"p, {k}"

    def month(column):
        return month_of_sql(vendor, column)

    last, params = month("e"), []
    if ongoing is not None:
        last, params = f"CASE WHEN e = %s THEN %s ELSE {month('e')} END", list(ongoing)
    # A row begins a new span when it starts after every earlier row (in
    # start order) of the same person and key has ended; gaps lie between
    # consecutive spans.
    sql = (
        f"WITH t AS ({rows_sql}), "
        f"m AS (SELECT {k}, p, s, e, MAX(e) OVER (PARTITION BY {person_key} ORDER BY s, e "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM t), "
        f"g AS (SELECT {k}, p, s, e, SUM(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END) "
        f"OVER (PARTITION BY {person_key} ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS span FROM m), "
        f"i AS (SELECT {k}, p, span, MIN(s) AS s, MAX(e) AS e FROM g GROUP BY {k}, p, span), "
        f"j AS (SELECT {k}, s, e, LAG(e) OVER (PARTITION BY {person_key} ORDER BY span) AS before FROM i), "
        f"n AS (SELECT {k}, {month('s')} AS first, {last} AS last, 1 AS n FROM j "
        f"UNION ALL SELECT {k}, {month('s')}, {month('before')}, -1 FROM j WHERE before IS NOT NULL) "
        f"SELECT {k}, first, last, SUM(n) FROM n GROUP BY {k}, first, last HAVING SUM(n) <> 0"
    )
    return sql, params


def difference(after: dict, before: dict) -> list[tuple]:
    """Rows (*key, *change) of what changed from `before` to `after`, two
    {key tuple: value or tuple of values} of the same people; unchanged
    keys left out."""
    rows = []
    for key in sorted(after.keys() | before.keys(), key=str):
        new, old = after.get(key), before.get(key)
        new = new if isinstance(new, tuple) else (new,) if new is not None else None
        old = old if isinstance(old, tuple) else (old,) if old is not None else None
        new = new or (0,) * len(old)
        old = old or (0,) * len(new)
        change = tuple(a - b for a, b in zip(new, old))
        if any(change):
            rows.append((*key, *change))
    return rows


def add_rows(cursor, table: str, key_columns: list[str], value_columns: list[str], rows) -> None:
    """Add each row's values (its last len(value_columns) items) to the
    matching row of `table` (inserted at 0 when missing), then drop those
    of these rows whose values all fell to 0. `key_columns` must be a
    unique key of the table. 2 statements (none without rows)."""
    if not rows:
        return
    columns = ", ".join([*key_columns, *value_columns])
    marks = ", ".join(["%s"] * (len(key_columns) + len(value_columns)))
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in value_columns)
    cursor.executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {sets}",
        rows,
    )
    # By key, through the unique index: a busy key holds tens of thousands
    # of rows, too many to scan for zeros on every save.
    zero = " AND ".join(f"{c} = 0" for c in value_columns)
    cursor.executemany(
        f"DELETE FROM {table} WHERE {zero} AND {' AND '.join(f'{c} = %s' for c in key_columns)}",
        [row[: len(key_columns)] for row in rows],
    )


class PeopleDelta:
    """Keeps a rollup of distinct people exact across a write that touches
    a few of them: reads what `people` (codes) contribute before the write
    and after it, and adds the difference; more people than `limit()`:
    rebuilt instead. Use as `with Delta(codes): <write>`, inside the
    write's transaction (before() and after() when the write happens
    between two signals). Concurrent adjustments take turns on the
    advisory lock `lock_key`: the second reads the first's committed rows
    (a new snapshot per statement).

    A rollup says how: `limit()`, `contributions()` (a tuple of {key:
    value} dicts, one per table), `write(cursor, changes)` (`difference`
    rows in the same order, not all empty), `rebuild_all()`, and
    `remember()` for what a rebuild needs from before the write."""

    lock_key: int
    #: Whether before() takes the lock when the write will be rebuilt
    #: (when `remember()` reads what the rebuild needs).
    lock_before_rebuild = True

    def __init__(self, people, *, using="default"):
        self.people = sorted({p for p in people if p is not None})
        self.using = using
        self.connection = connections[using]
        self.rebuild = len(self.people) > self.limit()

    def limit(self) -> int:
        raise NotImplementedError

    def contributions(self) -> tuple:
        raise NotImplementedError

    def write(self, cursor, changes: tuple) -> None:
        raise NotImplementedError

    def rebuild_all(self) -> None:
        raise NotImplementedError

    def remember(self) -> None:
        """Before a write that will be rebuilt: read what the rebuild needs
        of the state before it (nothing by default)."""

    def before(self):
        if not self.people or (self.rebuild and not self.lock_before_rebuild):
            return self
        with self.connection.cursor() as cursor:
            advisory_lock(cursor, self.connection.vendor, self.lock_key)
        if self.rebuild:
            self.remember()
        else:
            self.old = self.contributions()
        return self

    def after(self):
        if not self.people:
            return
        if self.rebuild:
            self.rebuild_all()
            return
        changes = tuple(difference(new, old) for new, old in zip(self.contributions(), self.old))
        if any(changes):
            with self.connection.cursor() as cursor:
                self.write(cursor, changes)

    def __enter__(self):
        return self.before()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.after()
