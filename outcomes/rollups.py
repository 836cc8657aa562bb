"""The rollups that the figures read, kept exact on every write: the monthly
surgery rollup (outcomes.SurgeryMonth) and the trainee rollups
(outcomes.TraineeSpanMonth, its keys of programs and hosts in
outcomes.TraineeGroupSpanMonth, and the trainings list's
outcomes.TrainingCountMonth).

This module is the one place their upkeep is written. `rebuild_all()`
recomputes every rollup of the project (these and deployments' experts per
month); `manage.py rebuild_rollups`, `generate_data`, `loaddata` and the
importer use it or the narrower functions below. Model saves and deletes,
and bulk writes (aidtracker/lib/bulk_writes.py), reach it through signals
connected in outcomes/apps.py, so the models import nothing of it.

One SurgeryMonth row holds the counts of the surgeries of one (hospital,
month, specialty, team) group, a column per figure of SURGERY_COUNTS (the
summaries' own definitions). figures/summary.py reads whole months of a
period from it and only the partial months at the period's edges from the
surgeries themselves, so the region dashboard's cost does not grow with the
number of surgeries. It is recomputed, never adjusted by deltas:
`rebuild_surgery_months()` deletes the rows of the (hospital, month) groups
it is given and inserts them again from the surgeries, set-based, in the
caller's transaction (2 statements). On PostgreSQL a transaction-level
advisory lock serialises the rebuilds of concurrent transactions, so the
second one sees the first one's rows and recomputes from them (the lock is
taken by the first statement).
"""

import datetime as dt

from django.db import connections
from django.db.models import Count, IntegerField
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from aidtracker.lib.periods import MonthOf, as_date, month_end, month_of_sql, month_start
from aidtracker.lib.rollups import PeopleDelta, add_rows, advisory_lock, span_counts_sql
from deployments import rollups as deployment_rollups
from deployments.models import Program
from aidtracker.lib.bulk_writes import per_row_upkeep_muted, rows_writing, rows_written
from hospitals.models import Hospital, Region
from outcomes.models import (
    ANY_KIND,
    INDEPENDENT,
    STARTED,
    SURGERY_COUNTS,
    Surgery,
    SurgeryMonth,
    Trainee,
    TraineeGroupSpanMonth,
    TraineeSpanMonth,
    Training,
    TrainingCountMonth,
)

LOCK_KEY = 7_215_001  # pg_advisory_xact_lock key of the rollups' rebuilds and adjustments


def rebuild_all(*, using="default") -> None:
    """Recompute every rollup of the project from the rows: the surgery and
    trainee rollups here and the experts per month (deployments/rollups.py)."""
    rebuild_surgery_months(using=using)
    rebuild_trainees(using=using)
    deployment_rollups.rebuild_all(using=using)


def rebuild_surgery_months(hospitals=None, start=None, end=None, *, using="default") -> None:
    """Recompute the rollup rows of `hospitals` (codes; None = all) for the
    months from start's to end's (dates; None = open), from the surgeries.
    Run it inside the transaction that changed the surgeries."""
    hospitals = None if hospitals is None else sorted(set(hospitals))
    if hospitals is not None and not hospitals:
        return
    old = SurgeryMonth.objects.using(using)
    surgeries = Surgery.objects.using(using).order_by()
    if hospitals is not None:
        old, surgeries = old.filter(hospital__in=hospitals), surgeries.filter(hospital__in=hospitals)
    if start is not None:
        first = month_start(as_date(start))
        old, surgeries = old.filter(month__gte=first), surgeries.filter(date__gte=first)
    if end is not None:
        last = month_end(as_date(end))
        old, surgeries = old.filter(month__lte=month_start(last)), surgeries.filter(date__lte=last)
    connection = connections[using]
    if connection.vendor == "postgresql":
        # The new rows are inserted once the old ones are gone: the INSERT
        # reads the count of the DELETE's rows (an InitPlan, run first), as
        # sub-statements of a WITH run in no set order.
        surgeries = surgeries.alias(
            after_delete=RawSQL("(SELECT COUNT(*) FROM gone)", [], output_field=IntegerField())
        ).filter(after_delete__gte=0)
    groups = surgeries.values("hospital", "specialty", "team", grouped_month=MonthOf("date")).annotate(
        **{f"n_{figure}": Count("pk", filter=q or None) for figure, q in SURGERY_COUNTS.items()}
    )
    select, select_params = groups.query.sql_with_params()
    columns = ", ".join(["hospital_id", "specialty_id", "team_id", "month", *SURGERY_COUNTS])
    table = SurgeryMonth._meta.db_table
    insert = f"INSERT INTO {table} ({columns}) {select}"
    gone, gone_params = old.values("pk").query.sql_with_params()
    delete = f"DELETE FROM {table} WHERE id IN ({gone})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Statement 1 waits for any other transaction's rebuild to commit;
            # statement 2 (a new snapshot) then sees its rows.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            cursor.execute(f"WITH gone AS ({delete} RETURNING 1) {insert}", [*gone_params, *select_params])
        else:
            cursor.execute(delete, gone_params)
            cursor.execute(insert, select_params)


