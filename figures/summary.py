"""The region summary (interchange spec v1, section 5) and the series that the
overview and region dashboards chart.

Every function here computes its figures in the database with a fixed number
of queries, whatever the data size; Python only shapes the few result rows
(one per donor, month or region) into plain dicts and lists that a view can
hand to `json_script` or `JsonResponse`.

Surgeries are read from the monthly rollup `outcomes.SurgeryMonth` for the
whole months of a period and from the surgery rows only for the partial
months at its edges (`split_period`, `_surgery_groups`: one UNION ALL query),
so their cost follows the number of (hospital, month, specialty, team)
groups, not of surgeries. outcomes/rollups.py keeps the rollup exact on every
write; the figures equal the spec's definitions for any day-level period.

Distinct trainees do not add up over months, but signed counts of merged
training spans (+1) and of the gaps between a trainee's spans (-1) do
(outcomes/rollups.py explains why): for a period of whole months (or open
ends) without a specialty or donor filter, the trainee figures, the
trainees-per-month chart and the overview's trainees are read from
`outcomes.TraineeSpanMonth` and `TraineeStartMonth`, a few rows per hospital
and month; other periods and the filters read the trainings (same number of
queries either way). The experts-per-month chart reads
`deployments.ExpertMonth` (distinct experts per province and month) on the
same conditions.

Public functions (signatures are stable; the pages and the API use them):

- `region_summary(region, period=Period(), *, specialty=None, donor=None) -> dict`
  exactly the spec's JSON shape (4 queries; +1 when `region` is a code).
- `recipient_regions() -> QuerySet[Region]` (1 query when evaluated).
- `overview(period=Period()) -> list[dict]` headline figures of every
  recipient region (6 queries).
- `chart_period(region, period=Period()) -> Period` the closed period the
  monthly charts show (0 queries when both bounds are given, else 1).
- `surgeries_per_month`, `experts_per_month`, `trainees_per_month`,
  `techniques_per_year` (1 query each, +1 for an open period) and
  `region_charts(...)` (all four: 4 queries, +1 for an open period).
- `region_dashboard(region, period=Period(), *, specialty=None, donor=None)
  -> {"summary": ..., "charts": ...}`: both of the above, reading the
  surgeries once (7 queries, +1 for an open period).
- `parse_period(from_text, to_text) -> Period` and
  `resolve_summary_args(code, from_text, to_text, specialty, donor)` for
  the command and the API (SummaryArgumentError with an HTTP status).

Where the spec's wording leaves a choice, it is read literally: twinnings
and teams count by their own dates ("twinnings ... whose dates overlap");
experts and expert_days by the rotation's dates, whatever the program's;
by_donor's surgeries are the counted surgeries whose team belongs to a
program of that donor (any of its programs; the entries themselves are the
donors with a counted program).

The optional filters of the dashboard (not part of the spec; absent = the
spec's figures exactly):

`specialty` (a specialty code) narrows every figure that has a specialty of
its own: twinned_departments (the twinning's specialty), experts and
expert_days and by_donor's experts/expert_days (the rotation's specialty),
surgeries and by_donor's surgeries (the surgery's), trainees (the training's),
techniques (the technique's) and consultations (the consultation's).
Programs, teams and referrals have no specialty and stay as they are; so does
the list of by_donor entries and their `programs`.

`donor` (a province-level region code) keeps the programs of that donor
region and what hangs off them: programs, twinned_departments, teams (of
those programs), experts and expert_days (rotations in their teams),
surgeries (whose team belongs to one of that donor's programs; surgeries
without a team drop out), trainees and techniques (whose program is one of
that donor's programs; rows without a program drop out), consultations
(whose consulting hospital lies in the donor region) and by_donor (that
donor's entry only). Referrals have no relation to a donor and stay.
"""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext as _

from deployments.models import ExpertMonth, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from aidtracker.lib.periods import Period, month_end, month_start, overlaps_q, within_q
from outcomes import rollups
from outcomes.models import (
    MINIMALLY_INVASIVE,
    Consultation,
    Referral,
    Surgery,
    SurgeryMonth,
    Technique,
    Trainee,
    TraineeSpanMonth,
    TraineeStartMonth,
    Training,
)

LEADS = ("visiting", "joint", "local")
GRADES = (1, 2, 3, 4)
TRAINING_KINDS = ("onsite_course", "mentorship", "further_study")
# The monthly charts show at most this many months (the latest ones).
MAX_CHART_MONTHS = 120


# --------------------------------------------------------------------------
# Small expressions that work on SQLite and PostgreSQL alike


class DaysBetween(Func):
    """Whole days from `start` to `end` (end − start) of two date expressions."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL (and the SQL standard's date arithmetic): date - date is
        # a whole number of days.
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite stores dates as ISO text; julianday() turns them into numbers.
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


class MonthOf(Func):
    """The first day of a date's month. Django's TruncMonth makes PostgreSQL
    truncate a timestamp *with* time zone (a time-zone lookup per row,
    measurably slower over a region's 400,000 surgeries); dates need none."""

    output_field = DateField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(DATE_TRUNC('month', CAST(%(expressions)s AS timestamp)) AS date)"
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="strftime('%%%%Y-%%%%m-01', %(expressions)s)")


def _date(value: dt.date):
    return Value(value, output_field=DateField())


def overlap_days(period: Period, start_field="start_date", end_field="end_date"):
    """Days that [start, end] shares with the period, both ends counted:
    min(end, period.end) − max(start, period.start) + 1. For rows that
    overlap the period (filter them first); `end` must not be empty."""
    start = Greatest(F(start_field), _date(period.start)) if period.start else F(start_field)
    end = Least(F(end_field), _date(period.end)) if period.end else F(end_field)
    return DaysBetween(end, start) + 1


def province_of(hospital_path: str):
    """Expression: the code of the province-level region a hospital lies in,
    given the lookup path of that hospital (the region tree is three deep)."""
    region = f"{hospital_path}__region"
    return Coalesce(
        F(f"{region}__parent__parent"), F(f"{region}__parent"), F(region), output_field=CharField()
    )


def _flag(q: Q):
    """1 for rows matching `q`, else 0 (an empty Q matches every row)."""
    if not q:
        return Value(1)
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def _or(*qs: Q) -> Q | None:
    """OR of filters where an empty Q means "every row": None then."""
    if any(not q for q in qs):
        return None
    result = qs[0]
    for q in qs[1:]:
        result |= q
    return result


def _code(value):
    """A code from a model instance or a code (None stays None)."""
    return getattr(value, "pk", value)


def _region(region) -> Region:
    if not isinstance(region, Region):
        region = Region.objects.get(code=region)
    if region.level != Region.Level.PROVINCE:
        raise ValueError(
            _("%(code)s is a %(level)s, not a province-level region.")
            % {"code": region.code, "level": region.get_level_display()}
        )
    return region


def _share_percent(part: int, total: int):
    return round(100 * part / total, 1) if total else None


