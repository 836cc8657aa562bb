"""The series the region dashboard charts, and the dashboard's figures in one call.

Each month of a series equals the summary's figure for that month (the first
and last month clipped to the period): the rows come from the same
definitions (figures/definitions.py). Each function runs one query (+1 when
the period is open, for the chart's first month).

- `chart_period(region, period)`: the closed period the charts show.
- `surgeries_per_month`, `experts_per_month`, `trainees_per_month`,
  `techniques_per_year`; `region_charts(...)` all four.
- `region_dashboard(region, period, ...)`: {"summary", "charts", "twinned"},
  reading the surgeries once for both; with a donor, the surgeries of the
  departments it twins (one query more).
- `earlier_region_figures(region, period, ...)`: the dashboard's figures
  for the comparable period just before (Period.previous), by the same
  functions, or None for an open period.
"""

import datetime as dt

from django.db import connections
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import ExtractYear

from aidtracker.lib.periods import (
    MonthOf,
    Period,
    add_months,
    month_end,
    month_key,
    month_start,
    within_q,
)
from deployments.models import ExpertMonth
from figures import definitions as rules
from figures.definitions import LEADS, TRAINING_KINDS
from figures.forms import province_level
from figures.summary import code_of, summarize, surgery_groups, twinned_surgery_groups
from hospitals.models import Hospital
from outcomes.models import TraineeStartMonth
from outcomes.rollups import ANY_KIND

# The monthly charts show at most this many months (the latest ones).
MAX_CHART_MONTHS = 120


def share_percent(part: int, total: int):
    """`part` of `total` in percent, one decimal; None without a total."""
    return round(100 * part / total, 1) if total else None


def chart_period(region, period: Period = Period()) -> Period:
    """The closed period the monthly charts show. An open start becomes the
    first day of the month in which the region's earliest program began
    (when the aid began), an open end the last day of the current month; a
    region without programs gets the last 12 months. Longer than
    MAX_CHART_MONTHS months: the latest ones. Given bounds are kept, so the
    chart's months always lie inside the summary's period, and an open
    bound gives whole months. The filters do not change it, so the axis
    stays put while one filters. 0 queries for a closed period, else 1."""
    region = province_level(region)
    if period.start is None or period.end is None:
        first = rules.programs(region).aggregate(first=Min("start_date"))["first"]
        return closed_chart_period(period, first)
    return closed_chart_period(period, None)


def closed_chart_period(period: Period, first: dt.date | None) -> Period:
    """chart_period's rule for a period and the first day of the earliest
    program it charts (`first`, None without programs): the donor
    dashboard's charts close their period by the same rule. No query."""
    start, end = period.start, period.end
    if start is None or end is None:
        if end is None:
            end = month_end(dt.date.today())
            if start and start > end:
                end = start
        if start is None:
            start = month_start(first) if first and first <= end else months_before(end, 11)
    return Period(max(start, months_before(end, MAX_CHART_MONTHS - 1)), end)


