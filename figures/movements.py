"""Patient movements and hospital outcomes of a region (or of one recipient
hospital), per year: what the region dashboard's section "Patient movements
and outcomes" shows and the figures download carries (docs/figures.md,
"Patient movements and outcomes", gives each definition in words).

`movements(region, period, hospital=None)` returns:

- `transfers_in`, `referrals_out`: per calendar year of the period, the
  referrals the region summary counts as `referrals.transfer_in` and
  `.referral_out` (figures.definitions.referrals: transfers in by their
  destination hospital in R, referrals out by their origin hospital in R),
  dated within the period and that year: their count, their outcomes
  (recovered, improved, died, unknown, and `none` for those whose outcome
  was not given), and the median `distance_km` and `duration_hours` of
  those that have one, with how many have one. Every year from the first
  to the last is listed, a year without referrals with zeros: a closed
  period's years, an open bound's from the first or last year with data,
  kept to the fifty years to next year (periods.shown_years).
- `conditions_treatable`: for each recipient hospital in R (the recipient
  hospital of a program, whatever its dates) its `conditions_treatable` of
  the latest month it reported at or before the period's end (whatever
  the period's start), summed; with the months of the earliest and latest
  of those reports and each hospital's row.
- `neonatal`: neonatal deaths per 1,000 live births of the hospitals in R:
  over the hospital-months, within the period, for which a hospital
  reported both `neonatal_deaths` and `live_births` (a month with one of
  them alone is left out, and counted apart: deaths without births would
  inflate the rate), the sum of deaths × 1,000 / the sum of live births;
  None when those live births are zero ("no live births reported"), never
  0. Per year, and before/after: before is the 12 months before the month
  in which the region's first program began (any program with its
  recipient hospital in R, whatever its dates), after is the latest 12
  months ending with the latest month, at or before the period's end,
  that some hospital in R reported both (`comparison_windows`, the
  hospital page's rule, with that latest month).

A month (an indicator's `period`, its first day) is within the period when
it overlaps it: on or after the month of the period's start, on or before
the period's end.

Medians are computed in the database, the same way on PostgreSQL and
SQLite (which has no percentile function): a window function numbers each
year's values in order, and only the one or two middle rows come back; the
median is their mean. A fixed number of queries whatever the data size: 8.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import ExtractYear, RowNumber

from aidtracker.lib.periods import Period, add_months, month_start, shown_years, within_q
from figures import definitions as rules
from hospitals.models import Hospital
from outcomes.models import IndicatorValue, Referral

MOVEMENT_KINDS = (Referral.Kind.TRANSFER_IN, Referral.Kind.REFERRAL_OUT)
#: The outcomes counted per year; `none`: no outcome given (outcomes/filters.py NO_OUTCOME).
OUTCOMES = ("recovered", "improved", "died", "unknown", "none")
MEASURES = ("distance_km", "duration_hours")

DEATHS = IndicatorValue.Indicator.NEONATAL_DEATHS
BIRTHS = IndicatorValue.Indicator.LIVE_BIRTHS
TREATABLE = IndicatorValue.Indicator.CONDITIONS_TREATABLE
PER = 1000


def movements(region, period: Period = Period(), hospital=None) -> dict:
    """{"transfers_in": [year rows], "referrals_out": [year rows],
    "conditions_treatable": {...}, "neonatal": {...}} for the province-level
    region `region` (a Region or its code), or for its hospital `hospital`
    (a code) alone when given; the module's docstring defines each."""
    rows = _referrals(region, period, hospital)
    counts = list(
        rows.annotate(year=ExtractYear("date")).values("kind", "year", "outcome")
        .annotate(n=Count("pk"), **{f"with_{m}": Count(m) for m in MEASURES})
    )
    medians = {m: middle_values(rows, m) for m in MEASURES}
    years = _years(period, [c["year"] for c in counts])
    by_kind = {
        kind: [_year_row(kind, year, period, counts, medians) for year in years] for kind in MOVEMENT_KINDS
    }
    return {
        "transfers_in": by_kind[Referral.Kind.TRANSFER_IN],
        "referrals_out": by_kind[Referral.Kind.REFERRAL_OUT],
        "conditions_treatable": conditions_treatable(region, period, hospital),
        "neonatal": neonatal(region, period, hospital),
    }


# --- referrals ------------------------------------------------------------------------

def _referrals(region, period, hospital):
    """Transfers in and referrals out of the region summary's `referrals`
    (of the hospital `hospital` alone when given), unordered."""
    if hospital:
        rows = Referral.objects.within(period).of_hospitals(Hospital.objects.filter(pk=hospital))
    else:
        rows = rules.referrals(region, period)
    return rows.filter(kind__in=MOVEMENT_KINDS).order_by()