def parse_period(from_text: str | None, to_text: str | None) -> Period:
    """Period from two optional YYYY-MM-DD texts (empty = open bound).
    Raises ValueError naming the bad value."""
    bounds = {}
    for name, text in (("from", from_text), ("to", to_text)):
        text = (text or "").strip()
        if not text:
            bounds[name] = None
            continue
        try:
            # fromisoformat also takes 20240131 and week dates: insist on 10 characters.
            if len(text) != 10:
                raise ValueError
            bounds[name] = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("'%(name)s': %(value)s is not a date; use YYYY-MM-DD, e.g. 2024-01-31.")
                % {"name": name, "value": repr(text)}
            ) from None
    if bounds["from"] and bounds["to"] and bounds["from"] > bounds["to"]:
        raise ValueError(
            _("'from' (%(start)s) is after 'to' (%(end)s); the period would be empty.")
            % {"start": bounds["from"], "end": bounds["to"]}
        )
    return Period(bounds["from"], bounds["to"])


class SummaryArgumentError(ValueError):
    """A bad argument of a summary request; `status` is the HTTP status that
    fits (404 for a region that is not there, 400 for the rest)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def resolve_summary_args(code, from_text=None, to_text=None, specialty=None, donor=None):
    """Check the arguments of a summary request (the command's and the API's)
    and return (region, period, specialty code or None, donor code or None).
    Raises SummaryArgumentError naming what was wrong. Dates are checked
    first (no query), then the region, the specialty and the donor (one
    query each when given)."""
    from hospitals.models import Specialty

    try:
        period = parse_period(from_text, to_text)
    except ValueError as error:
        raise SummaryArgumentError(str(error)) from None
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise SummaryArgumentError(
            _("No region has the code %(code)s.") % {"code": repr(code)}, status=404
        )
    if region.level != Region.Level.PROVINCE:
        raise SummaryArgumentError(
            _(
                "%(code)s (%(name)s) is a %(level)s; summaries are of province-level "
                "regions (e.g. 540000)."
            )
            % {"code": region.code, "name": region.name, "level": region.get_level_display()},
            status=404,
        )
    specialty = (specialty or "").strip() or None
    if specialty and not Specialty.objects.filter(code=specialty).exists():
        raise SummaryArgumentError(
            _("'specialty': %(value)s is not a specialty code (e.g. general_surgery).")
            % {"value": repr(specialty)}
        )
    donor = (donor or "").strip() or None
    if donor and not Region.objects.provinces().filter(code=donor).exists():
        raise SummaryArgumentError(
            _("'donor': %(value)s is not the code of a province-level region (e.g. 110000).")
            % {"value": repr(donor)}
        )
    return region, period, specialty, donor


# --------------------------------------------------------------------------
# Surgeries: whole months from the rollup, partial months from the rows


# Figure -> (aggregate over surgeries, aggregate over SurgeryMonth rows).
SURGERY_AGGS = {
    # COUNT(hospital_id), not COUNT(id): every column read is in the
    # covering index surgery_hospital_date_idx (index-only scan on PostgreSQL).
    "total": (Count("hospital"), Sum("total")),
    **{lead: (Count("hospital", filter=Q(lead=lead)), Sum(lead)) for lead in LEADS},
    **{f"grade_{g}": (Count("hospital", filter=Q(grade=g)), Sum(f"grade_{g}")) for g in GRADES},
    "minimally_invasive": (
        Count("hospital", filter=Q(approach__in=MINIMALLY_INVASIVE)), Sum("minimally_invasive")
    ),
    "demonstration": (Count("hospital", filter=Q(demonstration=True)), Sum("demonstration")),
    "first_in_region": (Count("hospital", filter=Q(first_in_region=True)), Sum("first_in_region")),
}


def split_period(period: Period) -> tuple[Q | None, Q | None]:
    """(filter on SurgeryMonth.month for the whole months of the period, or
    None when it holds none; filter on Surgery.date for the rest of the
    period, i.e. the partial months at its edges, or None when there is no
    rest). Together they cover the period's days exactly once. 0 queries."""
    start, end = period.start, period.end
    first = None if start is None else (start if start.day == 1 else _add_months(month_start(start), 1))
    last = None
    if end is not None:
        last = month_start(end) if end == month_end(month_start(end)) else _add_months(month_start(end), -1)
    if first is not None and last is not None and first > last:
        return None, within_q(period, "date")  # no whole month: at most two partial ones
    months = Q()
    if first is not None:
        months &= Q(month__gte=first)
    if last is not None:
        months &= Q(month__lte=last)
    rest = []
    if start is not None and start < first:
        rest.append(Q(date__gte=start, date__lt=first))
    if end is not None and end > month_end(last):
        rest.append(Q(date__gt=month_end(last), date__lte=end))
    raw = None
    for q in rest:
        raw = q if raw is None else raw | q
    return months, raw


def _surgery_union(period: Period, surgeries, rollup, group: dict, aggs: dict):
    """One query: `aggs` (figure -> (surgery aggregate, rollup aggregate))
    grouped by `group` (name -> (surgery expression, rollup expression)),
    over the rollup rows of the whole months and the surgeries of the
    partial months of `period` (UNION ALL; a group may come twice: add the
    rows up). The figures' columns are named f_<figure>. `surgeries`/`rollup` are Surgery/SurgeryMonth querysets with
    the same filters and no period."""
    months, rest = split_period(period)

    def part(qs, side):
        # A field under its own name is named, not aliased (Django refuses
        # an alias that shadows a field).
        named = [k for k, v in group.items() if isinstance(v[side], F) and v[side].name == k]
        aliased = {k: v[side] for k, v in group.items() if k not in named}
        # Figures as f_<name>: the rollup's columns have the figures' names.
        return qs.order_by().values(*named, **aliased).annotate(**{f"f_{k}": v[side] for k, v in aggs.items()})

    parts = []
    if months is not None:
        parts.append(part(rollup.filter(months), 1))
    if rest is not None:
        parts.append(part(surgeries.filter(rest), 0))
    return parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)


def _surgery_figure_sql(figure: str, params_s: list, params_r: list) -> tuple[str, str]:
    """(aggregate over surgeries s, aggregate over SurgeryMonth rows t) of a
    figure of SURGERY_AGGS, or of "donor_<code>" (surgeries whose team's
    program rp is of that donor), in SQL; their parameters appended."""
    if figure == "total":
        return "COUNT(*)", "SUM(t.total)"
    if figure in LEADS:
        params_s.append(figure)
        return "COUNT(CASE WHEN s.lead = %s THEN 1 END)", f"SUM(t.{figure})"
    if figure.startswith("grade_"):
        params_s.append(int(figure[len("grade_"):]))
        return "COUNT(CASE WHEN s.grade = %s THEN 1 END)", f"SUM(t.{figure})"
    if figure == "minimally_invasive":
        params_s.extend(MINIMALLY_INVASIVE)
        marks = ", ".join(["%s"] * len(MINIMALLY_INVASIVE))
        return f"COUNT(CASE WHEN s.approach IN ({marks}) THEN 1 END)", "SUM(t.minimally_invasive)"
    if figure in ("demonstration", "first_in_region"):
        params_s.append(True)
        return f"COUNT(CASE WHEN s.{figure} = %s THEN 1 END)", f"SUM(t.{figure})"
    code = figure[len("donor_"):]
    params_s.append(code)
    params_r.append(code)
    return (
        "COUNT(CASE WHEN rp.donor_region_id = %s THEN 1 END)",
        "SUM(CASE WHEN rp.donor_region_id = %s THEN t.total END)",
    )


