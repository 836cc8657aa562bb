"""Staging tables and the set-based write of one model's rows.

Valid rows stream into a temporary table (PostgreSQL: COPY; SQLite: batched
executemany), are checked there with set-based SQL (keys twice in a bundle,
overlaps), and are then upserted into the model's table in one statement
that also writes the history rows of created and changed rows, each linked to
the import batch. Rows that would not change are not touched at all, which is
what makes a second import of the same bundle a no-op.
"""

import contextlib

from django.db import IntegrityError, connection, transaction

BATCH = 5000

# Staged rows from which the staging table gets planner statistics before
# it is compared with a table that holds rows (see Stage.analyze).
ANALYZE_MIN_ROWS = 10_000

# A write of at least this many rows into a table that holds no more rows
# than that (a first load, or one that at least doubles the table) is a bulk
# load: see Stage._without_foreign_keys.
BULK_MIN_ROWS = 100_000


def _q(name):
    return connection.ops.quote_name(name)


class Stage:
    """A temporary table shaped like `model`'s columns `columns`, plus `_line`;
    or, for a first load (see _start_direct_load), `model`'s table itself."""

    def __init__(self, model, columns, conflict, label, text_columns=(), expected_rows=0):
        self.model = model
        self.table = model._meta.db_table
        self.name = f"_stg_{self.table}"
        self.columns = tuple(columns)
        self.conflict = tuple(conflict)
        # Columns the file left out: a row it updates keeps their values
        # (a new row gets their defaults). Set by the importer after the header.
        self.kept = frozenset()
        self.label = label
        self.rows = 0
        self._analyzed = False
        self.bulk_rows = 0  # new rows written by a bulk load (see _bulk_load_into)
        self.postgres = connection.vendor == "postgresql"
        self._text = tuple(i for i, c in enumerate(self.columns) if c in text_columns)
        self._buffer = []
        self._copy_cm = None
        self._copy = None
        # Where the staged rows are, and the column that holds their line.
        self.source = self.name
        self.line_column = "_line"
        self._put_back = []
        self._keys_back = []
        self.direct = self.postgres and expected_rows >= BULK_MIN_ROWS and self._start_direct_load()
        if self.direct:
            return
        cols = ", ".join(_q(c) for c in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            if self.postgres:
                cursor.execute(
                    f"CREATE TEMP TABLE {self.name} ON COMMIT DROP AS "
                    f"SELECT {cols} FROM {_q(self.table)} WITH NO DATA"
                )
            else:
                cursor.execute(
                    f"CREATE TEMP TABLE {self.name} AS SELECT {cols} FROM {_q(self.table)} WHERE 0"
                )
            cursor.execute(f"ALTER TABLE {self.name} ADD COLUMN _line integer")
            if not self.postgres:
                cursor.execute(f"ALTER TABLE {self.name} ADD COLUMN _op text")

    def _start_direct_load(self):
        """Stage straight into the model's table when it is empty: a first
        load of at least BULK_MIN_ROWS rows (as the file's line count
        promises). Returns whether it does.

        The table is locked, its keys, foreign keys and plain indexes are
        dropped (as for any bulk load, see _bulk_load_into) and the rows go
        in by COPY while the rest of the file is still being read: the
        server writes them on the second core instead of copying them from
        a staging table after reading (a whole INSERT ... SELECT more). The line of each row is its primary key
        (there is no `_line`); the key's sequence is moved past the largest
        at the write (upsert). Only for a table whose primary key is an
        integer `id` that the file does not give. A dry run never gets here
        (it writes no record table): it stages into a temporary table."""
        pk = self.model._meta.pk
        if pk.column != "id" or "id" in self.columns or pk.get_internal_type() not in ("AutoField", "BigAutoField"):
            return False
        table = _q(self.table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                return False
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
            if not cursor.fetchone()[0]:
                return False  # rows came in before the lock: stage as usual
            self._keys_back, rest = self._drop_for_bulk_load(cursor, self.table, BULK_MIN_ROWS, keys=True)
            self._put_back = self._keys_back + rest
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as they were (_bulk_load_into set them immediate)
        self.source = table
        self.line_column = "id"
        return True

    # -- filling ---------------------------------------------------------------

    def add(self, line, values):
        """Stage one valid row: `values` aligned with `columns`, str or None."""
        self.rows += 1
        if self.postgres:
            for i in self._text:
                v = values[i]
                if v is not None and ("\\" in v or "\t" in v or "\n" in v or "\r" in v):
                    values[i] = (
                        v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
                    )
            self._buffer.append(
                "\t".join(["\\N" if v is None else v for v in values]) + f"\t{line}\n"
            )
        else:
            values.append(line)
            self._buffer.append(values)
        if len(self._buffer) >= BATCH:
            self._flush()

    def add_prepared(self, item):
        """Stage one valid row already in the form `add` gives it: a line
        of COPY text (PostgreSQL) or the values followed by the line number."""
        self.rows += 1
        self._buffer.append(item)
        if len(self._buffer) >= BATCH:
            self._flush()

    def _flush(self):
        if not self._buffer:
            return
        if self.postgres:
            if self._copy is None:
                raw = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
                cols = ", ".join(_q(c) for c in self.columns)
                with connection.wrap_database_errors:
                    self._copy_cm = raw.copy(f"COPY {self.source} ({cols}, {self.line_column}) FROM STDIN")
                    self._copy = self._copy_cm.__enter__()
            with connection.wrap_database_errors:  # a refused row raises Django's DatabaseError
                self._copy.write("".join(self._buffer))
        else:
            cols = ", ".join(_q(c) for c in self.columns)
            marks = ", ".join(["%s"] * (len(self.columns) + 1))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.name} ({cols}, _line) VALUES ({marks})", self._buffer
                )
        self._buffer = []

    def close(self):
        """Finish filling (ends the COPY); the table can be queried afterwards."""
        self._flush()
        if self._copy_cm is not None:
            copy_cm, self._copy_cm, self._copy = self._copy_cm, None, None
            with connection.wrap_database_errors:
                copy_cm.__exit__(None, None, None)

    def abort(self):
        if self._copy_cm is not None:
            try:
                self._copy_cm.__exit__(RuntimeError, RuntimeError("aborted"), None)
            except Exception:
                pass
            self._copy_cm = self._copy = None
        self._buffer = []

    # -- checks ---------------------------------------------------------------

    def duplicate_keys(self, limit):
        """The first `limit` of (line, key values, first line) of rows whose
        key an earlier row has, and how many such rows there are."""
        columns = {f.column: f for f in self.model._meta.concrete_fields}
        if self._keys_back and not any(columns[c].null for c in self.conflict):
            # A direct load puts its unique keys back now instead of at the
            # write: building them is the check (no second pass over the
            # rows; a key with an empty part would not be, as NULLs differ
            # in a unique index). Only if one fails are the lines
            # looked for.
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    for statement in self._keys_back:
                        cursor.execute(statement)
            except IntegrityError:
                pass
            else:
                self._put_back = [s for s in self._put_back if s not in self._keys_back]
                self._keys_back = []
                return [], 0
        keys = ", ".join(_q(c) for c in self.conflict)
        join = " AND ".join(f"s.{_q(c)} = d.{_q(c)}" for c in self.conflict)
        line = self.line_column
        return self.first_rows(
            f"SELECT s.{line}, {', '.join('s.' + _q(c) for c in self.conflict)}, d.first "
            f"FROM {{stg}} s JOIN (SELECT {keys}, min({line}) AS first FROM {{stg}} "
            f"GROUP BY {keys} HAVING count(*) > 1) d ON {join} "
            f"WHERE s.{line} <> d.first",
            limit,
        )

    def rows_with_keys(self, keys):
        """(line, *key) of the staged rows whose key is one of `keys` (tuples
        in the order of the conflict columns)."""
        columns = ", ".join(_q(c) for c in self.conflict)
        marks = "(" + ", ".join(["%s"] * len(self.conflict)) + ")"
        keys = list(keys)
        found = []
        for i in range(0, len(keys), 300):
            chunk = keys[i:i + 300]
            found += self.query(
                f"SELECT {self.line_column}, {columns} FROM {{stg}} "
                f"WHERE ({columns}) IN ({', '.join([marks] * len(chunk))})",
                [value for key in chunk for value in key],
            )
        return found

    def query(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{stg}", self.source), params)
            return cursor.fetchall()

    def first_rows(self, sql, limit, params=()):
        """The first `limit` rows of `sql` in the order of its first column
        (a line), and how many rows it has in all: the database counts
        them, only those kept for the report come over (one person's
        overlapping rotations, say, are pairs of rows)."""
        rows = self.query(f"SELECT q.*, count(*) OVER () FROM ({sql}) q ORDER BY 1 LIMIT %s", [*params, limit])
        return [row[:-1] for row in rows], (rows[0][-1] if rows else 0)

    # -- the write -------------------------------------------------------------

    @property
    def changing(self):
        """The columns an update writes (and compares): all but the key and
        the columns the file left out."""
        return [c for c in self.columns if c not in self.conflict and c not in self.kept]

    def classify(self):
        """(created, updated) that `upsert` would report, read-only: a dry run
        counts exactly without writing (or locking) a single row."""
        if self.rows == 0:
            return 0, 0
        if self.direct:
            return self.rows, 0  # into a table that was empty (never in a dry run)
        table = _q(self.table)
        match = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in self.conflict)
        changing = self.changing
        if self.postgres:
            differs = (
                f"ROW({', '.join('t.' + _q(c) for c in changing)}) IS DISTINCT FROM "
                f"ROW({', '.join('s.' + _q(c) for c in changing)})"
            ) if changing else "false"
        else:
            differs = " OR ".join(f"t.{_q(c)} IS NOT s.{_q(c)}" for c in changing) or "0"
        probe = _q(self.conflict[0])
        with connection.cursor() as cursor:
            self.analyze(cursor)
            cursor.execute(
                f"SELECT count(CASE WHEN t.{probe} IS NULL THEN 1 END), "
                f"count(CASE WHEN t.{probe} IS NOT NULL AND ({differs}) THEN 1 END) "
                f"FROM {self.name} s LEFT JOIN {table} t ON {match}"
            )
            created, updated = cursor.fetchone()
        return created, updated

    def upsert(self, *, when, user_id, batch_id):
        """Write the staged rows and their history; return (created, updated)."""
        if self.rows == 0 and not self.direct:
            return 0, 0
        when = connection.ops.adapt_datetimefield_value(when)
        model = self.model
        history = model.history.model
        fields = [f.column for f in model._meta.concrete_fields]
        hist_cols = fields + ["history_date", "history_type", "history_user_id", "import_batch_id"]
        cols = ", ".join(_q(c) for c in self.columns)
        changing = self.changing
        if self.postgres:
            return self._upsert_postgres(history, fields, hist_cols, cols, changing, when, user_id, batch_id)
        return self._upsert_sqlite(history, fields, hist_cols, cols, changing, when, user_id, batch_id)

    def _upsert_postgres(self, history, fields, hist_cols, cols, changing, when, user_id, batch_id):
        conflict = ", ".join(_q(c) for c in self.conflict)
        if changing:
            sets = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in changing)
            old = ", ".join(f"t.{_q(c)}" for c in changing)
            new = ", ".join(f"EXCLUDED.{_q(c)}" for c in changing)
            action = f"DO UPDATE SET {sets} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
        else:
            action = "DO NOTHING"
        # Rows that are already there unchanged are left out before the
        # upsert: ON CONFLICT would lock (and so write) each of them.
        match = " AND ".join(f"x.{_q(c)} = s.{_q(c)}" for c in self.conflict)
        if changing:
            match += (
                f" AND ROW({', '.join('x.' + _q(c) for c in changing)}) IS NOT DISTINCT FROM "
                f"ROW({', '.join('s.' + _q(c) for c in changing)})"
            )
        sql = f"""
            WITH up AS (
                INSERT INTO {_q(self.table)} AS t ({cols})
                SELECT {", ".join("s." + _q(c) for c in self.columns)} FROM {self.name} s
                WHERE NOT EXISTS (SELECT 1 FROM {_q(self.table)} x WHERE {match})
                ON CONFLICT ({conflict}) {action}
                RETURNING t.*, (t.xmax = 0) AS _created
            ), h AS (
                INSERT INTO {_q(history._meta.db_table)} ({", ".join(_q(c) for c in hist_cols)})
                SELECT {", ".join("up." + _q(c) for c in fields)}, %s::timestamptz,
                       CASE WHEN up._created THEN '+' ELSE '~' END, %s::integer, %s::bigint
                FROM up
                RETURNING history_type
            )
            SELECT count(*) FILTER (WHERE history_type = '+'),
                   count(*) FILTER (WHERE history_type = '~')
            FROM h
        """
        if self.direct:
            return self._finish_direct_load(history, fields, hist_cols, when, user_id, batch_id)
        with connection.cursor() as cursor:
            self.analyze(cursor)
            put_back = []
            new_rows, empty = self._new_rows(cursor)
            for table in (self.table, history._meta.db_table):
                put_back += self._bulk_load_into(cursor, table, new_rows, keys=empty)
            if empty and put_back:
                # A first load: every staged row is new (the table was empty,
                # and keys are unique in the bundle). Plain inserts, no
                # ON CONFLICT (its key index is gone until put back, and no
                # other session can insert: DROP has locked the table), and
                # the history rows copied from the table, every row a '+'.
                cursor.execute(
                    f"INSERT INTO {_q(self.table)} ({cols}) SELECT {cols} FROM {self.name}"
                )
                cursor.execute(
                    f"INSERT INTO {_q(history._meta.db_table)} ({', '.join(_q(c) for c in hist_cols)}) "
                    f"SELECT {', '.join(_q(c) for c in fields)}, %s::timestamptz, '+', %s::integer, %s::bigint "
                    f"FROM {_q(self.table)}",
                    [when, user_id, batch_id],
                )
                created, updated = cursor.rowcount, 0
            else:
                cursor.execute(sql, [when, user_id, batch_id])
                created, updated = cursor.fetchone()
            for statement in put_back:
                cursor.execute(statement)
            if put_back:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                self.bulk_rows = new_rows
        return created, updated

    def _finish_direct_load(self, history, fields, hist_cols, when, user_id, batch_id):
        """The write of a direct load (_start_direct_load): the rows are in
        the table already; write their history ('+' each), move the key's
        sequence past the lines, put back what was dropped."""
        table = _q(self.table)
        with connection.cursor() as cursor:
            # Earlier files' deferred checks run now: a table with pending
            # checks cannot be altered (as in _bulk_load_into).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            put_back = self._put_back + self._bulk_load_into(
                cursor, history._meta.db_table, self.rows, keys=True
            )
            cursor.execute(
                f"INSERT INTO {_q(history._meta.db_table)} ({', '.join(_q(c) for c in hist_cols)}) "
                f"SELECT {', '.join(_q(c) for c in fields)}, %s::timestamptz, '+', %s::integer, %s::bigint "
                f"FROM {table}",
                [when, user_id, batch_id],
            )
            created = cursor.rowcount
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM {table}", [self.table]
            )
            for statement in put_back:
                cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self._put_back = []
        self.bulk_rows = self.rows
        return created, 0

    @contextlib.contextmanager
    def derived_write(self, table):
        """Around a write into `table` of rows derived from this stage's
        rows (the surgery rollup): after a bulk load of this stage, that
        write is a bulk load too (its foreign keys and plain indexes are
        dropped and put back, see _bulk_load_into), when `table` holds no
        more rows than the bulk load wrote. Otherwise nothing changes."""
        put_back = []
        if self.postgres and self.bulk_rows:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_q(table)})")
                empty = cursor.fetchone()[0]
                put_back = self._bulk_load_into(cursor, table, self.bulk_rows, keys=empty)
        yield
        if put_back:
            with connection.cursor() as cursor:
                for statement in put_back:
                    cursor.execute(statement)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def analyze(self, cursor=None):
        """Give a large staging table planner statistics when it is to be
        joined with a table that holds rows. A temporary table has none
        (autovacuum never sees it): PostgreSQL then guesses a few hundred
        rows and looks each staged key up in the key index, one by one,
        where with statistics it hashes both sides: a re-import of
        unchanged rows takes half the time, ANALYZE included
        (docs/performance-history.md, "Figures behind comments")."""
        if not self.postgres or self.rows < ANALYZE_MIN_ROWS or self._analyzed or self.direct:
            return
        if cursor is None:
            with connection.cursor() as cursor:
                return self.analyze(cursor)
        self._analyzed = True
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(self.table)})")
        if cursor.fetchone()[0]:
            cursor.execute(f"ANALYZE {self.name}")

    def _new_rows(self, cursor):
        """(how many staged rows have a key the table does not hold yet,
        whether the table is empty), when that could make a bulk load
        ((0, False) when it cannot: too few rows)."""
        if self.rows < BULK_MIN_ROWS:
            return 0, False
        table = _q(self.table)
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [self.rows + 1])
        existing = cursor.fetchone()[0]
        if existing > self.rows:
            return 0, False
        if existing == 0:
            # The DROPs of the bulk load lock the table anyway: lock it now,
            # so that it stays empty until this import's rows are in.
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                return self.rows, True
            return self._new_rows(cursor)
        match = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in self.conflict)
        cursor.execute(
            f"SELECT count(*) FROM {self.name} s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})"
        )
        return cursor.fetchone()[0], False

    def _bulk_load_into(self, cursor, table, new_rows, keys=False):
        """For a bulk load into `table`, drop its foreign-key constraints and
        its plain (non-unique) indexes until the rows are written; return the
        statements that put them back.

        PostgreSQL checks a foreign key row by row (a trigger per row and
        key, deferred here to the commit), and updates every index row by
        row: for 1,000,000 surgeries, most of the time of the write. Put back
        after the write, each constraint is checked with one query over the
        whole table and each index is built in one sort, the way PostgreSQL's
        manual advises for populating a database. Only for a bulk load (at
        least BULK_MIN_ROWS new rows, into a table holding no more rows than
        that), so that checking and indexing the whole table again never
        costs more than the rows written would; a re-import of rows that are
        there already is no bulk load. Unique indexes stay (ON CONFLICT
        needs them), except with `keys` (a first load into an empty table,
        written with plain INSERTs): then the primary key, unique
        constraints and unique indexes go too, unless a foreign key of
        another table refers to them, and are put back (built, checked)
        first.

        All inside the import's transaction: no other session ever sees the
        table without its constraints or indexes (DROP locks the table until
        the commit, so readers of this table wait for a bulk load to end),
        and a row that fails a constraint fails the whole import as before.
        The importer has checked every reference already; the constraints
        are the database's own guarantee on top.
        """
        keys_back, rest = self._drop_for_bulk_load(cursor, table, new_rows, keys)
        return keys_back + rest

    def _drop_for_bulk_load(self, cursor, table, new_rows, keys):
        """_bulk_load_into's work: (statements that put the primary key and
        unique keys back, those that put the rest back)."""
        if new_rows < BULK_MIN_ROWS:
            return [], []
        qt = _q(table)
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {qt} LIMIT %s) t", [new_rows + 1])
        if cursor.fetchone()[0] > new_rows:
            return [], []
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND (%s OR NOT i.indisunique) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [table, keys],
        )
        indexes = cursor.fetchall()
        unique = []
        if keys:
            cursor.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u') "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid) "
                "ORDER BY c.contype, c.conname",
                [table],
            )
            unique = cursor.fetchall()
        keys_back, rest = [], []
        if unique or foreign_keys or indexes:
            # Earlier files' deferred checks run now (they would at the
            # commit): a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for constraints, back in ((unique, keys_back), (foreign_keys, rest)):  # keys before the references
            if constraints:
                cursor.execute(
                    f"ALTER TABLE {qt} " + ", ".join(f"DROP CONSTRAINT {_q(name)}" for name, _d in constraints)
                )
                back.append(
                    f"ALTER TABLE {qt} "
                    + ", ".join(f"ADD CONSTRAINT {_q(name)} {definition}" for name, definition in constraints)
                )
        if indexes:
            cursor.execute("DROP INDEX " + ", ".join(_q(name) for name, _d in indexes))
            keys_back += [definition for _n, definition in indexes if definition.startswith("CREATE UNIQUE ")]
            rest += [definition for _n, definition in indexes if not definition.startswith("CREATE UNIQUE ")]
        return keys_back, rest

    def _upsert_sqlite(self, history, fields, hist_cols, cols, changing, when, user_id, batch_id):
        table = _q(self.table)
        match = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in self.conflict)
        match_stg = " AND ".join(f"t.{_q(c)} = {self.name}.{_q(c)}" for c in self.conflict)
        differs = " OR ".join(f"t.{_q(c)} IS NOT {self.name}.{_q(c)}" for c in changing) or "0"
        conflict = ", ".join(_q(c) for c in self.conflict)
        if changing:
            sets = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in changing)
            action = f"DO UPDATE SET {sets}"
        else:
            action = "DO NOTHING"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.name} SET _op = CASE "
                f"WHEN NOT EXISTS (SELECT 1 FROM {table} t WHERE {match_stg}) THEN '+' "
                f"WHEN EXISTS (SELECT 1 FROM {table} t WHERE {match_stg} AND ({differs})) THEN '~' "
                f"END"
            )
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {self.name} "
                f"WHERE _op IS NOT NULL ON CONFLICT ({conflict}) {action}"
            )
            cursor.execute(
                f"INSERT INTO {_q(history._meta.db_table)} ({', '.join(_q(c) for c in hist_cols)}) "
                f"SELECT {', '.join('t.' + _q(c) for c in fields)}, %s, s._op, %s, %s "
                f"FROM {table} t JOIN {self.name} s ON {match} WHERE s._op IS NOT NULL",
                [when, user_id, batch_id],
            )
            cursor.execute(
                f"SELECT count(CASE WHEN _op = '+' THEN 1 END), count(CASE WHEN _op = '~' THEN 1 END) "
                f"FROM {self.name}"
            )
            created, updated = cursor.fetchone()
        return created, updated

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