def months_before(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months before `day`'s, or the
    calendar's first day when that lies before it."""
    try:
        return add_months(month_start(day), -n)
    except OverflowError:
        return dt.date.min


def _closed(region, period: Period) -> tuple:
    region = province_level(region)
    if not period.closed:
        period = chart_period(region, period)
    return region, period


def surgeries_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Surgeries at hospitals in the region per month, by who led them:
    [{"month": "2024-01", "visiting": n, "joint": n, "local": n, "total": n,
    "local_share_percent": float or None}, ...], one entry per month of the
    (chart) period, zeros included."""
    region, period = _closed(region, period)
    rows = surgery_groups(region, period, specialty=code_of(specialty), donor=code_of(donor))
    by_month = {}
    for row in rows:
        counts = by_month.setdefault(month_key(row["month"]), dict.fromkeys(("total", *LEADS), 0))
        for key in counts:
            counts[key] += row[key]
    return surgery_series(by_month, period)


def surgery_series(by_month: dict, period: Period) -> list[dict]:
    """The per-month entries of surgeries_per_month from {'YYYY-MM': counts}."""
    result = []
    for month in period.months():
        row = by_month.get(month_key(month), {})
        counts = {lead: row.get(lead, 0) for lead in LEADS}
        total = row.get("total", 0)
        result.append({
            "month": month_key(month),
            **counts,
            "total": total,
            "local_share_percent": share_percent(counts["local"], total),
        })
    return result


def experts_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Experts on site per month: [{"month": "2024-01", "experts": n}, ...],
    the summary's `experts` for each month (the first and last month clipped
    to the period): from the rollup of distinct experts per province and
    month (deployments.ExpertMonth) for whole months without filters, else
    from the rotations."""
    region, period = _closed(region, period)
    specialty, donor = code_of(specialty), code_of(donor)
    if not specialty and not donor and period.of_whole_months:
        counts = dict(
            ExpertMonth.objects.filter(region=region, month__gte=period.start, month__lte=period.end)
            .values_list("month", "experts")
        )
        counts = {month_key(month): n for month, n in counts.items()}
    else:
        rotations = rules.rotations(region, period, specialty=specialty, donor=donor)
        counts = people_per_month(rotations, "person", period)
    return [{"month": month_key(m), "experts": counts.get(month_key(m), 0)} for m in period.months()]


def people_per_month(queryset, id_field: str, period: Period, by=None) -> dict:
    """{'YYYY-MM': n}: distinct `id_field` values of the rows of `queryset`
    (with start_date and an end_date) per month of the closed `period`, a
    row counting in every month its dates share with the period. With `by`
    (a field name or expression of the rows, e.g. the province of the
    program's recipient), {(group, 'YYYY-MM'): n}: the same, apart per value
    of `by`. One query: the rows come from the queryset; spreading each over
    its months is written in SQL, as no ORM expression makes rows of a row."""
    connection = connections[queryset.db]
    values = {"k_id": F(id_field), "k_start": F("start_date"), "k_end": F("end_date")}
    if by is not None:
        values["k_by"] = F(by) if isinstance(by, str) else by
    group = ", t.k_by" if by is not None else ""
    inner_sql, inner_params = queryset.order_by().values(**values).query.sql_with_params()
    if connection.vendor == "postgresql":
        # Each row expands to the months it covers, then one hash aggregate
        # dedupes (month, person).
        sql = (
            f"SELECT d.m{group.replace('t.', 'd.')}, COUNT(*) FROM (SELECT DISTINCT gs.m::date AS m, t.k_id{group} "
            f"FROM ({inner_sql}) t, LATERAL generate_series("
            "date_trunc('month', GREATEST(t.k_start, %s::date)::timestamp), "
            "LEAST(t.k_end, %s::date)::timestamp, interval '1 month') AS gs(m)) d "
            f"GROUP BY d.m{group.replace('t.', 'd.')}"
        )
        params = [*inner_params, period.start, period.end]
    else:
        # SQLite: the rows joined to a small table of the (clipped) months.
        buckets = [
            (max(month, period.start).isoformat(), min(month_end(month), period.end).isoformat())
            for month in period.months()
        ]
        month_table = " UNION ALL ".join(["SELECT %s AS m_start, %s AS m_end"] * len(buckets))
        sql = (
            f"SELECT d.m_start{group.replace('t.', 'd.')}, COUNT(*) FROM (SELECT DISTINCT m.m_start, t.k_id{group} "
            f"FROM ({inner_sql}) t INNER JOIN ({month_table}) m "
            f"ON t.k_start <= m.m_end AND t.k_end >= m.m_start) d GROUP BY d.m_start{group.replace('t.', 'd.')}"
        )
        params = [*inner_params, *(day for bucket in buckets for day in bucket)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if by is None:
            return {month_key(month): n for month, n in cursor.fetchall()}
        return {(key, month_key(month)): n for month, key, n in cursor.fetchall()}


def trainees_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """New trainees per month, by kind: [{"month": "2024-01",
    "onsite_course": n, "mentorship": n, "further_study": n, "total": n}, ...]
    — distinct trainees of the region's hospitals who began a training of
    that kind in the month (`total`: of any kind, a trainee counted once).
    Counted by start month, not "in training during the month": that would
    cost a row per training per month, and trainings without an end date
    would count for ever. From the rollup of trainees starting per hospital
    and month for whole months without filters, else from the trainings."""
    region, period = _closed(region, period)
    specialty, donor = code_of(specialty), code_of(donor)
    by_month = {}
    if not specialty and not donor and period.of_whole_months:
        rows = (
            TraineeStartMonth.objects.filter(
                hospital__in=Hospital.objects.in_region(region), month__gte=period.start, month__lte=period.end
            )
            .order_by()
            .values_list("month", "kind")
            .annotate(Sum("trainees"))
        )
        for month, kind, n in rows:
            key = "total" if kind == ANY_KIND else kind
            by_month.setdefault(month_key(month), {})[key] = int(n)
    else:
        trainees = {"total": Count("trainee", distinct=True)}
        trainees |= {kind: Count("trainee", distinct=True, filter=Q(kind=kind)) for kind in TRAINING_KINDS}
        rows = (
            rules.trainings(region, specialty=specialty, donor=donor)
            .filter(within_q(period, "start_date"))
            .order_by()
            .values(month=MonthOf("start_date"))
            .annotate(**trainees)
        )
        by_month = {month_key(row.pop("month")): row for row in rows}
    return [
        {
            "month": month_key(m),
            **{kind: by_month.get(month_key(m), {}).get(kind, 0) for kind in TRAINING_KINDS},
            "total": by_month.get(month_key(m), {}).get("total", 0),
        }
        for m in period.months()
    ]


def techniques_per_year(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Techniques introduced per year: [{"year": 2024, "total": n,
    "first_in_region": n, "other": n}, ...], one entry per year of the
    (chart) period, zeros included."""
    region, period = _closed(region, period)
    rows = (
        rules.techniques(region, period, specialty=code_of(specialty), donor=code_of(donor))
        .order_by()
        .values(year=ExtractYear("introduced_on"))
        .annotate(total=Count("pk"), first=Count("pk", filter=Q(first_in_region=True)))
    )
    by_year = {int(row["year"]): row for row in rows}
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
    "techniques_per_year": [...]}. The donor breakdown is the summary's
    `by_donor`."""
    region = province_level(region)
    period = chart_period(region, period)
    filters = {"specialty": specialty, "donor": donor}
    return {
        "period": period.as_dict(),
        "surgeries_per_month": surgeries_per_month(region, period, **filters),
        "experts_per_month": experts_per_month(region, period, **filters),
        "trainees_per_month": trainees_per_month(region, period, **filters),
        "techniques_per_year": techniques_per_year(region, period, **filters),
    }


def twinned_surgeries(region, period: Period, charted: Period, *, specialty=None, donor) -> dict:
    """The surgeries of the departments `donor` twins in `region`, whoever
    led them (the donor summary's `twinned_department_surgeries`, spec
    section 6, at the region's hospitals), within `period`: {"total",
    "by_lead": {lead: n}, "local_share_percent", "per_month": [...]}, the
    last as surgeries_per_month's entries for the months of `charted` (the
    chart's period, inside `period`).
    Under a donor filter the region dashboard's skills-transfer card and
    chart count these: local surgeons' own operations carry no team, so
    the donor's team surgeries would always show 0 % led locally. Two queries (twinned_surgery_groups)."""
    rows = twinned_surgery_groups(code_of(donor), period, province_level(region), specialty=specialty)
    by_month = {month_key(row["month"]): row for row in rows}
    total = sum(row["total"] for row in by_month.values())
    by_lead = {lead: sum(row[lead] for row in by_month.values()) for lead in LEADS}
    return {
        "total": total,
        "by_lead": by_lead,
        "local_share_percent": share_percent(by_lead["local"], total),
        "per_month": surgery_series(by_month, charted),
    }


def region_dashboard(region, period: Period = Period(), *, specialty=None, donor=None) -> dict:
    """Everything the region dashboard shows: {"summary": region_summary(...),
    "charts": region_charts(...), "twinned": twinned_surgeries(...) or None}
    with the same values as those calls, reading the surgeries once (the
    chart's months lie inside the summary's period: see chart_period).
    With a donor, `twinned` holds the surgeries of the departments it twins,
    whoever led them, in all and per month: their local share is the
    donor's skills transfer, which the dashboard shows in place of the
    share of its teams' own surgeries (the summary stays the spec's)."""
    region = province_level(region)
    specialty, donor = code_of(specialty), code_of(donor)
    charted = chart_period(region, period)
    summary, surgery_months = summarize(region, period, specialty, donor, by_month=True)
    filters = {"specialty": specialty, "donor": donor}
    twinned = twinned_surgeries(region, period, charted, specialty=specialty, donor=donor) if donor else None
    return {
        "summary": summary,
        "charts": {
            "period": charted.as_dict(),
            "surgeries_per_month": surgery_series(surgery_months, charted),
            "experts_per_month": experts_per_month(region, charted, **filters),
            "trainees_per_month": trainees_per_month(region, charted, **filters),
            "techniques_per_year": techniques_per_year(region, charted, **filters),
        },
        "twinned": twinned,
    }


def earlier_region_figures(region, period: Period, *, specialty=None, donor=None) -> dict | None:
    """The region dashboard's cards' figures for the comparable period just
    before `period` (Period.previous: the year before a calendar year, as
    many whole months or days before otherwise): {"period": that Period,
    "summary": region_summary(...) of it, "twinned": twinned_surgeries(...)
    of it or None}, with the same filters; None for an open period, which
    has nothing to compare with. The summary's queries (9), +2 with a donor."""
    earlier = period.previous()
    if earlier is None:
        return None
    region = province_level(region)
    specialty, donor = code_of(specialty), code_of(donor)
    summary, _months = summarize(region, earlier, specialty, donor)
    twinned = twinned_surgeries(region, earlier, earlier, specialty=specialty, donor=donor) if donor else None
    return {"period": earlier, "summary": summary, "twinned": twinned}
