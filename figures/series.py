"""The series the region dashboard charts, and the dashboard's figures in one call.

Each point of a series is a month, a quarter or a year (the one grouping rule,
Period.grouping in aidtracker/lib/periods.py: month up to three years,
quarter beyond, year for "all time"), clipped to the period, and marked
`partial` when the period cuts it or it is not over yet (Period.groups).
Each month's counts equal the summary's figures for that month (the first
and last month clipped to the period): the rows come from the same
definitions (figures/definitions.py); a quarter or year sums its months'
counts of events and takes the most experts on site in one of its months.
Each function runs one query (+1 when the period is open, for the chart's
first day).

- `chart_period(region, period)`: the closed period the charts show.
- `surgeries_per_month`, `experts_per_month`, `trainees_per_month`,
  `techniques_per_year`; `region_charts(...)` all four.
- `safety_figures(by_month, period, charted)`: complication and death
  rates by who led, for the period and per year.
- `region_dashboard(region, period, ...)`: {"summary", "charts", "twinned",
  "safety"}, reading the surgeries once for all; with a donor, the
  surgeries of the departments it twins (one query more).
- `region_series(region, period, ...)`: its series for the JSON API.
- `earlier_region_figures(region, period, ...)`: the dashboard's figures
  for the comparable period just before (Period.previous), by the same
  functions, or None for an open period.
"""

import datetime as dt

from django.db import connections
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import ExtractYear

from aidtracker.lib.periods import (
    YEAR,
    MonthOf,
    Period,
    add_months,
    group_start,
    month_end,
    month_key,
    month_start,
    shown_years,
    within_q,
)
from figures import definitions as rules
from figures.definitions import LEADS, TRAINING_KINDS
from figures.forms import province_level
from figures.summary import (
    before_period,
    code_of,
    counts_by_month,
    summarize,
    surgery_groups,
    twinned_surgery_groups,
)
from outcomes.models import STARTED, started

# The months a rolling share spans, the month of the point included.
ROLLING_MONTHS = 12
OUTCOMES = ("complication", "death")


def share_percent(part: int, total: int):
    """`part` of `total` in percent, one decimal; None without a total."""
    return round(100 * part / total, 1) if total else None


def chart_period(region, period: Period = Period(), *, today=None) -> Period:
    """The closed period the charts show, the whole of the summary's period.
    An open start becomes 1 January of the year in which the region's
    earliest program began (when the aid began: "all time" groups by year),
    an open end the last day of `today`'s month (default: the system's
    date); a region without programs gets the last 12 months. Given bounds
    are kept, so the chart's days always lie inside the summary's period.
    The filters do not change it, so the axis stays put while one filters.
    0 queries for a closed period, else 1."""
    region = province_level(region)
    if period.start is None or period.end is None:
        first = rules.programs(region).aggregate(first=Min("start_date"))["first"]
        return closed_chart_period(period, first, today=today)
    return closed_chart_period(period, None, today=today)


def closed_chart_period(period: Period, first: dt.date | None, *, today=None) -> Period:
    """chart_period's rule for a period and the first day of the earliest
    program it charts (`first`, None without programs): the donor
    dashboard's charts close their period by the same rule. A chart
    grouped by year is then kept to the years periods.shown_years says,
    its days still inside the period. No query."""
    today = today or dt.date.today()
    start, end = period.start, period.end
    if start is None or end is None:
        if end is None:
            end = month_end(today)
            if start and start > end:
                end = start
        if start is None:
            start = group_start(first, YEAR) if first and first <= end else months_before(end, 11)
    if period.grouping(today) == YEAR:
        start, end = shown_years(start, end, today)
    return Period(start, end)