def rebuild_surgery_groups(keys, *, using="default") -> None:
    """Rebuild each distinct (hospital code, date) group (Surgery.rollup_key):
    one rebuild per (hospital, month), none for keys that are None."""
    seen = set()
    for key in keys:
        if key is None or key[0] is None or key[1] is None:
            continue
        group = (key[0], month_start(as_date(key[1])))
        if group not in seen:
            seen.add(group)
            rebuild_surgery_months([group[0]], group[1], group[1], using=using)


def _on_surgery_save(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    old = getattr(instance, "_rollup_key", None)
    new = instance.rollup_key
    rebuild_surgery_groups([new, old] if old != new else [new], using=using)
    instance._rollup_key = new


def _on_surgery_delete(sender, instance, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    rebuild_surgery_groups([getattr(instance, "_rollup_key", None) or instance.rollup_key], using=using)


def _on_surgeries_written(sender, using="default", hospitals=None, first=None, last=None, **kwargs):
    """A bulk write of surgeries: the hospitals and dates it touched, before
    and after (None: rebuild it all)."""
    if hospitals is None:
        rebuild_surgery_months(using=using)
    elif hospitals:
        rebuild_surgery_months(hospitals, first, last, using=using)


# --------------------------------------------------------------------------
# The trainee span rollup (outcomes.TraineeSpanMonth)
#
# The summary counts *distinct* trainees whose trainings overlap a period,
# which no sum of per-month counts gives. It does follow from counts of
# intervals, though. Merge the trainings of one trainee (of one kind, or of
# any kind) into disjoint spans s1 < s2 < ... (a span ends before the next
# begins). The spans that overlap a period [a, b] are consecutive, so
#
#     1 if any span overlaps [a, b], else 0
#       = (spans overlapping [a, b]) - (gaps with end_k >= a and start_k+1 <= b)
#
# where gap k lies between span k and span k+1: if spans i..j overlap, exactly
# the j - i gaps between them satisfy the condition, and every gap that does
# has both its neighbours overlapping. A gap is thus counted like an interval
# whose "first" is start_k+1 and whose "last" is end_k. Summed over trainees,
# distinct trainees = (+1 per overlapping span) + (-1 per overlapping gap):
# an ordinary additive count, kept per (hospital, kind, first month, last
# month), a few thousand rows per hospital however many trainings; and the
# same again per donor and per specialty (and both: SPAN_KEYS), spans merged
# within each key, so the summary's donor and specialty filters read it too.
# For a period of whole months the month of a date decides exactly (start <= b
# iff its month <= b's month; end >= a iff its month >= a's month); other
# periods and the program filter are computed from the trainings themselves
# (figures/summary.py). `independent` works the same way, each
# independent_on date a one-day span, and so do the kinds STARTED and
# started(kind): each training's start date a one-day span, so that the
# rows overlapping a period count the distinct trainees who began a training
# (of any kind, of one kind) within it: the trainee charts (per month, the
# rows whose first and last month are that month; per year, the donor
# dashboard's). An ongoing span's last month is ONGOING_MONTH (after every
# real month).
#
# TrainingCountMonth counts the trainings themselves, under the same keys
# and kinds (not merged: each training once per key, under any kind and its
# own; no independent or start-date rows), per (first month, last month) of
# the training: a training overlaps a period [a, b] of whole months exactly
# when its first month <= b's and its last month >= a's, so the trainings
# list's row count is a sum of rows too (COUNT(*) over a region's trainings
# reads them all).
#
# TraineeGroupSpanMonth holds the same signed spans and gaps under keys the
# span rollup has not: a program's trainings (group "program", code the
# program; kinds any, each kind, independent) and further study by where it
# is hosted (group "host", code the host hospital; "host_region", code the
# host hospital's province; kind further_study), each for any specialty and
# per specialty, per trainee hospital like the span rollup (the recipient
# filter; a hospital's rebuild). The program page's trainees and the donor
# summary's and donor hospitals' hosted trainees read it for whole months
# (figures/definitions.py program_trainee_spans, hosted_trainee_spans). Its
# rows come from the same span SQL and, on a write, from the same read of
# the trainees' contributions (one UNION ALL with the span rollup's rows,
# group "" marking those). A host hospital's province also changes when the
# hospital moves to another region (the trainees of its further study are
# adjusted) or its region is put under another province (rebuilt whole).
#
# All three are sums of per-trainee contributions, so a write that touches a few
# trainees adjusts them: the contributions of those trainees are read before
# the write and after it, and the difference is added (TraineeDelta: model
# saves and deletes of trainings and trainees through signals, and small
# bulk writes; a program's change of donor moves its trainings' trainees).
# Large bulk writes (the importer, generate_data, loaddata,
# the data migration, `manage.py rebuild_rollups`) recompute the rows of the
# hospitals they touched from the trainings instead (rebuild_trainees).

SPAN_TABLE = TraineeSpanMonth._meta.db_table
COUNT_TABLE = TrainingCountMonth._meta.db_table
TRAINING_TABLE = Training._meta.db_table
TRAINEE_TABLE = Trainee._meta.db_table
PROGRAM_TABLE = Program._meta.db_table
SPAN_COLUMNS = ["hospital_id", "donor", "specialty", "kind", "first_month", "last_month"]  # its unique key
GROUP_TABLE = TraineeGroupSpanMonth._meta.db_table
GROUP_COLUMNS = ["hospital_id", "grp", "code", "specialty", "kind", "first_month", "last_month"]  # its unique key
HOSPITAL_TABLE = Hospital._meta.db_table
REGION_TABLE = Region._meta.db_table
ONGOING = dt.date(9999, 12, 31)  # the end of a training without one, while merging
ONGOING_MONTH = dt.date(9999, 12, 1)  # the last month of an ongoing span
DELTA_MAX_TRAINEES = 500  # more trainees than this: rebuild their hospitals instead


# The keys of the span rollup beside the hospital: (donor, specialty), ""
# meaning all. Every training counts under ("", ""), under its own specialty,
# and, when it names a program, under that program's donor alone and with its
# specialty: so the summary's donor and specialty filters (and both) read the
# rollup too. A training without a program belongs to no donor.
SPAN_KEYS = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) g"
SPAN_KEY_DONOR = "CASE WHEN g.n IN (1, 3) THEN y.d ELSE '' END"
SPAN_KEY_SPECIALTY = "CASE WHEN g.n >= 2 THEN y.c ELSE '' END"
SPAN_KEY_PRESENT = "(g.n IN (0, 2) OR y.d IS NOT NULL)"


def _trainee_sql(vendor, where, where_params):
    """(span rows SQL, params, counts SQL, params): the span rows (h, p, g,
    d, c, k, s, e: hospital, trainee, group "" for TraineeSpanMonth, donor,
    specialty, kind, first and last day) under each key, ready for
    span_counts_sql, and a SELECT of (hospital, donor, specialty, kind,
    first month, last month, trainings), over the trainings joined to their
    trainees and programs, restricted by `where` (a condition on x =
    training, tr = trainee)."""

    def month(column):
        return month_of_sql(vendor, column)

    source = (
        f"FROM {TRAINING_TABLE} x INNER JOIN {TRAINEE_TABLE} tr ON tr.code = x.trainee_id "
        f"LEFT OUTER JOIN {PROGRAM_TABLE} pg ON pg.code = x.program_id WHERE {where}"
    )
    # (hospital, trainee, kind key, start, end, donor, specialty) once for
    # "any kind", once for the training's own kind, and a one-day row per
    # independent_on date.
    rows_sql = (
        f"SELECT tr.hospital_id AS h, x.trainee_id AS p, %s AS k, x.start_date AS s, "
        f"COALESCE(x.end_date, %s) AS e, pg.donor_region_id AS d, x.specialty_id AS c {source} "
        f"UNION ALL SELECT tr.hospital_id, x.trainee_id, x.kind, x.start_date, COALESCE(x.end_date, %s), "
        f"pg.donor_region_id, x.specialty_id {source} "
        f"UNION ALL SELECT tr.hospital_id, x.trainee_id, %s, x.independent_on, x.independent_on, "
        f"pg.donor_region_id, x.specialty_id {source} AND x.independent_on IS NOT NULL"
    )
    rows_params = [ANY_KIND, ONGOING, *where_params, ONGOING, *where_params, INDEPENDENT, *where_params]
    # The spans also hold each start date as a one-day row, of any kind and
    # of the training's own kind (STARTED, started(kind)).
    span_rows_sql = (
        f"{rows_sql} UNION ALL SELECT tr.hospital_id, x.trainee_id, %s, x.start_date, x.start_date, "
        f"pg.donor_region_id, x.specialty_id {source} "
        f"UNION ALL SELECT tr.hospital_id, x.trainee_id, %s || x.kind, x.start_date, x.start_date, "
        f"pg.donor_region_id, x.specialty_id {source}"
    )
    span_rows_params = [*rows_params, STARTED, *where_params, f"{STARTED}:", *where_params]

    def keyed(rows):
        """The same rows under each key (SPAN_KEYS)."""
        return (
            f"SELECT y.h AS h, y.p AS p, '' AS g, {SPAN_KEY_DONOR} AS d, {SPAN_KEY_SPECIALTY} AS c, "
            f"y.k AS k, y.s AS s, y.e AS e FROM ({rows}) y CROSS JOIN {SPAN_KEYS} WHERE {SPAN_KEY_PRESENT}"
        )

    # Trainings, not merged: each row of a kind key (not the independent
    # dates, not the start dates), under each key (an ongoing training's
    # last month is ONGOING_MONTH).
    counts_sql = (
        f"SELECT h, d, c, k, first, last, COUNT(*) FROM (SELECT y.h AS h, y.d AS d, y.c AS c, y.k AS k, "
        f"{month('y.s')} AS first, CASE WHEN y.e = %s THEN %s ELSE {month('y.e')} END AS last "
        f"FROM ({keyed(rows_sql)}) y WHERE y.k <> %s) z GROUP BY h, d, c, k, first, last"
    )
    counts_params = [ONGOING, ONGOING_MONTH, *rows_params, INDEPENDENT]
    return keyed(span_rows_sql), span_rows_params, counts_sql, counts_params


# The keys of TraineeGroupSpanMonth, in one pass over the trainings that
# name a program or a host hospital: GROUP_VARIANTS picks each row's group,
# code, kind and dates (0, 1, 2: the program's, of any kind, of its own
# kind, its independent_on date; 3: the host hospital's; 4: the host
# hospital's province), GROUP_SPECIALTIES its specialty key ("" and its own).
GROUP_VARIANTS = (
    "(SELECT 0 AS v UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) gv"
)
GROUP_SPECIALTIES = "(SELECT 0 AS sp UNION ALL SELECT 1) gs"


def _group_rows_sql(where, where_params):
    """(SQL, params): the span rows (h, p, g, d, c, k, s, e, as
    _trainee_sql's; g the group, d its code) of TraineeGroupSpanMonth's keys
    of the trainings restricted by `where` (a condition on x = training,
    tr = trainee)."""
    province = "COALESCE(r2.parent_id, r1.parent_id, r1.code)"  # as hospitals.models.province_of
    source = (
        f"SELECT tr.hospital_id AS h, x.trainee_id AS p, x.kind AS k, x.start_date AS s, "
        f"COALESCE(x.end_date, %s) AS e, x.specialty_id AS c, x.program_id AS prog, "
        f"x.host_hospital_id AS host, {province} AS host_region, x.independent_on AS ind "
        f"FROM {TRAINING_TABLE} x INNER JOIN {TRAINEE_TABLE} tr ON tr.code = x.trainee_id "
        f"LEFT OUTER JOIN {HOSPITAL_TABLE} hh ON hh.code = x.host_hospital_id "
        f"LEFT OUTER JOIN {REGION_TABLE} r1 ON r1.code = hh.region_id "
        f"LEFT OUTER JOIN {REGION_TABLE} r2 ON r2.code = r1.parent_id "
        f"WHERE ({where}) AND (x.program_id IS NOT NULL OR x.host_hospital_id IS NOT NULL)"
    )
    sql = (
        "SELECT y.h AS h, y.p AS p, "
        "CASE WHEN gv.v <= 2 THEN %s WHEN gv.v = 3 THEN %s ELSE %s END AS g, "
        "CASE WHEN gv.v <= 2 THEN y.prog WHEN gv.v = 3 THEN y.host ELSE y.host_region END AS d, "
        "CASE WHEN gs.sp = 1 THEN y.c ELSE '' END AS c, "
        "CASE WHEN gv.v = 0 THEN %s WHEN gv.v = 2 THEN %s ELSE y.k END AS k, "
        "CASE WHEN gv.v = 2 THEN y.ind ELSE y.s END AS s, "
        "CASE WHEN gv.v = 2 THEN y.ind ELSE y.e END AS e "
        f"FROM ({source}) y CROSS JOIN {GROUP_VARIANTS} CROSS JOIN {GROUP_SPECIALTIES} "
        "WHERE (gv.v <= 1 AND y.prog IS NOT NULL) OR (gv.v = 2 AND y.prog IS NOT NULL AND y.ind IS NOT NULL) "
        "OR (gv.v >= 3 AND y.host IS NOT NULL)"
    )
    G = TraineeGroupSpanMonth
    return sql, [G.PROGRAM, G.HOST, G.HOST_REGION, ANY_KIND, INDEPENDENT, ONGOING, *where_params]


def _spans_sql(vendor, rows_sql, keys):
    return span_counts_sql(vendor, rows_sql, keys, ongoing=(ONGOING, ONGOING_MONTH))


def rebuild_trainees(hospitals=None, *, using="default", counts=True, groups=True) -> None:
    """Recompute the trainee rollups (spans, training counts, the spans of
    programs and hosts) for the trainees of `hospitals` (codes; None = all),
    from the trainings. Run it inside the transaction that changed the
    trainings or trainees. 6 statements (+1 lock on PostgreSQL); 2 fewer
    without `counts` (the training counts left alone), 2 fewer without
    `groups` (TraineeGroupSpanMonth left alone: the migrations before it
    existed)."""
    hospitals = None if hospitals is None else sorted({h for h in hospitals if h is not None})
    if hospitals is not None and not hospitals:
        return
    connection = connections[using]
    where, params, delete_where = _of_hospitals(hospitals)
    rows_sql, rows_params, counts_sql, counts_params = _trainee_sql(connection.vendor, where, params)
    spans_sql, spans_params = _spans_sql(connection.vendor, rows_sql, ["h", "d", "c", "k"])
    with connection.cursor() as cursor:
        advisory_lock(cursor, connection.vendor, LOCK_KEY)
        cursor.execute(f"DELETE FROM {SPAN_TABLE}{delete_where}", params)
        cursor.execute(
            f"INSERT INTO {SPAN_TABLE} ({', '.join(SPAN_COLUMNS)}, n) {spans_sql}", [*rows_params, *spans_params]
        )
        if counts:
            cursor.execute(f"DELETE FROM {COUNT_TABLE}{delete_where}", params)
            cursor.execute(
                f"INSERT INTO {COUNT_TABLE} ({', '.join(SPAN_COLUMNS)}, trainings) {counts_sql}", counts_params
            )
    if groups:
        rebuild_trainee_groups(hospitals, using=using, lock=False)


def rebuild_trainee_groups(hospitals=None, *, using="default", lock=True) -> None:
    """Recompute TraineeGroupSpanMonth alone for the trainees of `hospitals`
    (codes; None = all), from the trainings (its first fill, by migration
    0013; a region moved under another province; rebuild_trainees keeps it
    with the other rollups). 2 statements (+1 lock on PostgreSQL)."""
    hospitals = None if hospitals is None else sorted({h for h in hospitals if h is not None})
    if hospitals is not None and not hospitals:
        return
    connection = connections[using]
    where, params, delete_where = _of_hospitals(hospitals)
    rows_sql, rows_params = _group_rows_sql(where, params)
    groups_sql, groups_params = _spans_sql(connection.vendor, rows_sql, ["h", "g", "d", "c", "k"])
    with connection.cursor() as cursor:
        if lock:
            advisory_lock(cursor, connection.vendor, LOCK_KEY)
        cursor.execute(f"DELETE FROM {GROUP_TABLE}{delete_where}", params)
        cursor.execute(
            f"INSERT INTO {GROUP_TABLE} ({', '.join(GROUP_COLUMNS)}, n) {groups_sql}", [*rows_params, *groups_params]
        )


def _of_hospitals(hospitals):
    """(condition on trainings, params, WHERE of a rollup's rows) for the
    trainees of `hospitals` (None: all)."""
    if hospitals is None:
        return "1 = 1", [], ""
    marks = ", ".join(["%s"] * len(hospitals))
    return f"tr.hospital_id IN ({marks})", list(hospitals), f" WHERE hospital_id IN ({marks})"


def rebuild_training_counts(*, using="default") -> None:
    """Recompute TrainingCountMonth alone from all trainings (its first fill,
    by migration 0009; rebuild_trainees keeps it with the spans). 2
    statements (+1 lock on PostgreSQL)."""
    connection = connections[using]
    _rows_sql, _rows_params, counts_sql, counts_params = _trainee_sql(connection.vendor, "1 = 1", [])
    with connection.cursor() as cursor:
        advisory_lock(cursor, connection.vendor, LOCK_KEY)
        cursor.execute(f"DELETE FROM {COUNT_TABLE}")
        cursor.execute(f"INSERT INTO {COUNT_TABLE} ({', '.join(SPAN_COLUMNS)}, trainings) {counts_sql}", counts_params)


def _contributions(trainees, connection) -> tuple[dict, dict, dict]:
    """({(hospital, donor, specialty, kind, first, last): n},
    {(hospital, donor, specialty, kind, first, last): trainings},
    {(hospital, group, code, specialty, kind, first, last): n}): what the
    given trainees add to the three rollups now. 2 queries: the spans of
    both span rollups are merged in one (group "" for TraineeSpanMonth)."""
    marks = ", ".join(["%s"] * len(trainees))
    where, where_params = f"x.trainee_id IN ({marks})", list(trainees)
    rows_sql, rows_params, counts_sql, counts_params = _trainee_sql(connection.vendor, where, where_params)
    group_rows_sql, group_rows_params = _group_rows_sql(where, where_params)
    spans_sql, spans_params = _spans_sql(
        connection.vendor, f"{rows_sql} UNION ALL {group_rows_sql}", ["h", "g", "d", "c", "k"]
    )

    def dated(row, first):
        return tuple(as_date(v) if i >= first else v for i, v in enumerate(row))

    spans, groups = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(spans_sql, [*rows_params, *group_rows_params, *spans_params])
        for h, g, d, c, k, first, last, n in cursor.fetchall():
            if g:
                groups[dated((h, g, d, c, k, first, last), 5)] = n
            else:
                spans[dated((h, d, c, k, first, last), 4)] = n
        cursor.execute(counts_sql, counts_params)
        counts = {dated(row[:6], 4): row[6] for row in cursor.fetchall()}
    return spans, counts, groups


class TraineeDelta(PeopleDelta):
    """Keeps the trainee rollups exact across a write that touches a few
    trainees (PeopleDelta); more than DELTA_MAX_TRAINEES: their hospitals,
    before and after the write, are rebuilt instead. Use as
    `with TraineeDelta(codes): <write>`, inside the write's transaction."""

    lock_key = LOCK_KEY

    def limit(self):
        return DELTA_MAX_TRAINEES

    def contributions(self):
        return _contributions(self.people, self.connection)

    def write(self, cursor, changes):
        spans, counts, groups = changes
        add_rows(cursor, SPAN_TABLE, SPAN_COLUMNS, ["n"], spans)
        add_rows(cursor, COUNT_TABLE, SPAN_COLUMNS, ["trainings"], counts)
        add_rows(cursor, GROUP_TABLE, GROUP_COLUMNS, ["n"], groups)

    def remember(self):
        self.hospitals = trainee_hospitals(self.people, using=self.using)

    def rebuild_all(self):
        rebuild_trainees(self.hospitals | trainee_hospitals(self.people, using=self.using), using=self.using)


def trainee_hospitals(trainee_codes, *, using="default") -> set:
    """Hospital codes of the given trainees, as they are now (1 query)."""
    codes = {c for c in trainee_codes if c is not None}
    if not codes:
        return set()
    return set(Trainee.objects.using(using).filter(code__in=codes).values_list("hospital", flat=True).distinct())


# Model saves and deletes: the contributions before (pre_ signal) and after
# (post_ signal). The "before" only reads, so a save that fails changes nothing.


def _training_trainees(instance):
    """The trainee a training has now and the one it had in the database."""
    old = getattr(instance, "_rollup_trainee", None)
    if old is None and instance.pk is not None:
        old = type(instance)._default_manager.filter(pk=instance.pk).values_list("trainee_id", flat=True).first()
    return {instance.trainee_id, old}


def _before(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    if sender.__name__ == "Training":
        trainees = _training_trainees(instance)
    elif kwargs.get("signal") is pre_save and getattr(instance, "_rollup_hospital", None) == instance.hospital_id:
        return  # a trainee loaded from the database, still at the same hospital: nothing moves
    else:
        trainees = {instance.pk}
    instance._trainee_delta = TraineeDelta(trainees, using=using).before()


def _after(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    delta = instance.__dict__.pop("_trainee_delta", None)
    if delta is not None:
        delta.after()
    if sender.__name__ == "Training":
        instance._rollup_trainee = instance.trainee_id
    else:
        instance._rollup_hospital = instance.hospital_id


def _before_bulk_write(sender, using="default", trainees=(), **kwargs):
    """A bulk write of trainings or trainees: what `trainees` contribute is
    read now; the returned callable adds the difference after the write."""
    if trainees:
        return TraineeDelta(trainees, using=using).before().after
    return None


def _after_bulk_write(sender, using="default", all_trainees=False, **kwargs):
    """A bulk write whose effect cannot be told in advance (computed values):
    rebuild it all."""
    if all_trainees:
        rebuild_trainees(using=using)


def _after_programs_written(sender, using="default", fields=None, **kwargs):
    """An update of programs that set their donor moves their trainings to
    another donor's key: rebuild (rare; the forms and the importer save
    programs one by one)."""
    if fields is None or {"donor_region", "donor_region_id"} & set(fields):
        rebuild_trainees(using=using)


def _before_program_save(sender, instance, raw=False, using="default", **kwargs):
    """A program that changes donor moves its trainings' trainees from one
    donor's span rows to the other's: read what they contribute now."""
    if per_row_upkeep_muted():
        return
    old = getattr(instance, "_rollup_donor", None)
    if old is None:
        old = sender._default_manager.using(using).filter(pk=instance.pk).values_list(
            "donor_region_id", flat=True
        ).first()
    if old is None or old == instance.donor_region_id:
        return  # a new program (no trainings yet) or the same donor
    trainees = Training.objects.using(using).filter(program=instance.pk).values_list("trainee_id", flat=True)
    instance._trainee_delta = TraineeDelta(set(trainees), using=using).before()


def _after_program_save(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    delta = instance.__dict__.pop("_trainee_delta", None)
    if delta is not None:
        delta.after()
    instance._rollup_donor = instance.donor_region_id


def _before_hospital_save(sender, instance, raw=False, using="default", **kwargs):
    """A hospital that moves to another region may move the further study
    it hosts to another province's key (TraineeGroupSpanMonth's
    HOST_REGION): read what those trainings' trainees contribute now. 1
    query when it stays (its old region), 3-4 more when it moves."""
    if per_row_upkeep_muted() or instance.pk is None:
        return
    old = sender._default_manager.using(using).filter(pk=instance.pk).values_list("region_id", flat=True).first()
    if old is None or old == instance.region_id:
        return  # a new hospital (hosts nothing yet) or the same region
    trainees = Training.objects.using(using).filter(host_hospital=instance.pk).values_list("trainee_id", flat=True)
    instance._trainee_delta = TraineeDelta(set(trainees), using=using).before()


def _before_region_save(sender, instance, raw=False, using="default", **kwargs):
    """A region put under another parent may move every hospital below it
    to another province: TraineeGroupSpanMonth is rebuilt after the save
    (rare)."""
    if per_row_upkeep_muted() or instance.pk is None:
        return
    old = sender._default_manager.using(using).filter(pk=instance.pk).values_list("parent_id").first()
    if old is not None and old[0] != instance.parent_id:
        instance._trainee_delta = _GroupsRebuild(using)


class _GroupsRebuild:
    def __init__(self, using):
        self.using = using

    def after(self):
        rebuild_trainee_groups(using=self.using)


def _after_places_written(sender, using="default", **kwargs):
    """An update or upsert that put hospitals in other regions or regions
    under other parents (hospitals' AnnouncedWrites):
    TraineeGroupSpanMonth is rebuilt (rare)."""
    rebuild_trainee_groups(using=using)


def _after_structure_save(sender, instance, raw=False, using="default", **kwargs):
    if per_row_upkeep_muted():
        return
    delta = instance.__dict__.pop("_trainee_delta", None)
    if delta is not None:
        delta.after()


def connect() -> None:
    """Keep the rollups of this module exact on every write (called by outcomes/apps.py)."""
    post_save.connect(_on_surgery_save, sender=Surgery, dispatch_uid="outcomes.rollups.save")
    post_delete.connect(_on_surgery_delete, sender=Surgery, dispatch_uid="outcomes.rollups.delete")
    rows_written.connect(_on_surgeries_written, sender=Surgery, dispatch_uid="outcomes.rollups.bulk")
    rows_written.connect(_after_programs_written, sender=Program, dispatch_uid="outcomes.rollups.program_bulk")
    for model in (Training, Trainee):
        name = model.__name__.lower()
        pre_save.connect(_before, sender=model, dispatch_uid=f"outcomes.rollups.{name}_pre_save")
        post_save.connect(_after, sender=model, dispatch_uid=f"outcomes.rollups.{name}_post_save")
        pre_delete.connect(_before, sender=model, dispatch_uid=f"outcomes.rollups.{name}_pre_delete")
        post_delete.connect(_after, sender=model, dispatch_uid=f"outcomes.rollups.{name}_post_delete")
        rows_writing.connect(_before_bulk_write, sender=model, dispatch_uid=f"outcomes.rollups.{name}_bulk_pre")
        rows_written.connect(_after_bulk_write, sender=model, dispatch_uid=f"outcomes.rollups.{name}_bulk_post")
    # Programs are deleted only without trainings (PROTECT): a save alone can move spans.
    pre_save.connect(_before_program_save, sender=Program, dispatch_uid="outcomes.rollups.program_pre_save")
    post_save.connect(_after_program_save, sender=Program, dispatch_uid="outcomes.rollups.program_post_save")
    # Hospitals and regions are deleted only without trainings (PROTECT).
    for model, before in ((Hospital, _before_hospital_save), (Region, _before_region_save)):
        name = model.__name__.lower()
        pre_save.connect(before, sender=model, dispatch_uid=f"outcomes.rollups.{name}_pre_save")
        post_save.connect(_after_structure_save, sender=model, dispatch_uid=f"outcomes.rollups.{name}_post_save")
        rows_written.connect(_after_places_written, sender=model, dispatch_uid=f"outcomes.rollups.{name}_bulk")