def _surgery_groups(region, period: Period, specialty, donor, figures) -> list[dict]:
    """Rows {"month", *figures} of the region's surgeries within the period,
    per month (a partial edge month comes from the surgeries, a whole one
    from the rollup; never both), figures as in _surgery_figure_sql. One
    query, hand-written: the rollup rows of the whole months and the
    surgeries of the partial ones (split_period), UNION ALL, as
    _surgery_union builds it with the ORM (which cost more CPU time than
    the database spent on it)."""
    connection = connections[Surgery.objects.db]
    if connection.vendor == "postgresql":
        month_of = "CAST(DATE_TRUNC('month', CAST(s.date AS timestamp)) AS date)"
    else:
        month_of = "strftime('%%Y-%%m-01', s.date)"
    start, end = period.start, period.end
    first = None if start is None else (start if start.day == 1 else _add_months(month_start(start), 1))
    last = None
    if end is not None:
        last = month_start(end) if end == month_end(month_start(end)) else _add_months(month_start(end), -1)
    figures = list(figures)
    joins_team = donor or any(f.startswith("donor_") for f in figures)

    def part(alias, table, team_column, where_period, where_params, rollup):
        params_s, params_r = [], []
        columns = []
        for i, figure in enumerate(figures):
            on_surgeries, on_rollup = _surgery_figure_sql(figure, params_s, params_r)
            columns.append(f"{on_rollup if rollup else on_surgeries} AS f_{i}")
        params = params_r if rollup else params_s
        month = f"{alias}.month" if rollup else month_of
        sql = f"SELECT {month} AS m, {', '.join(columns)} FROM {table} {alias}"
        if joins_team:
            sql += (
                f" LEFT OUTER JOIN {Team._meta.db_table} rt ON rt.code = {alias}.{team_column}"
                f" LEFT OUTER JOIN {Program._meta.db_table} rp ON rp.code = rt.program_id"
            )
        sql += f" WHERE {alias}.hospital_id IN ({_hospitals_sql(region.code, params)})"
        if specialty:
            sql += f" AND {alias}.specialty_id = %s"
            params.append(specialty)
        if donor:
            sql += " AND rp.donor_region_id = %s"
            params.append(donor)
        sql += where_period
        params += where_params
        return sql + f" GROUP BY {month}", params

    parts = []
    if first is not None and last is not None and first > last:
        # No whole month: at most two partial ones, from the surgeries.
        where, where_params = "", []
        where += _within_sql("s.date", period, where_params)
        parts.append(part("s", Surgery._meta.db_table, "team_id", where, where_params, False))
    else:
        where, where_params = "", []
        if first is not None:
            where += " AND t.month >= %s"
            where_params.append(first)
        if last is not None:
            where += " AND t.month <= %s"
            where_params.append(last)
        parts.append(part("t", SurgeryMonth._meta.db_table, "team_id", where, where_params, True))
        rest, rest_params = [], []
        if start is not None and start < first:
            rest.append("(s.date >= %s AND s.date < %s)")
            rest_params += [start, first]
        if end is not None and end > month_end(last):
            rest.append("(s.date > %s AND s.date <= %s)")
            rest_params += [month_end(last), end]
        if rest:
            parts.append(
                part("s", Surgery._meta.db_table, "team_id", f" AND ({' OR '.join(rest)})", rest_params, False)
            )
    sql = " UNION ALL ".join(p[0] for p in parts)
    params = [param for p in parts for param in p[1]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {"month": month, **{figure: int(value or 0) for figure, value in zip(figures, values)}}
            for month, *values in cursor.fetchall()
        ]


# --------------------------------------------------------------------------
# The region summary


def whole_months(period: Period) -> bool:
    """Whether each bound of the period is open or a month's edge (a month's
    first day as start, its last day as end): the trainee rollups answer for
    such periods exactly."""
    return (period.start is None or period.start.day == 1) and (
        period.end is None or period.end == month_end(month_start(period.end))
    )


def _trainee_spans(period: Period):
    """The rows of the span rollup that overlap a period of whole months:
    summed per kind, they are its distinct trainees (outcomes/rollups.py)."""
    rows = TraineeSpanMonth.objects.all()
    if period.end is not None:
        rows = rows.filter(first_month__lte=month_start(period.end))
    if period.start is not None:
        rows = rows.filter(last_month__gte=period.start)
    return rows


def _trainee_figures(region, hospitals, period: Period, spec_q: Q, donor) -> dict:
    """{"total", kinds..., "independent"}: the summary's trainee figures. One
    query: for the whole region and a period of whole months from the span
    rollup (outcomes/rollups.py: spans +1, gaps between a trainee's spans -1,
    summed over the rows that overlap), else from the trainings."""
    if not spec_q and not donor and whole_months(period):
        # Hand-written (as _trainee_spans(period).filter(hospital__in=hospitals)
        # summed per kind): cheaper in CPU time than building it with the ORM.
        params = []
        sql = f"WHERE t.hospital_id IN ({_hospitals_sql(region.code, params)})"
        if period.end is not None:
            sql += " AND t.first_month <= %s"
            params.append(month_start(period.end))
        if period.start is not None:
            sql += " AND t.last_month >= %s"
            params.append(period.start)
        sums = {
            kind: int(n or 0)
            for kind, n in _rows(TraineeSpanMonth, sql + " GROUP BY t.kind", "t.kind, SUM(t.n)", params)
        }
        return {
            "total": sums.get(rollups.ANY_KIND) or 0,
            **{kind: sums.get(kind) or 0 for kind in TRAINING_KINDS},
            "independent": sums.get(rollups.INDEPENDENT) or 0,
        }
    # Grouped by trainee first (one flag per figure), then the flags summed:
    # one hash aggregate instead of five COUNT(DISTINCT ...) sorts.
    overlap = overlaps_q(period)
    independent = Q(independent_on__isnull=False) & within_q(period, "independent_on")
    trainings = Training.objects.in_region(region).filter(spec_q)
    if donor:
        trainings = trainings.filter(program__donor_region=donor)
    either = _or(overlap, independent)
    if either is not None:
        trainings = trainings.filter(either)
    flags = {
        "total": _flag(overlap),
        **{kind: _flag(overlap & Q(kind=kind)) for kind in TRAINING_KINDS},
        "independent": _flag(independent),
    }
    trn = (
        trainings.order_by()
        .values("trainee")
        .annotate(**{f"is_{key}": Max(flag) for key, flag in flags.items()})
        .aggregate(**{key: Sum(f"is_{key}") for key in flags})
    )
    return {key: value or 0 for key, value in trn.items()}