def middle_values(rows, field) -> dict:
    """{(kind, year): median of `field`} over `rows` that have a value: the
    one middle value of an odd number of them, the mean of the two middle
    ones of an even number (as Decimal, exact). One query; only the middle
    rows of each kind and year come back, so it does not grow with the rows.
    """
    partition = [F("kind"), ExtractYear("date")]
    middle = (
        rows.filter(**{f"{field}__isnull": False})
        .annotate(
            year=ExtractYear("date"),
            position=Window(RowNumber(), partition_by=partition, order_by=[F(field).asc(), F("pk").asc()]),
            among=Window(Count("pk"), partition_by=partition),
        )
        # Positions (n + 1) // 2 and (n + 2) // 2: the same row when n is odd.
        .filter(position__gte=(F("among") + 1) / 2, position__lte=(F("among") + 2) / 2)
        .values_list("kind", "year", field)
    )
    found = {}
    for kind, year, value in middle:
        found.setdefault((kind, year), []).append(Decimal(value))
    return {key: sum(values) / len(values) for key, values in found.items()}


def _years(period: Period, data_years) -> list[int]:
    """The calendar years the tables list: from the period's first year (or
    the first with data) to its last (or the last with data), kept to the
    years a table by year shows (periods.shown_years)."""
    first = period.start.year if period.start else min(data_years, default=None)
    last = period.end.year if period.end else max(data_years, default=None)
    if first is None or last is None:
        return []
    start, end = shown_years(dt.date(first, 1, 1), dt.date(last, 12, 31), dt.date.today())
    return list(range(start.year, end.year + 1))


def year_period(year: int, period: Period) -> Period:
    """The part of the calendar year `year` that lies within the period: the
    dates a year's row counts (and its link's)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Period(max(start, period.start) if period.start else start, min(end, period.end) if period.end else end)


def _year_row(kind, year, period, counts, medians) -> dict:
    """{"year", "period" (year_period), "count", "outcomes" {outcome: n},
    "distance_km" / "duration_hours": {"median" (None without values), "n"}}."""
    mine = [c for c in counts if c["kind"] == kind and c["year"] == year]
    outcomes = dict.fromkeys(OUTCOMES, 0)
    for c in mine:
        outcomes[c["outcome"] or "none"] += c["n"]
    return {
        "year": year,
        "period": year_period(year, period),
        "count": sum(c["n"] for c in mine),
        "outcomes": outcomes,
        **{m: {"median": medians[m].get((kind, year)), "n": sum(c[f"with_{m}"] for c in mine)}
           for m in MEASURES},
    }


# --- indicators -----------------------------------------------------------------------

def _hospitals(region, hospital):
    """The hospitals whose indicators count: those in R, or `hospital` alone."""
    return Hospital.objects.filter(pk=hospital) if hospital else Hospital.objects.in_region(region)


def months_within(period: Period) -> Q:
    """Q for indicator rows whose month overlaps the period."""
    return within_q(Period(month_start(period.start) if period.start else None, period.end), "period")


def conditions_treatable(region, period: Period, hospital=None) -> dict:
    """{"total" (None when no hospital reported), "hospitals": [{"code",
    "name", "name_zh", "month", "value"}], "first_month", "last_month"}: each
    recipient hospital's latest report at or before the period's end,
    summed. One query."""
    if hospital:
        recipients = Hospital.objects.filter(pk=hospital)
    else:
        recipients = Hospital.objects.filter(pk__in=rules.programs(region).values("recipient_hospital"))
    reports = IndicatorValue.objects.filter(indicator=TREATABLE)
    if period.end:
        reports = reports.filter(period__lte=period.end)
    latest = reports.filter(hospital=OuterRef("hospital")).order_by("-period").values("period")[:1]
    rows = list(
        reports.filter(hospital__in=recipients, period=Subquery(latest))
        .order_by("hospital__name", "hospital")
        .values("hospital", "hospital__name", "hospital__name_zh", "period", "value")
    )
    hospitals = [
        {"code": r["hospital"], "name": r["hospital__name"], "name_zh": r["hospital__name_zh"],
         "month": r["period"], "value": r["value"]}
        for r in rows
    ]
    months = [h["month"] for h in hospitals]
    return {
        "total": sum(h["value"] for h in hospitals) if hospitals else None,
        "hospitals": hospitals,
        "first_month": min(months, default=None),
        "last_month": max(months, default=None),
    }


def comparison_windows(first_program_start, latest_month):
    """((before_start, before_end), (after_start, after_end)) as first days
    of months, inclusive; either None when its date is: before, the 12
    calendar months before the month of `first_program_start`; after, the
    12 months ending with `latest_month`. The hospital page's before/after
    (dashboards/indicators.py) and the region's neonatal rate use it."""
    before = after = None
    if first_program_start:
        first_month = first_program_start.replace(day=1)
        before = (add_months(first_month, -12), add_months(first_month, -1))
    if latest_month:
        after = (add_months(latest_month, -11), latest_month)
    return before, after


def _paired_reports(region, hospital):
    """The hospitals' neonatal deaths and live births rows, each with
    `paired`: whether the same hospital reported the other for the same month."""
    other = IndicatorValue.objects.filter(
        hospital=OuterRef("hospital"), period=OuterRef("period"), indicator__in=[DEATHS, BIRTHS]
    ).exclude(indicator=OuterRef("indicator"))
    return (
        IndicatorValue.objects.filter(hospital__in=_hospitals(region, hospital), indicator__in=[DEATHS, BIRTHS])
        .annotate(paired=Exists(other)).order_by()
    )