def months_before(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months before `day`'s, or the
    calendar's first day when that lies before it."""
    try:
        return add_months(month_start(day), -n)
    except OverflowError:
        return dt.date.min


def rolling_history(charted: Period) -> Period | None:
    """The whole months before the chart's first month that its first
    point's rolling share needs (ROLLING_MONTHS - 1 of them), as a Period of
    months' first days; None at the calendar's edge."""
    try:
        first = month_start(charted.start)
        return Period(add_months(first, 1 - ROLLING_MONTHS), add_months(first, -1))
    except OverflowError:
        return None


def _closed(region, period: Period, today=None, grouping=None) -> tuple:
    """(the province-level region, the chart's closed period, its grouping).
    The grouping follows the period as asked (an open start: by year), so
    pass `grouping` with a period that is already the chart's."""
    region = province_level(region)
    grouping = grouping or period.grouping(today)
    if not period.closed:
        period = chart_period(region, period, today=today)
    return region, period, grouping


def surgeries_per_month(region, period: Period = Period(), *, specialty=None, donor=None,
                        today=None, grouping=None) -> list[dict]:
    """Surgeries at hospitals in the region per month, quarter or year (the
    period's grouping), by who led them, with the skills-transfer shares:
    surgery_series' entries, one per group of the (chart) period, zeros
    included. One query: the rolling shares' earlier months with the rest."""
    region, period, grouping = _closed(region, period, today, grouping)
    rows = surgery_groups(region, period, specialty=code_of(specialty), donor=code_of(donor),
                          history=rolling_history(period))
    return surgery_series(counts_by_month(rows), period, grouping, today)


def _summed(by_month: dict, months) -> dict:
    """{figure: n}: the counts of `by_month` ({'YYYY-MM': {figure: n}})
    summed over `months` (dates or keys); a month without a row counts 0."""
    sums = {}
    for month in months:
        for figure, n in by_month.get(month_key(month), {}).items():
            sums[figure] = sums.get(figure, 0) + n
    return sums


def surgery_series(by_month: dict, period: Period, grouping: str = "month", today=None) -> list[dict]:
    """The entries of surgeries_per_month from {'YYYY-MM': counts} (of
    SURGERY_COUNTS, or of LEADS and "total" at least), one per group of
    `period` (Period.groups): {"month": its first 'YYYY-MM', "label",
    "from", "to", "partial", "through" (Group.as_dict), "visiting", "joint",
    "local", "total", "local_share_percent", "rolling_local_share_percent",
    "grade_3_4", "local_grade_3_4", "grade_3_4_local_share_percent",
    "rolling_grade_3_4_local_share_percent"}. A share is None without a
    surgery to divide by. The rolling shares sum the ROLLING_MONTHS months
    ending with the group's last month, as `by_month` holds them (months
    before its first count 0: a shorter history)."""
    result = []
    for group in period.groups(grouping, today):
        row = _summed(by_month, group.months)
        last = month_start(group.end)
        rolling = _summed(by_month, {months_before(last, n) for n in range(ROLLING_MONTHS)})
        counts = {lead: row.get(lead, 0) for lead in LEADS}
        total = row.get("total", 0)
        complex_ = row.get("grade_3", 0) + row.get("grade_4", 0)
        result.append({
            "month": month_key(group.start),
            **group.as_dict(),
            **counts,
            "total": total,
            "local_share_percent": share_percent(counts["local"], total),
            "rolling_local_share_percent": share_percent(rolling.get("local", 0), rolling.get("total", 0)),
            "grade_3_4": complex_,
            "local_grade_3_4": row.get("local_grade_3_4", 0),
            "grade_3_4_local_share_percent": share_percent(row.get("local_grade_3_4", 0), complex_),
            "rolling_grade_3_4_local_share_percent": share_percent(
                rolling.get("local_grade_3_4", 0), rolling.get("grade_3", 0) + rolling.get("grade_4", 0)
            ),
        })
    return result


def safety_figures(by_month: dict, period: Period, charted: Period, today=None) -> dict:
    """Complication and death rates by who led, from surgery counts alone
    (no patient data): {"by_lead": {lead: rates}, "per_year": [{"year",
    "partial", "through", "by_lead": {lead: rates}}, ...]}, where rates are
    {"surgeries", "complications", "complication_rate_percent", "deaths",
    "death_rate_percent"}: the surgeries of that lead whose outcome is
    `complication` / `death` (spec section 3) over the surgeries of that
    lead, in percent with one decimal, None (not 0 %) when that lead has no
    surgery. `by_month` as counts_by_month gives it; its months before
    `period` (the rolling shares' history) are left out. The years are
    those of the chart's period `charted` and any earlier one with
    surgeries, each clipped to the period (partial as Period.groups says).
    No query."""
    within = {key: counts for key, counts in by_month.items() if not before_period(key, period)}

    def rates(counts):
        result = {}
        for lead in LEADS:
            n = counts.get(lead, 0)
            complications, deaths = counts.get(f"complication_{lead}", 0), counts.get(f"death_{lead}", 0)
            result[lead] = {
                "surgeries": n,
                "complications": complications,
                "complication_rate_percent": share_percent(complications, n),
                "deaths": deaths,
                "death_rate_percent": share_percent(deaths, n),
            }
        return result

    years = {group.label: group for group in charted.groups(YEAR, today)}
    earlier = sorted({key[:4] for key in within} - set(years))
    per_year = []
    for year in [*earlier, *years]:
        group = years.get(year)
        per_year.append({
            "year": int(year),
            "partial": group.partial if group else False,
            "through": group.through.isoformat() if group else f"{year}-12-31",
            "by_lead": rates(_summed(within, [k for k in within if k.startswith(year)])),
        })
    return {"by_lead": rates(_summed(within, within)), "per_year": per_year}


def experts_per_month(region, period: Period = Period(), *, specialty=None, donor=None,
                      today=None, grouping=None) -> list[dict]:
    """Experts on site per month, quarter or year: [{"month", "label",
    "from", "to", "partial", "through", "experts": n}, ...]. A month's is
    the summary's `experts` for that month (the first and last month clipped
    to the period): from the rollup of distinct experts per month under the
    key of (province, donor, specialty) (deployments.ExpertMonth) for whole
    months, else from the rotations. A quarter's or year's is the most on site in one of
    its months (people present do not add up across months; the distinct
    people of a year would cost a query per grouping)."""
    region, period, grouping = _closed(region, period, today, grouping)
    specialty, donor = code_of(specialty), code_of(donor)
    if period.of_whole_months:
        rows = rules.expert_months(period).filter(region=region.code, donor=donor or "", specialty=specialty or "")
        counts = {month_key(month): n for month, n in rows.values_list("month", "experts")}
    else:
        rotations = rules.rotations(region, period, specialty=specialty, donor=donor)
        counts = people_per_month(rotations, "person", period)
    return [
        {"month": month_key(group.start), **group.as_dict(),
         "experts": max(counts.get(month_key(m), 0) for m in group.months)}
        for group in period.groups(grouping, today)
    ]


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


def trainees_per_month(region, period: Period = Period(), *, specialty=None, donor=None,
                       today=None, grouping=None) -> list[dict]:
    """New trainees per month, by kind: [{"month": "2024-01",
    "onsite_course": n, "mentorship": n, "further_study": n, "total": n}, ...]
    — distinct trainees of the region's hospitals who began a training of
    that kind in the month (`total`: of any kind, a trainee counted once).
    Counted by start month, not "in training during the month": that would
    cost a row per training per month, and trainings without an end date
    would count for ever. For whole months from the span rollup's start-date
    rows (outcomes/rollups.py: a month's are those whose first and last month
    are that month, under the key of the filters), else from the trainings.
    A quarter or year (the period's grouping) sums its months: a trainee
    who begins trainings in two of its months counts in both. Each entry
    also has "label", "from", "to", "partial", "through" (Group.as_dict)."""
    region, period, grouping = _closed(region, period, today, grouping)
    specialty, donor = code_of(specialty), code_of(donor)
    by_month = {}
    if period.of_whole_months:
        kinds = {STARTED: "total", **{started(kind): kind for kind in TRAINING_KINDS}}
        rows = (
            rules.trainee_spans(region, period, specialty=specialty, donor=donor)
            .filter(kind__in=kinds, first_month=F("last_month"))
            .order_by()
            .values_list("first_month", "kind")
            .annotate(Sum("n"))
        )
        for month, kind, n in rows:
            by_month.setdefault(month_key(month), {})[kinds[kind]] = int(n)
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
    result = []
    for group in period.groups(grouping, today):
        sums = _summed(by_month, group.months)
        result.append({
            "month": month_key(group.start),
            **group.as_dict(),
            **{kind: sums.get(kind, 0) for kind in TRAINING_KINDS},
            "total": sums.get("total", 0),
        })
    return result


def techniques_per_year(region, period: Period = Period(), *, specialty=None, donor=None,
                        today=None, grouping=None) -> list[dict]:
    """Techniques introduced per year: [{"year": 2024, "total": n,
    "first_in_region": n, "other": n, "label", "from", "to", "partial",
    "through"}, ...], one entry per year of the (chart) period, zeros
    included, a year partial as Period.groups says."""
    region, period, _grouping = _closed(region, period, today, grouping)
    rows = (
        rules.techniques(region, period, specialty=code_of(specialty), donor=code_of(donor))
        .order_by()
        .values(year=ExtractYear("introduced_on"))
        .annotate(total=Count("pk"), first=Count("pk", filter=Q(first_in_region=True)))
    )
    by_year = {int(row["year"]): row for row in rows}
    result = []
    for group in period.groups(YEAR, today):
        row = by_year.get(group.start.year, {})
        total, first = row.get("total", 0), row.get("first", 0)
        result.append({"year": group.start.year, "total": total, "first_in_region": first, "other": total - first,
                       **group.as_dict()})
    return result


def region_charts(region, period: Period = Period(), *, specialty=None, donor=None, today=None) -> dict:
    """Every series of the region dashboard for one (chart) period:
    {"period": {"from", "to"}, "grouping": "month"|"quarter"|"year",
    "surgeries_per_month": [...], "experts_per_month": [...],
    "trainees_per_month": [...], "techniques_per_year": [...]} (the keys
    keep their names whatever the grouping). The donor breakdown is the
    summary's `by_donor`. With an open start, every surgery is read, and
    the chart starts early enough to hold them all (with_earliest)."""
    region = province_level(region)
    specialty, donor = code_of(specialty), code_of(donor)
    grouping = period.grouping(today)
    charted = chart_period(region, period, today=today)
    if period.start is None:
        rows = surgery_groups(region, Period(None, charted.end), specialty=specialty, donor=donor)
    else:
        rows = surgery_groups(region, charted, specialty=specialty, donor=donor, history=rolling_history(charted))
    by_month = counts_by_month(rows)
    charted = with_earliest(charted, by_month, period)
    return charts_of(region, charted, by_month, specialty=specialty, donor=donor, today=today, grouping=grouping)


def charts_of(region, charted: Period, by_month: dict, *, specialty, donor, today, grouping) -> dict:
    """region_charts' answer for the chart's period `charted`, the surgeries
    given per month (`by_month`, read by the caller with the summary or
    alone): the other series read here, one query each."""
    filters = {"specialty": specialty, "donor": donor, "today": today, "grouping": grouping}
    return {
        "period": charted.as_dict(),
        "grouping": grouping,
        "surgeries_per_month": surgery_series(by_month, charted, grouping, today),
        "experts_per_month": experts_per_month(region, charted, **filters),
        "trainees_per_month": trainees_per_month(region, charted, **filters),
        "techniques_per_year": techniques_per_year(region, charted, **filters),
    }


def twinned_surgeries(region, period: Period, charted: Period, *, specialty=None, donor,
                      grouping="month", today=None) -> dict:
    """The surgeries of the departments `donor` twins in `region`, whoever
    led them (the donor summary's `twinned_department_surgeries`, spec
    section 6, at the region's hospitals), within `period`: {"total",
    "by_lead": {lead: n}, "local_share_percent", "per_month": [...]}, the
    last as surgeries_per_month's entries for the groups of `charted` (the
    chart's period, inside `period`; their rolling shares start with the
    period: no earlier months are read).
    Under a donor filter the region dashboard's skills-transfer card and
    chart count these: local surgeons' own operations carry no team, so
    the donor's team surgeries would always show 0 % led locally. Two queries (twinned_surgery_groups)."""
    rows = twinned_surgery_groups(code_of(donor), period, province_level(region), specialty=specialty)
    by_month = counts_by_month(rows)
    total = sum(row["total"] for row in by_month.values())
    by_lead = {lead: sum(row[lead] for row in by_month.values()) for lead in LEADS}
    return {
        "total": total,
        "by_lead": by_lead,
        "local_share_percent": share_percent(by_lead["local"], total),
        "per_month": surgery_series(by_month, charted, grouping, today),
    }


def with_earliest(charted: Period, by_month: dict, period: Period) -> Period:
    """The chart's period, begun earlier when `period` has an open start
    ("all time") and surgeries (`by_month`, as counts_by_month gives them)
    come before the first program's year: from 1 January of the earliest
    surgery's year, so that the chart holds every surgery the cards count.
    No query."""
    if period.start is not None:
        return charted
    months = [key for key, counts in by_month.items() if counts.get("total")]
    if not months or min(months) >= month_key(charted.start):
        return charted
    return Period(dt.date(int(min(months)[:4]), 1, 1), charted.end)


def region_dashboard(region, period: Period = Period(), *, specialty=None, donor=None, today=None) -> dict:
    """Everything the region dashboard shows: {"summary": region_summary(...),
    "charts": region_charts(...), "twinned": twinned_surgeries(...) or None,
    "safety": safety_figures(...)} with the same values as those calls,
    reading the surgeries once (the chart's days lie inside the summary's
    period, see chart_period; the rolling shares' earlier months come in
    the same query). `today` (default: the system's date) decides the
    partial groups and an open end.
    With a donor, `twinned` holds the surgeries of the departments it twins,
    whoever led them, in all and per month: their local share is the
    donor's skills transfer, which the dashboard shows in place of the
    share of its teams' own surgeries (the summary stays the spec's)."""
    region = province_level(region)
    specialty, donor = code_of(specialty), code_of(donor)
    grouping = period.grouping(today)
    charted = chart_period(region, period, today=today)
    history = rolling_history(charted) if period.start is not None else None
    summary, surgery_months = summarize(region, period, specialty, donor, by_month=True, history=history)
    charted = with_earliest(charted, surgery_months, period)
    twinned = twinned_surgeries(region, period, charted, specialty=specialty, donor=donor,
                                grouping=grouping, today=today) if donor else None
    return {
        "summary": summary,
        "charts": charts_of(region, charted, surgery_months, specialty=specialty, donor=donor, today=today,
                            grouping=grouping),
        "twinned": twinned,
        "safety": safety_figures(surgery_months, period, charted, today),
    }


def region_series(region, period: Period = Period(), *, specialty=None, donor=None, today=None) -> dict:
    """The region dashboard's series for the JSON API: {"region": {"code",
    "name"}, "period": the summary's {"from", "to"}, "charts":
    region_dashboard's "charts" (with "period" and "grouping"), "safety":
    safety_figures(...), "twinned_per_month": the twinned departments'
    surgery series under a donor filter, else null}. The same call as the
    page's, so the same numbers."""
    region = province_level(region)
    figures = region_dashboard(region, period, specialty=specialty, donor=donor, today=today)
    return {
        "region": {"code": region.code, "name": region.name},
        "period": period.as_dict(),
        "charts": figures["charts"],
        "safety": figures["safety"],
        "twinned_per_month": figures["twinned"]["per_month"] if figures["twinned"] else None,
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
    twinned = twinned_surgeries(region, earlier, earlier, specialty=specialty, donor=donor,
                                grouping=earlier.grouping()) if donor else None
    return {"period": earlier, "summary": summary, "twinned": twinned}