def recipient_regions():
    """Province-level regions with at least one program's recipient hospital in them."""
    provinces = Program.objects.order_by().values(prov=province_of("recipient_hospital"))
    return Region.objects.provinces().filter(code__in=provinces).order_by("code")


def _programs_of(region, donor):
    """Programs whose recipient hospital is in `region` (of `donor` when given), any dates."""
    programs = Program.objects.for_recipient_region(region)
    if donor:
        programs = programs.filter(donor_region=donor)
    return programs


# --------------------------------------------------------------------------
# The summary's simple figures in hand-written SQL. Building and compiling
# the ORM's querysets for them cost more CPU time than the database spent
# answering (nested subqueries, conditional aggregates: about 2 ms apiece);
# this SQL is the same on SQLite and PostgreSQL except for date arithmetic,
# and tests/test_summary.py checks every figure against row-by-row counts.


def _sql_date(connection) -> str:
    """A date parameter (PostgreSQL needs its type where it is compared with
    a function's result; SQLite compares ISO text)."""
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def _hospitals_sql(code, params) -> str:
    """SELECT of the codes of hospitals in region `code` or below it (as
    Hospital.objects.in_region; the region tree is three levels deep)."""
    params += [code, code, code]
    return (
        f"SELECT h.code FROM {Hospital._meta.db_table} h "
        f"INNER JOIN {Region._meta.db_table} hr ON hr.code = h.region_id "
        f"LEFT OUTER JOIN {Region._meta.db_table} hp ON hp.code = hr.parent_id "
        "WHERE h.region_id = %s OR hr.parent_id = %s OR hp.parent_id = %s"
    )


def _programs_sql(code, donor, params) -> str:
    """SELECT of the codes of programs whose recipient hospital is in region
    `code` (of `donor` when given), any dates (as _programs_of)."""
    sql = (
        f"SELECT pr.code FROM {Program._meta.db_table} pr "
        f"WHERE pr.recipient_hospital_id IN ({_hospitals_sql(code, params)})"
    )
    if donor:
        sql += " AND pr.donor_region_id = %s"
        params.append(donor)
    return sql


def _overlap_sql(alias, period: Period, params) -> str:
    """' AND ...' for rows of `alias` whose [start_date, end_date] overlaps
    the period, an empty end being ongoing (as overlaps_q)."""
    sql = ""
    if period.end:
        sql += f" AND {alias}.start_date <= %s"
        params.append(period.end)
    if period.start:
        sql += f" AND ({alias}.end_date >= %s OR {alias}.end_date IS NULL)"
        params.append(period.start)
    return sql


def _within_sql(column, period: Period, params) -> str:
    """' AND ...' for rows whose date `column` lies within the period (as within_q)."""
    sql = ""
    if period.start:
        sql += f" AND {column} >= %s"
        params.append(period.start)
    if period.end:
        sql += f" AND {column} <= %s"
        params.append(period.end)
    return sql


def _days_sql(connection, alias, period: Period):
    """(SQL, function giving its parameters) of the days that the row's
    [start_date, end_date] shares with the period, both ends counted (as
    overlap_days; for rows that overlap it)."""
    if connection.vendor == "postgresql":
        date = _sql_date(connection)
        end = f"LEAST({alias}.end_date, {date})" if period.end else f"{alias}.end_date"
        start = f"GREATEST({alias}.start_date, {date})" if period.start else f"{alias}.start_date"
        days = f"(({end}) - ({start}) + 1)"
    else:
        end = f"MIN({alias}.end_date, %s)" if period.end else f"{alias}.end_date"
        start = f"MAX({alias}.start_date, %s)" if period.start else f"{alias}.start_date"
        days = f"(CAST(julianday({end}) - julianday({start}) AS INTEGER) + 1)"

    def params():
        return ([period.end] if period.end else []) + ([period.start] if period.start else [])

    return days, params