def _sums(q=Q()) -> dict:
    """The aggregates of a rate over the rows matching `q`: paired deaths
    and births, the hospital-months counted, the months left out."""
    return {
        "deaths": Sum("value", filter=q & Q(paired=True, indicator=DEATHS)),
        "births": Sum("value", filter=q & Q(paired=True, indicator=BIRTHS)),
        "months": Count("pk", filter=q & Q(paired=True, indicator=BIRTHS)),
        "deaths_alone": Count("pk", filter=q & Q(paired=False, indicator=DEATHS)),
        "births_alone": Count("pk", filter=q & Q(paired=False, indicator=BIRTHS)),
    }


def rate(deaths, births):
    """Neonatal deaths per 1,000 live births, to one decimal; None without
    live births (no rate, never 0)."""
    if not births:
        return None
    return (Decimal(deaths or 0) * PER / Decimal(births)).quantize(Decimal("0.1"))


def _rate_row(sums: dict) -> dict:
    """{"deaths", "births", "rate", "months" (hospital-months counted),
    "deaths_alone", "births_alone" (months with one of them only, left out)}."""
    deaths, births = sums["deaths"] or 0, sums["births"] or 0
    return {"deaths": deaths, "births": births, "rate": rate(deaths, births), "months": sums["months"] or 0,
            "deaths_alone": sums["deaths_alone"] or 0, "births_alone": sums["births_alone"] or 0}


def neonatal(region, period: Period, hospital=None) -> dict:
    """{"years": [{"year", "period", **_rate_row}], "before", "after": each
    {"from", "to" (first days of months), **_rate_row} or None without such a
    window}. Four queries."""
    reports = _paired_reports(region, hospital)
    per_year = {
        r["year"]: r for r in
        reports.filter(months_within(period)).annotate(year=ExtractYear("period")).values("year")
        .annotate(**_sums())
    }
    programs = rules.programs(region) if not hospital else rules.programs(None).filter(recipient_hospital=hospital)
    first_start = programs.aggregate(first=Min("start_date"))["first"]
    paired = reports.filter(paired=True)
    latest = (paired.filter(period__lte=period.end) if period.end else paired).aggregate(
        latest=Max("period"))["latest"]
    windows = comparison_windows(first_start, latest)
    never = Q(period__isnull=True)  # matches no row (period is required), yet still one query
    q = {name: Q(period__range=w) if w else never for name, w in zip(("before", "after"), windows)}
    sums = reports.aggregate(**{f"{name}_{k}": v for name in q for k, v in _sums(q[name]).items()})
    return {
        "years": [
            {"year": year, "period": year_period(year, period),
             **_rate_row(per_year.get(year) or dict.fromkeys(_sums(), None))}
            for year in _years(period, list(per_year))
        ],
        **{
            name: None if window is None else {
                "from": window[0], "to": window[1],
                **_rate_row({k: sums[f"{name}_{k}"] for k in _sums()}),
            }
            for name, window in zip(("before", "after"), windows)
        },
    }


# --- as JSON --------------------------------------------------------------------------

def _number(value):
    """A Decimal as JSON gives it: a whole number as int, else a float; None stays."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _month(day) -> str | None:
    return None if day is None else f"{day:%Y-%m}"


def as_json(figures: dict) -> dict:
    """`movements()` as the API gives it (api/views.py, `&include=movements`):
    plain numbers, periods as {"from", "to"}, months as "YYYY-MM"."""
    def referral_year(r):
        return {
            "year": r["year"], "period": r["period"].as_dict(), "count": r["count"], "outcomes": r["outcomes"],
            **{m: {"median": _number(r[m]["median"]), "n": r[m]["n"]} for m in MEASURES},
        }

    def rate_row(r):
        return {"deaths": _number(Decimal(r["deaths"])), "births": _number(Decimal(r["births"])),
                "per_1000_live_births": _number(r["rate"]), "months": r["months"],
                "deaths_alone": r["deaths_alone"], "births_alone": r["births_alone"]}

    treatable, neonatal_figures = figures["conditions_treatable"], figures["neonatal"]
    return {
        "transfers_in": [referral_year(r) for r in figures["transfers_in"]],
        "referrals_out": [referral_year(r) for r in figures["referrals_out"]],
        "conditions_treatable": {
            "total": _number(treatable["total"]),
            "first_month": _month(treatable["first_month"]), "last_month": _month(treatable["last_month"]),
            "hospitals": [{"code": h["code"], "name": h["name"], "month": _month(h["month"]),
                           "value": _number(h["value"])} for h in treatable["hospitals"]],
        },
        "neonatal": {
            "years": [{"year": r["year"], "period": r["period"].as_dict(), **rate_row(r)}
                      for r in neonatal_figures["years"]],
            **{
                name: None if w is None else {"from": _month(w["from"]), "to": _month(w["to"]), **rate_row(w)}
                for name, w in ((n, neonatal_figures[n]) for n in ("before", "after"))
            },
        },
    }
