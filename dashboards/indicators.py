"""A hospital's monthly indicators and its before/after comparison.

Before: the 12 calendar months before the month in which the hospital's
first program began. After: the latest 12 months, ending with the latest
month for which the hospital reported any indicator. Per indicator, counts
of events are summed over the 12 months; levels (how many conditions the
hospital can treat) are averaged over the months reported. The change is
(after − before) / before in percent; none when before is missing or zero.
Both windows are computed by one aggregate query per hospital page.
"""

from django.db.models import Avg, Count, Max, Q, Sum

from figures.movements import comparison_windows
from outcomes.models import IndicatorValue

LEVEL_INDICATORS = {IndicatorValue.Indicator.CONDITIONS_TREATABLE}
# Fewer is the aim for these (fewer deaths, fewer patients sent away).
LOWER_IS_BETTER = {IndicatorValue.Indicator.NEONATAL_DEATHS, IndicatorValue.Indicator.OUTBOUND_REFERRALS}


def latest_month(values):
    return values.aggregate(latest=Max("period"))["latest"]


def window_sums(in_before, in_after) -> dict:
    """The aggregates of one indicator's rows in both windows (conditions on
    the rows), as indicator_rows reads them: sum, mean and months reported
    before and after."""
    return {
        "before_sum": Sum("value", filter=in_before),
        "before_avg": Avg("value", filter=in_before),
        "before_months": Count("pk", filter=in_before),
        "after_sum": Sum("value", filter=in_after),
        "after_avg": Avg("value", filter=in_after),
        "after_months": Count("pk", filter=in_after),
    }


def before_after(values, first_program_start, latest):
    """One row per indicator: before, after (sum or mean), months reported in
    each window, change in percent. `values`: the hospital's IndicatorValues."""
    before, after = comparison_windows(first_program_start, latest)
    never = Q(period__isnull=True)  # matches no row: period is required
    in_before = Q(period__range=before) if before else never
    in_after = Q(period__range=after) if after else never
    rows = (
        values.order_by()
        .values("indicator")
        .annotate(**window_sums(in_before, in_after))
    )
    return {"before": before, "after": after, "rows": indicator_rows(rows)}


def indicator_rows(rows):
    """before_after's rows from the aggregate's rows (one per indicator,
    with before_sum, before_avg, before_months and the same for after), in
    the order of IndicatorValue.Indicator."""
    labels = dict(IndicatorValue.Indicator.choices)
    out = []
    for row in rows:
        level = row["indicator"] in LEVEL_INDICATORS
        b = row["before_avg"] if level else row["before_sum"]
        a = row["after_avg"] if level else row["after_sum"]
        change = None
        if b and a is not None:
            change = float((a - b) / b * 100)
        out.append({
            "indicator": row["indicator"],
            "label": labels.get(row["indicator"], row["indicator"]),
            "measure": "mean" if level else "sum",
            "before": b,
            "after": a,
            "before_months": row["before_months"],
            "after_months": row["after_months"],
            "change": change,
            "improved": None if not change else (change < 0) == (row["indicator"] in LOWER_IS_BETTER),
        })
    order = list(labels)
    out.sort(key=lambda r: order.index(r["indicator"]) if r["indicator"] in order else 99)
    return out


def before_after_by_hospital(values, first_starts):
    """before_after() of many hospitals at once, in two queries whatever
    their number: {hospital id: {"before", "after", "rows"}} for the
    hospitals of `first_starts` ({hospital id: the start of its first
    program}), each with its own windows. `values`: IndicatorValues (the
    reader's)."""
    values = values.filter(hospital__in=list(first_starts))
    latest = dict(values.order_by().values("hospital").annotate(latest=Max("period"))
                  .values_list("hospital", "latest"))
    windows = {h: comparison_windows(first_starts[h], latest.get(h)) for h in first_starts}
    never = Q(period__isnull=True)  # matches no row: period is required
    in_before, in_after = never, never
    for h, (before, after) in windows.items():
        if before:
            in_before |= Q(hospital=h, period__range=before)
        if after:
            in_after |= Q(hospital=h, period__range=after)
    rows = (
        values.filter(in_before | in_after).order_by()
        .values("hospital", "indicator")
        .annotate(**window_sums(in_before, in_after))
    ) if latest else []
    by_hospital = {}
    for row in rows:
        by_hospital.setdefault(row.pop("hospital"), []).append(row)
    return {
        h: {"before": before, "after": after, "rows": indicator_rows(by_hospital.get(h, []))}
        for h, (before, after) in windows.items()
    }


def monthly_table(values, since):
    """(months, indicators, {month: {indicator: value}}) from `since` on."""
    rows = values.filter(period__gte=since).order_by("period", "indicator").values_list(
        "period", "indicator", "value"
    )
    table = {}
    present = set()
    for period, indicator, value in rows:
        table.setdefault(period, {})[indicator] = value
        present.add(indicator)
    indicators = [(code, label) for code, label in IndicatorValue.Indicator.choices if code in present]
    return sorted(table), indicators, table