def _donor_programs(connection, code, period: Period, donor) -> list[dict]:
    """[{"donor_region", "name", "programs"}] of the programs of the region
    (of `donor` when given) overlapping the period, per donor region in
    code order. One query."""
    params = []
    programs = _programs_sql(code, donor, params)
    sql = (
        f"SELECT p.donor_region_id, dr.name, COUNT(*) FROM {Program._meta.db_table} p "
        f"INNER JOIN {Region._meta.db_table} dr ON dr.code = p.donor_region_id "
        f"WHERE p.code IN ({programs}){_overlap_sql('p', period, params)} "
        "GROUP BY p.donor_region_id, dr.name ORDER BY p.donor_region_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"donor_region": d, "name": name, "programs": n} for d, name, n in cursor.fetchall()]


def _scalar_figures(connection, code, period: Period, specialty, donor, donor_codes) -> dict:
    """The summary's figures 2, 3, 4, 7, 8 and 9 in one query, one row:
    {"twinned", "teams", "rot": {"experts", "expert_days", "experts_<donor>",
    "expert_days_<donor>"...}, "tech": {"total", "first_in_region"},
    "ref": {"transfer_in", "referral_out", "international"},
    "consultations"} (definitions: _summary's comments and the module's)."""
    parts, params = [], []

    # 2. Twinnings of the programs whose own dates overlap the period.
    sql = (
        f"SELECT COUNT(*) AS twinned FROM {Twinning._meta.db_table} tw "
        f"WHERE tw.program_id IN ({_programs_sql(code, donor, params)})"
    )
    sql += _overlap_sql("tw", period, params)
    if specialty:
        sql += " AND tw.specialty_id = %s"
        params.append(specialty)
    parts.append(sql)

    # 3. Teams of those programs whose own dates overlap the period.
    sql = (
        f"SELECT COUNT(*) AS teams FROM {Team._meta.db_table} te "
        f"WHERE te.program_id IN ({_programs_sql(code, donor, params)})"
    )
    parts.append(sql + _overlap_sql("te", period, params))

    # 4. Rotations in teams of those programs overlapping the period:
    # grouped by person first (a flag and the days per donor), then summed:
    # one hash aggregate instead of a COUNT(DISTINCT) sort per donor.
    days, days_params = _days_sql(connection, "ro", period)

    inner_columns = [f"SUM({days}) AS days_any"]
    inner_params = days_params()
    outer = ["COUNT(*) AS experts", "SUM(x.days_any) AS expert_days"]
    for i, donor_code in enumerate(donor_codes):
        inner_columns.append(f"MAX(CASE WHEN rp.donor_region_id = %s THEN 1 ELSE 0 END) AS is_{i}")
        inner_params.append(donor_code)
        inner_columns.append(f"SUM(CASE WHEN rp.donor_region_id = %s THEN {days} END) AS days_{i}")
        inner_params += [donor_code, *days_params()]
        outer += [f"SUM(x.is_{i}) AS experts_{i}", f"SUM(x.days_{i}) AS expert_days_{i}"]
    params += inner_params
    sql = (
        f"SELECT {', '.join(outer)} FROM (SELECT ro.person_id, {', '.join(inner_columns)} "
        f"FROM {Rotation._meta.db_table} ro "
        f"INNER JOIN {Team._meta.db_table} rt ON rt.code = ro.team_id "
        f"INNER JOIN {Program._meta.db_table} rp ON rp.code = rt.program_id "
        f"WHERE rt.program_id IN ({_programs_sql(code, donor, params)})"
    )
    sql += _overlap_sql("ro", period, params)
    if specialty:
        sql += " AND ro.specialty_id = %s"
        params.append(specialty)
    parts.append(sql + " GROUP BY ro.person_id) x")

    # 7. Techniques introduced at hospitals in R within the period.
    params.append(True)
    sql = (
        "SELECT COUNT(*) AS tech_total, SUM(CASE WHEN tq.first_in_region = %s THEN 1 ELSE 0 END) AS tech_first "
        f"FROM {Technique._meta.db_table} tq WHERE tq.hospital_id IN ({_hospitals_sql(code, params)})"
    )
    sql += _within_sql("tq.introduced_on", period, params)
    if specialty:
        sql += " AND tq.specialty_id = %s"
        params.append(specialty)
    if donor:
        sql += f" AND tq.program_id IN (SELECT tp.code FROM {Program._meta.db_table} tp WHERE tp.donor_region_id = %s)"
        params.append(donor)
    parts.append(sql)

    # 8. Referrals: into R by destination hospital, out of R by origin hospital.
    params += ["transfer_in", "referral_out", "international"]
    sql = (
        "SELECT SUM(CASE WHEN rf.kind = %s THEN 1 ELSE 0 END) AS transfer_in, "
        "SUM(CASE WHEN rf.kind = %s THEN 1 ELSE 0 END) AS referral_out, "
        "SUM(CASE WHEN rf.kind = %s THEN 1 ELSE 0 END) AS international "
        f"FROM {Referral._meta.db_table} rf WHERE 1 = 1"
    )
    sql += _within_sql("rf.date", period, params)
    params += ["transfer_in", "international"]
    sql += f" AND ((rf.kind IN (%s, %s) AND rf.destination_hospital_id IN ({_hospitals_sql(code, params)}))"
    params.append("referral_out")
    sql += f" OR (rf.kind = %s AND rf.origin_hospital_id IN ({_hospitals_sql(code, params)})))"
    parts.append(sql)

    # 9. Consultations requested by hospitals in R within the period.
    sql = f"SELECT COUNT(*) AS consultations FROM {Consultation._meta.db_table} co WHERE 1 = 1"
    sql += _within_sql("co.date", period, params)
    if specialty:
        sql += " AND co.specialty_id = %s"
        params.append(specialty)
    sql += f" AND co.requesting_hospital_id IN ({_hospitals_sql(code, params)})"
    if donor:
        sql += f" AND co.consulting_hospital_id IN ({_hospitals_sql(donor, params)})"
    parts.append(sql)

    names = [f"f{i}" for i in range(len(parts))]
    sql = "SELECT * FROM " + ", ".join(f"({part}) {name}" for part, name in zip(parts, names))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = [int(v or 0) for v in cursor.fetchone()]
    twinned, teams, experts, expert_days, *values = values
    rot = {"experts": experts, "expert_days": expert_days}
    for donor_code in donor_codes:
        rot[f"experts_{donor_code}"], rot[f"expert_days_{donor_code}"], *values = values
    tech_total, tech_first, transfer_in, referral_out, international, consultations = values
    return {
        "twinned": twinned,
        "teams": teams,
        "rot": rot,
        "tech": {"total": tech_total, "first_in_region": tech_first},
        "ref": {"transfer_in": transfer_in, "referral_out": referral_out, "international": international},
        "consultations": consultations,
    }


def region_summary(region, period: Period = Period(), *, specialty=None, donor=None) -> dict:
    """The summary of a recipient region for a period, as the interchange spec's
    section 5 defines it: a dict with exactly the spec's keys in its order.

    `region`: a province-level Region or its code; `period`: inclusive,
    optional bounds; `specialty`, `donor`: optional filters (codes or
    instances), see the module docstring. 4 queries (+1 for a code).
    """
    return _summary(_region(region), period, _code(specialty), _code(donor))[0]


def _summary(region, period, specialty, donor, *, surgeries_by_month=False) -> tuple[dict, dict]:
    """(the summary, {month 'YYYY-MM': {lead: n, "total": n}}). With
    `surgeries_by_month` the surgery aggregate is grouped by month (the
    months then summed here, a bounded number of rows) so that the region
    dashboard reads the surgeries once for the cards and the chart;
    otherwise the month dict is empty."""
    hospitals = Hospital.objects.in_region(region)
    spec_q = Q(specialty=specialty) if specialty else Q()
    connection = connections[Program.objects.db]

    # 1. Programs overlapping the period, per donor region. Each program has
    # one donor, so the total is the sum of the groups.
    donors = _donor_programs(connection, region.code, period, donor)
    donor_codes = [d["donor_region"] for d in donors]

    # 2, 3, 4, 7, 8, 9 in one query (_scalar_figures): twinnings, teams,
    # rotations (experts and days, in total and per donor), techniques,
    # referrals and consultations.
    figures = _scalar_figures(connection, region.code, period, specialty, donor, donor_codes)
    twinned, teams = figures["twinned"], figures["teams"]
    rot = figures["rot"]

    # 5. Surgeries at hospitals in R within the period, and per donor through
    # their team's program: whole months from the rollup, the partial months
    # at the period's edges from the surgeries (one query, see _surgery_groups).
    aggs = [*SURGERY_AGGS, *(f"donor_{code}" for code in donor_codes)]
    rows = _surgery_groups(region, period, specialty, donor, aggs)
    surg = {key: sum(row[key] for row in rows) for key in aggs}
    months = {}
    if surgeries_by_month:
        for row in rows:
            counts = months.setdefault(_month_key(row["month"]), {lead: 0 for lead in (*LEADS, "total")})
            for key in counts:
                counts[key] += row[key]

    # 6. Trainees: distinct trainee ids with a training overlapping the
    # period, per kind, and those whose independent_on falls within it.
    trn = _trainee_figures(region, hospitals, period, spec_q, donor)

    tech, ref = figures["tech"], figures["ref"]

    summary = {
        "region": {"code": region.code, "name": region.name},
        "period": period.as_dict(),
        "programs": sum(d["programs"] for d in donors),
        "twinned_departments": twinned,
        "teams": teams,
        "experts": rot["experts"],
        "expert_days": rot["expert_days"] or 0,
        "surgeries": {
            "total": surg["total"],
            "by_lead": {lead: surg[lead] for lead in LEADS},
            "by_grade": {str(g): surg[f"grade_{g}"] for g in GRADES},
            "minimally_invasive": surg["minimally_invasive"],
            "demonstration": surg["demonstration"],
            "first_in_region": surg["first_in_region"],
        },
        "trainees": {
            "total": trn["total"],
            "by_kind": {kind: trn[kind] for kind in TRAINING_KINDS},
            "independent": trn["independent"],
        },
        "techniques": {"total": tech["total"], "first_in_region": tech["first_in_region"]},
        "referrals": {
            "transfer_in": ref["transfer_in"],
            "referral_out": ref["referral_out"],
            "international": ref["international"],
        },
        "consultations": figures["consultations"],
        "by_donor": [
            {
                "code": d["donor_region"],
                "name": d["name"],
                "programs": d["programs"],
                "experts": rot[f"experts_{d['donor_region']}"],
                "expert_days": rot[f"expert_days_{d['donor_region']}"] or 0,
                "surgeries": surg[f"donor_{d['donor_region']}"],
            }
            for d in donors
        ],
    }
    return summary, months


# --------------------------------------------------------------------------
# The overview of all recipient regions


def _summed_by_province(qs, hospital_field: str, aggs: dict) -> dict:
    """{province code: {name: sum}} of `aggs` counted per hospital of `qs`."""
    return _sum_by_province(qs.order_by().values(k_hospital=F(hospital_field)).annotate(**aggs), list(aggs))


def _sum_by_province(inner, names) -> dict:
    """{province code: {name: sum}} of the rows of `inner` (a values
    queryset with `k_hospital` and the columns of `names`, a list of names
    or {name: column}; a hospital may come in several rows). One query."""
    inner_sql, params = inner.query.get_compiler(inner.db).as_sql()
    columns = names if isinstance(names, dict) else {name: name for name in names}
    aggs = list(columns)
    hospital, region = Hospital._meta.db_table, Region._meta.db_table
    province = "COALESCE(p.parent_id, r.parent_id, h.region_id)"
    sums = ", ".join(f"SUM(s.{column})" for column in columns.values())
    sql = (
        f"SELECT {province}, {sums} FROM ({inner_sql}) s "
        f"INNER JOIN {hospital} h ON h.code = s.k_hospital "
        f"INNER JOIN {region} r ON r.code = h.region_id "
        f"LEFT OUTER JOIN {region} p ON p.code = r.parent_id "
        f"GROUP BY {province}"
    )
    with connections[inner.db].cursor() as cursor:
        cursor.execute(sql, params)
        return {
            code: {name: int(value or 0) for name, value in zip(aggs, values)}
            for code, *values in cursor.fetchall()
        }


def _deployments_by_province(period: Period, codes) -> tuple[dict, dict, dict, dict]:
    """({province: {"n"}} of programs, twinnings and teams overlapping the
    period, {province: {"experts", "days"}} of rotations overlapping it
    (distinct people, days within it)), by the province of the program's
    recipient hospital, for the provinces `codes`. One query (UNION ALL),
    hand-written: the ORM's four cost more CPU time than the database
    spent on them."""
    if not codes:
        return {}, {}, {}, {}
    connection = connections[Program.objects.db]
    hospital, region = Hospital._meta.db_table, Region._meta.db_table
    program, team = Program._meta.db_table, Team._meta.db_table
    province = "COALESCE(hp.parent_id, hr.parent_id, h.region_id)"
    marks = ", ".join(["%s"] * len(codes))
    days, days_params = _days_sql(connection, "ro", period)
    kinds = [
        # (name, FROM ..., the row's alias for the period test, aggregates)
        ("programs", f"{program} p", "p", "COUNT(*), 0"),
        ("twinnings", f"{Twinning._meta.db_table} tw INNER JOIN {program} p ON p.code = tw.program_id", "tw",
         "COUNT(*), 0"),
        ("teams", f"{team} te INNER JOIN {program} p ON p.code = te.program_id", "te", "COUNT(*), 0"),
        ("rotations", f"{Rotation._meta.db_table} ro INNER JOIN {team} te ON te.code = ro.team_id "
         f"INNER JOIN {program} p ON p.code = te.program_id", "ro", f"COUNT(DISTINCT ro.person_id), SUM({days})"),
    ]
    parts, params = [], []
    for i, (_name, source, alias, aggs) in enumerate(kinds):
        if alias == "ro":
            params += days_params()
        sql = (
            f"SELECT {i}, {province}, {aggs} FROM {source} "
            f"INNER JOIN {hospital} h ON h.code = p.recipient_hospital_id "
            f"INNER JOIN {region} hr ON hr.code = h.region_id "
            f"LEFT OUTER JOIN {region} hp ON hp.code = hr.parent_id WHERE 1 = 1"
        )
        sql += _overlap_sql(alias, period, params)
        sql += f" AND {province} IN ({marks})"
        params += codes
        parts.append(sql + f" GROUP BY {province}")
    results = ({}, {}, {}, {})
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, prov, a, b in cursor.fetchall():
            kind = int(kind)
            if kind == 3:
                results[kind][prov] = {"experts": int(a), "days": int(b or 0)}
            else:
                results[kind][prov] = {"n": int(a)}
    return results


def overview(period: Period = Period()) -> list[dict]:
    """Headline figures of every recipient region for the period, sorted by
    code: one dict per region with `code`, `name`, `name_zh`, `programs`,
    `twinned_departments`, `teams`, `experts`, `expert_days`, `surgeries`,
    `surgeries_local`, `local_share_percent` (None without surgeries),
    `trainees`, `techniques`, `consultations`. Each equals the same key of
    region_summary(region, period). 6 queries, however many regions."""
    regions = list(recipient_regions().values("code", "name", "name_zh"))
    codes = [r["code"] for r in regions]

    def summed(qs, hospital_field, **aggs):
        """Counts per hospital first (no joins over the big table), then
        summed per province over the few hospital rows, in one query. Only
        for counts that add up: not for distinct people."""
        return _summed_by_province(qs, hospital_field, aggs)

    programs, twinnings, teams, rotations = _deployments_by_province(period, codes)
    # Whole months from the rollup, the edge months from the surgeries.
    surgeries = _sum_by_province(
        _surgery_union(
            period, Surgery.objects.all(), SurgeryMonth.objects.all(),
            {"k_hospital": (F("hospital"), F("hospital"))},
            {"n": SURGERY_AGGS["total"], "local": SURGERY_AGGS["local"]},
        ),
        {"n": "f_n", "local": "f_local"},
    )
    # A trainee lies in one province (their hospital's), so distinct trainees
    # add up over hospitals: from the span rollup for a period of whole
    # months, else the trainees with an overlapping training (a semi-join).
    if whole_months(period):
        trainees = summed(_trainee_spans(period).filter(kind=rollups.ANY_KIND), "hospital", n=Sum("n"))
    else:
        trainings = Training.objects.filter(overlaps_q(period), trainee=OuterRef("pk"))
        trainees = summed(Trainee.objects.filter(Exists(trainings)), "hospital", n=Count("pk"))
    techniques = summed(Technique.objects.within(period), "hospital", n=Count("pk"))
    consultations = summed(Consultation.objects.within(period), "requesting_hospital", n=Count("pk"))

    def n(table, code, key="n"):
        return (table.get(code) or {}).get(key) or 0

    result = []
    for r in regions:
        code = r["code"]
        total, local = n(surgeries, code), n(surgeries, code, "local")
        result.append(
            {
                "code": code,
                "name": r["name"],
                "name_zh": r["name_zh"],  # for pages in Chinese; the API's JSON is region_summary
                "programs": n(programs, code),
                "twinned_departments": n(twinnings, code),
                "teams": n(teams, code),
                "experts": n(rotations, code, "experts"),
                "expert_days": n(rotations, code, "days"),
                "surgeries": total,
                "surgeries_local": local,
                "local_share_percent": _share_percent(local, total),
                "trainees": n(trainees, code),
                "techniques": n(techniques, code),
                "consultations": n(consultations, code),
            }
        )
    return result


# --------------------------------------------------------------------------
# Monthly and yearly series for the region dashboard's charts


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_of(period: Period) -> list[dt.date]:
    """First days of the months a closed period touches, in order."""
    months, month = [], month_start(period.start)
    while month <= period.end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def chart_period(region, period: Period = Period()) -> Period:
    """The closed period the monthly charts show. An open start becomes the
    first day of the month in which the region's earliest program began
    (when the aid began), an open end the last day of the current month; a
    region without programs gets the last 12 months. Longer than
    MAX_CHART_MONTHS months: the latest ones. Given bounds are kept, so the
    chart's months always lie inside the summary's period, and an open
    bound gives whole months. The filters do not change it, so the axis
    stays put while one filters. 0 queries for a closed period, else 1 (on
    programs only: cheap at any data size)."""
    region = _region(region)
    start, end = period.start, period.end
    if start is None or end is None:
        first = _first_program_start(region)
        if end is None:
            end = month_end(month_start(dt.date.today()))
            if start and start > end:
                end = start
        if start is None:
            start = month_start(first) if first and first <= end else _add_months(month_start(end), -11)
    earliest = _add_months(month_start(end), -(MAX_CHART_MONTHS - 1))
    return Period(max(start, earliest), end)


def _first_program_start(region) -> dt.date | None:
    """The earliest start of a program with its recipient in the region
    (as Program.objects.for_recipient_region(region) ... Min("start_date")).
    One query."""
    connection = connections[Program.objects.db]
    params = []
    sql = (
        f"SELECT MIN(p.start_date) FROM {Program._meta.db_table} p "
        f"WHERE p.recipient_hospital_id IN ({_hospitals_sql(region.code, params)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        first = cursor.fetchone()[0]
    return dt.date.fromisoformat(first) if isinstance(first, str) else first


def _rows(model, sql_rest: str, columns: str, params) -> list:
    """Rows of a short query on `model`'s table (alias t)."""
    with connections[model.objects.db].cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} t {sql_rest}", params)
        return cursor.fetchall()


def _closed(region, period: Period) -> tuple[Region, Period]:
    region = _region(region)
    if period.start is None or period.end is None:
        period = chart_period(region, period)
    return region, period


def surgeries_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Surgeries at hospitals in the region per month, by who led them:
    [{"month": "2024-01", "visiting": n, "joint": n, "local": n, "total": n,
    "local_share_percent": float or None}, ...], one entry per month of the
    (chart) period, zeros included. Each month's figures equal the summary's
    `surgeries.by_lead` for that month (clipped to the period). 1 query (+1
    when the period is open)."""
    region, period = _closed(region, period)
    specialty, donor = _code(specialty), _code(donor)
    rows = _surgery_groups(region, period, specialty, donor, ("total", *LEADS))
    by_month = {}
    for row in rows:
        counts = by_month.setdefault(_month_key(row["month"]), {key: 0 for key in ("total", *LEADS)})
        for key in counts:
            counts[key] += row[key]
    return _surgery_series(by_month, period)


def _surgery_series(by_month: dict, period: Period) -> list[dict]:
    result = []
    for month in months_of(period):
        row = by_month.get(_month_key(month), {})
        counts = {lead: row.get(lead, 0) for lead in LEADS}
        total = row.get("total", 0)
        result.append(
            {
                "month": _month_key(month),
                **counts,
                "total": total,
                "local_share_percent": _share_percent(counts["local"], total),
            }
        )
    return result


def _month_key(value) -> str:
    """'YYYY-MM' of a date, datetime or ISO text."""
    return str(value)[:7]


def _people_per_month(qs, id_field: str, period: Period) -> dict:
    """{'YYYY-MM': n}: distinct `id_field` values of the rows of `qs` (with
    start_date and a non-empty end_date) per month of the closed `period`,
    a row counting in every month its dates share with the period. One
    query; Python only reads the ≤ MAX_CHART_MONTHS result rows."""
    connection = connections[qs.db]
    values = {"k_id": F(id_field), "k_start": F("start_date"), "k_end": F("end_date")}
    inner_sql, inner_params = qs.order_by().values(**values).query.sql_with_params()
    if connection.vendor == "postgresql":
        # Each row expands to the months it covers (a rotation covers a few),
        # then one hash aggregate dedupes (month, person).
        sql = (
            "SELECT d.m, COUNT(*) FROM (SELECT DISTINCT gs.m::date AS m, t.k_id "
            f"FROM ({inner_sql}) t, LATERAL generate_series("
            "date_trunc('month', GREATEST(t.k_start, %s::date)::timestamp), "
            "LEAST(t.k_end, %s::date)::timestamp, interval '1 month') AS gs(m)) d "
            "GROUP BY d.m"
        )
        params = [*inner_params, period.start, period.end]
    else:
        # SQLite: the rows joined to a small table of the (clipped) months.
        buckets = [
            (max(month, period.start).isoformat(), min(month_end(month), period.end).isoformat())
            for month in months_of(period)
        ]
        month_table = " UNION ALL ".join(["SELECT %s AS m_start, %s AS m_end"] * len(buckets))
        sql = (
            "SELECT d.m_start, COUNT(*) FROM (SELECT DISTINCT m.m_start, t.k_id "
            f"FROM ({inner_sql}) t INNER JOIN ({month_table}) m "
            "ON t.k_start <= m.m_end AND t.k_end >= m.m_start) d GROUP BY d.m_start"
        )
        params = [*inner_params, *(day for bucket in buckets for day in bucket)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {_month_key(month): n for month, n in cursor.fetchall()}


def experts_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Experts on site per month: [{"month": "2024-01", "experts": n}, ...],
    distinct people with a rotation (in a team of a program with recipient
    in the region) overlapping the month, i.e. the summary's `experts` for
    that month (the first and last month clipped to the period). 1 query
    (+1 when the period is open)."""
    region, period = _closed(region, period)
    specialty, donor = _code(specialty), _code(donor)
    if not specialty and not donor and whole_months(period):
        # From the rollup of distinct experts per (province, month).
        rows = _rows(
            ExpertMonth, "WHERE t.region_id = %s AND t.month >= %s AND t.month <= %s", "t.month, t.experts",
            [region.code, period.start, period.end],
        )
        counts = {_month_key(month): n for month, n in rows}
        return [
            {"month": _month_key(m), "experts": counts.get(_month_key(m), 0)} for m in months_of(period)
        ]
    qs = Rotation.objects.filter(team__program__in=_programs_of(region, donor)).overlapping(period)
    if specialty:
        qs = qs.filter(specialty=specialty)
    counts = _people_per_month(qs, "person", period)
    return [
        {"month": _month_key(m), "experts": counts.get(_month_key(m), 0)} for m in months_of(period)
    ]


def trainees_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """New trainees per month, by kind: [{"month": "2024-01",
    "onsite_course": n, "mentorship": n, "further_study": n, "total": n}, ...]
    — distinct trainees of the region's hospitals who began a training of
    that kind in the month (`total`: of any kind, a trainee counted once).
    Counted by start month, not "in training during the month": that would
    cost a row per training per month, and trainings without an end date
    would count for ever. 1 query (+1 when the period is open)."""
    region, period = _closed(region, period)
    specialty, donor = _code(specialty), _code(donor)
    if not specialty and not donor and whole_months(period):
        # From the rollup of distinct trainees starting per (hospital, month, kind).
        params = []
        hospitals = _hospitals_sql(region.code, params)
        rows = _rows(
            TraineeStartMonth,
            f"WHERE t.hospital_id IN ({hospitals}) AND t.month >= %s AND t.month <= %s GROUP BY t.month, t.kind",
            "t.month, t.kind, SUM(t.trainees)",
            [*params, period.start, period.end],
        )
        by_month = {}
        for month, kind, n in rows:
            key = "total" if kind == rollups.ANY_KIND else kind
            by_month.setdefault(_month_key(month), {})[key] = int(n)
        return _trainee_series(by_month, period)
    qs = Training.objects.in_region(region).filter(within_q(period, "start_date")).order_by()
    if specialty:
        qs = qs.filter(specialty=specialty)
    if donor:
        qs = qs.filter(program__donor_region=donor)
    # (month, trainee) pairs first, one flag per kind, then counted per month:
    # hash aggregates instead of four COUNT(DISTINCT ...) sorts.
    pairs = (
        qs.annotate(month=MonthOf("start_date"))
        .values("month", "trainee")
        .annotate(**{f"is_{kind}": Max(_flag(Q(kind=kind))) for kind in TRAINING_KINDS})
    )
    inner_sql, params = pairs.query.sql_with_params()
    flag_sums = "".join(f", SUM(p.is_{kind})" for kind in TRAINING_KINDS)
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"SELECT p.month, COUNT(*){flag_sums} FROM ({inner_sql}) p GROUP BY p.month", params)
        by_month = {
            _month_key(month): {"total": int(total), **{k: int(n or 0) for k, n in zip(TRAINING_KINDS, sums)}}
            for month, total, *sums in cursor.fetchall()
        }
    return _trainee_series(by_month, period)


def _trainee_series(by_month: dict, period: Period) -> list[dict]:
    result = []
    for m in months_of(period):
        row = by_month.get(_month_key(m), {})
        result.append(
            {
                "month": _month_key(m),
                **{kind: row.get(kind, 0) for kind in TRAINING_KINDS},
                "total": row.get("total", 0),
            }
        )
    return result


def techniques_per_year(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Techniques introduced per year: [{"year": 2024, "total": n,
    "first_in_region": n, "other": n}, ...], one entry per year of the
    (chart) period, zeros included. 1 query (+1 when the period is open)."""
    region, period = _closed(region, period)
    specialty, donor = _code(specialty), _code(donor)
    connection = connections[Technique.objects.db]
    if connection.vendor == "postgresql":
        year = "CAST(EXTRACT(YEAR FROM t.introduced_on) AS integer)"
    else:
        year = "CAST(strftime('%%Y', t.introduced_on) AS integer)"
    params = [True]
    sql = f"WHERE t.hospital_id IN ({_hospitals_sql(region.code, params)})"
    sql += _within_sql("t.introduced_on", period, params)
    if specialty:
        sql += " AND t.specialty_id = %s"
        params.append(specialty)
    if donor:
        sql += f" AND t.program_id IN (SELECT tp.code FROM {Program._meta.db_table} tp WHERE tp.donor_region_id = %s)"
        params.append(donor)
    rows = _rows(
        Technique, sql + f" GROUP BY {year}",
        f"{year}, COUNT(*), SUM(CASE WHEN t.first_in_region = %s THEN 1 ELSE 0 END)", params,
    )
    by_year = {int(y): {"total": int(total), "first": int(first or 0)} for y, total, first in rows}
    result = []
    for year in range(period.start.year, period.end.year + 1):
        row = by_year.get(year, {})
        total, first = row.get("total", 0), row.get("first", 0)
        result.append({"year": year, "total": total, "first_in_region": first, "other": total - first})
    return result


def region_charts(region, period: Period = Period(), *, specialty=None, donor=None) -> dict:
    """Every series of the region dashboard for one (chart) period:
    {"period": {"from", "to"}, "surgeries_per_month": [...],
    "experts_per_month": [...], "trainees_per_month": [...],
    "techniques_per_year": [...]} (shapes as the functions of the same
    names). The donor breakdown is region_summary()["by_donor"]. 4 queries
    (+1 when the period is open)."""
    region = _region(region)
    period = chart_period(region, period)
    filters = {"specialty": specialty, "donor": donor}
    return {
        "period": period.as_dict(),
        "surgeries_per_month": surgeries_per_month(region, period, **filters),
        "experts_per_month": experts_per_month(region, period, **filters),
        "trainees_per_month": trainees_per_month(region, period, **filters),
        "techniques_per_year": techniques_per_year(region, period, **filters),
    }


def region_dashboard(region, period: Period = Period(), *, specialty=None, donor=None) -> dict:
    """Everything the region dashboard shows, reading the surgeries once:
    {"summary": region_summary(...), "charts": region_charts(...)} with the
    same values as those two calls. 7 queries (+1 when a bound is open, +1
    for a code) against 4 + 4 (+1) for the two calls, and one scan of the
    region's surgeries instead of two (the chart's months lie inside the
    summary's period: see chart_period)."""
    region = _region(region)
    specialty, donor = _code(specialty), _code(donor)
    charted = chart_period(region, period)
    summary, surgery_months = _summary(region, period, specialty, donor, surgeries_by_month=True)
    filters = {"specialty": specialty, "donor": donor}
    return {
        "summary": summary,
        "charts": {
            "period": charted.as_dict(),
            "surgeries_per_month": _surgery_series(surgery_months, charted),
            "experts_per_month": experts_per_month(region, charted, **filters),
            "trainees_per_month": trainees_per_month(region, charted, **filters),
            "techniques_per_year": techniques_per_year(region, charted, **filters),
        },
    }
