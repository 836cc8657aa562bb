"""The region summary (interchange spec v1, section 5) and the series that the
overview and region dashboards chart.

Every function here computes its figures in the database with a fixed number
of queries, whatever the data size; Python only shapes the few result rows
(one per donor, month or region) into plain dicts and lists that a view can
hand to `json_script` or `JsonResponse`.

Public functions (signatures are stable; the pages and the API use them):

- `region_summary(region, period=Period(), *, specialty=None, donor=None) -> dict`
  exactly the spec's JSON shape (9 queries; +1 when `region` is a code).
- `recipient_regions() -> QuerySet[Region]` (1 query when evaluated).
- `overview(period=Period()) -> list[dict]` headline figures of every
  recipient region (9 queries).
- `chart_period(region, period=Period()) -> Period` the closed period the
  monthly charts show (0 queries when both bounds are given, else 1).
- `surgeries_per_month`, `experts_per_month`, `trainees_per_month`,
  `techniques_per_year` (1 query each, +1 for an open period) and
  `region_charts(...)` (all four: 4 queries, +1 for an open period).
- `parse_period(from_text, to_text) -> Period` and
  `resolve_summary_args(code, from_text, to_text, specialty, donor)` for
  the command and the API (SummaryArgumentError with an HTTP status).

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
    CharField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth, TruncYear
from django.utils.translation import gettext as _

from deployments.models import Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from hospitals.periods import Period, overlaps_q, within_q
from outcomes.models import (
    MINIMALLY_INVASIVE,
    Consultation,
    Referral,
    Surgery,
    Technique,
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


def _count(field: str, q: Q | None = None, *, distinct=False):
    """Count(field) filtered by `q`; an empty Q means no filter at all."""
    return Count(field, filter=q if q else None, distinct=distinct)


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
# The region summary


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


def region_summary(region, period: Period = Period(), *, specialty=None, donor=None) -> dict:
    """The summary of a recipient region for a period, as the interchange spec's
    section 5 defines it: a dict with exactly the spec's keys in its order.

    `region`: a province-level Region or its code; `period`: inclusive,
    optional bounds; `specialty`, `donor`: optional filters (codes or
    instances), see the module docstring. 9 queries (+1 for a code).
    """
    region = _region(region)
    specialty, donor = _code(specialty), _code(donor)
    hospitals = Hospital.objects.in_region(region)
    programs = _programs_of(region, donor)
    spec_q = Q(specialty=specialty) if specialty else Q()

    # 1. Programs overlapping the period, per donor region. Each program has
    # one donor, so the total is the sum of the groups.
    donors = list(
        programs.overlapping(period)
        .order_by("donor_region")
        .values("donor_region")
        .annotate(name=F("donor_region__name"), programs=Count("pk"))
    )
    donor_codes = [d["donor_region"] for d in donors]

    # 2, 3. Twinnings and teams of those programs whose own dates overlap.
    twinned = Twinning.objects.filter(program__in=programs).filter(overlaps_q(period), spec_q).count()
    teams = Team.objects.filter(program__in=programs).overlapping(period).count()

    # 4. Rotations in teams of those programs overlapping the period: distinct
    # people and days on site, in total and per donor (conditional aggregates).
    days = overlap_days(period)
    rotation_aggs = {"experts": Count("person", distinct=True), "expert_days": Sum(days)}
    for code in donor_codes:
        of_donor = Q(team__program__donor_region=code)
        rotation_aggs[f"experts_{code}"] = Count("person", distinct=True, filter=of_donor)
        rotation_aggs[f"expert_days_{code}"] = Sum(days, filter=of_donor)
    rot = (
        Rotation.objects.filter(team__program__in=programs)
        .overlapping(period)
        .filter(spec_q)
        .aggregate(**rotation_aggs)
    )

    # 5. Surgeries at hospitals in R within the period, and per donor through
    # their team's program.
    surgeries = Surgery.objects.in_region(region).within(period).filter(spec_q)
    if donor:
        surgeries = surgeries.filter(team__program__donor_region=donor)
    surgery_aggs = {
        "total": Count("pk"),
        **{lead: Count("pk", filter=Q(lead=lead)) for lead in LEADS},
        **{f"grade_{g}": Count("pk", filter=Q(grade=g)) for g in GRADES},
        "minimally_invasive": Count("pk", filter=Q(approach__in=MINIMALLY_INVASIVE)),
        "demonstration": Count("pk", filter=Q(demonstration=True)),
        "first_in_region": Count("pk", filter=Q(first_in_region=True)),
    }
    for code in donor_codes:
        surgery_aggs[f"donor_{code}"] = Count("pk", filter=Q(team__program__donor_region=code))
    surg = surgeries.aggregate(**surgery_aggs)

    # 6. Trainees: distinct trainee ids with a training overlapping the
    # period, per kind, and those whose independent_on falls within it.
    overlap = overlaps_q(period)
    independent = Q(independent_on__isnull=False) & within_q(period, "independent_on")
    trainings = Training.objects.in_region(region).filter(spec_q)
    if donor:
        trainings = trainings.filter(program__donor_region=donor)
    either = _or(overlap, independent)
    if either is not None:
        trainings = trainings.filter(either)
    trn = trainings.aggregate(
        total=_count("trainee", overlap, distinct=True),
        **{kind: _count("trainee", overlap & Q(kind=kind), distinct=True) for kind in TRAINING_KINDS},
        independent=_count("trainee", independent, distinct=True),
    )

    # 7. Techniques introduced at hospitals in R within the period.
    techniques = Technique.objects.in_region(region).within(period).filter(spec_q)
    if donor:
        techniques = techniques.filter(program__donor_region=donor)
    tech = techniques.aggregate(total=Count("pk"), first_in_region=Count("pk", filter=Q(first_in_region=True)))

    # 8. Referrals: into R by destination hospital, out of R by origin hospital.
    to_r = Q(kind__in=["transfer_in", "international"], destination_hospital__in=hospitals)
    from_r = Q(kind="referral_out", origin_hospital__in=hospitals)
    ref = (
        Referral.objects.within(period)
        .filter(to_r | from_r)
        .aggregate(
            transfer_in=Count("pk", filter=Q(kind="transfer_in")),
            referral_out=Count("pk", filter=Q(kind="referral_out")),
            international=Count("pk", filter=Q(kind="international")),
        )
    )

    # 9. Consultations requested by hospitals in R within the period.
    consultations = Consultation.objects.within(period).filter(spec_q, requesting_hospital__in=hospitals)
    if donor:
        consultations = consultations.filter(consulting_hospital__in=Hospital.objects.in_region(donor))

    return {
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
        "consultations": consultations.count(),
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


# --------------------------------------------------------------------------
# The overview of all recipient regions


def _by_province(rows) -> dict:
    return {row.pop("prov"): row for row in rows}


def overview(period: Period = Period()) -> list[dict]:
    """Headline figures of every recipient region for the period, sorted by
    code: one dict per region with `code`, `name`, `name_zh`, `programs`,
    `twinned_departments`, `teams`, `experts`, `expert_days`, `surgeries`,
    `surgeries_local`, `local_share_percent` (None without surgeries),
    `trainees`, `techniques`, `consultations`. Each equals the same key of
    region_summary(region, period). 9 queries, however many regions."""
    regions = list(recipient_regions().values("code", "name", "name_zh"))
    codes = [r["code"] for r in regions]
    in_recipient = {"prov__in": codes}

    def grouped(qs, hospital_path, **aggs):
        return _by_province(
            qs.order_by()
            .annotate(prov=province_of(hospital_path))
            .filter(**in_recipient)
            .values("prov")
            .annotate(**aggs)
        )

    programs = grouped(Program.objects.overlapping(period), "recipient_hospital", n=Count("pk"))
    twinnings = grouped(
        Twinning.objects.filter(overlaps_q(period)), "program__recipient_hospital", n=Count("pk")
    )
    teams = grouped(Team.objects.overlapping(period), "program__recipient_hospital", n=Count("pk"))
    rotations = grouped(
        Rotation.objects.overlapping(period),
        "team__program__recipient_hospital",
        experts=Count("person", distinct=True),
        days=Sum(overlap_days(period)),
    )
    surgeries = grouped(
        Surgery.objects.within(period), "hospital", n=Count("pk"), local=Count("pk", filter=Q(lead="local"))
    )
    trainings = Training.objects.all()
    if overlaps_q(period):
        trainings = trainings.filter(overlaps_q(period))
    trainees = grouped(trainings, "trainee__hospital", n=Count("trainee", distinct=True))
    techniques = grouped(Technique.objects.within(period), "hospital", n=Count("pk"))
    consultations = grouped(Consultation.objects.within(period), "requesting_hospital", n=Count("pk"))

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


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(month: dt.date) -> dt.date:
    return _add_months(month, 1) - dt.timedelta(days=1)


def months_of(period: Period) -> list[dt.date]:
    """First days of the months a closed period touches, in order."""
    months, month = [], _month_start(period.start)
    while month <= period.end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def chart_period(region, period: Period = Period()) -> Period:
    """The closed period the monthly charts show. Open bounds are taken from
    the region's first and last dated row (surgery date, rotation and
    training start/end, technique introduced_on; whatever the filters); a
    region without rows gets the last 12 months. Longer than
    MAX_CHART_MONTHS months: the latest ones. 0 queries for a closed
    period, else 1."""
    region = _region(region)
    start, end = period.start, period.end
    if start is None or end is None:
        hospitals = Hospital.objects.in_region(region)
        programs = Program.objects.for_recipient_region(region)
        surgeries = Surgery.objects.filter(hospital__in=hospitals).order_by()
        rotations = Rotation.objects.filter(team__program__in=programs).order_by()
        trainings = Training.objects.filter(trainee__hospital__in=hospitals).order_by()
        techniques = Technique.objects.filter(hospital__in=hospitals).order_by()

        def first(qs, field):
            return Subquery(qs.order_by(field).values(field)[:1], output_field=DateField())

        def last(qs, field):
            return Subquery(qs.order_by(f"-{field}").values(field)[:1], output_field=DateField())

        bounds = (
            Region.objects.filter(pk=region.pk)
            .annotate(
                s_first=first(surgeries, "date"),
                s_last=last(surgeries, "date"),
                r_first=first(rotations, "start_date"),
                r_last=last(rotations, "end_date"),
                t_first=first(trainings, "start_date"),
                t_last_start=last(trainings, "start_date"),
                t_last_end=last(trainings.filter(end_date__isnull=False), "end_date"),
                q_first=first(techniques, "introduced_on"),
                q_last=last(techniques, "introduced_on"),
            )
            .values("s_first", "s_last", "r_first", "r_last", "t_first", "t_last_start", "t_last_end", "q_first", "q_last")
            .get()
        )
        firsts = [_as_date(bounds[k]) for k in ("s_first", "r_first", "t_first", "q_first")]
        lasts = [_as_date(bounds[k]) for k in ("s_last", "r_last", "t_last_start", "t_last_end", "q_last")]
        firsts, lasts = [d for d in firsts if d], [d for d in lasts if d]
        today = dt.date.today()
        if end is None:
            end = max(lasts) if lasts else today
            if start and end < start:
                end = _month_end(_add_months(_month_start(start), 11))
        if start is None:
            start = min(firsts) if firsts else _add_months(_month_start(end), -11)
            if start > end:
                start = _add_months(_month_start(end), -11)
    earliest = _add_months(_month_start(end), -(MAX_CHART_MONTHS - 1))
    return Period(max(start, earliest), end)


def _as_date(value):
    if isinstance(value, str):  # SQLite returns the subquery's text as is
        return dt.date.fromisoformat(value)
    return value


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
    qs = Surgery.objects.in_region(region).within(period).order_by()
    if specialty:
        qs = qs.filter(specialty=specialty)
    if donor:
        qs = qs.filter(team__program__donor_region=donor)
    rows = qs.annotate(month=TruncMonth("date")).values("month").annotate(
        total=Count("pk"), **{lead: Count("pk", filter=Q(lead=lead)) for lead in LEADS}
    )
    by_month = {_month_key(row["month"]): row for row in rows}
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


def _distinct_per_month(qs, id_field, period, *, groups=(), group_field=None):
    """{month 'YYYY-MM': {"total": n, group: n, ...}}: distinct `id_field`
    values of rows of `qs` whose [start_date, end_date] (empty end = ongoing)
    overlaps each month of the closed `period` (the first and last month
    clipped to the period). One query: the rows joined to a small table of
    the months, counted per month in the database."""
    buckets = [
        (max(month, period.start), min(_month_end(month), period.end)) for month in months_of(period)
    ]
    values = {"k_id": F(id_field), "k_start": F("start_date"), "k_end": F("end_date")}
    if group_field:
        values["k_group"] = F(group_field)
    inner_sql, inner_params = qs.order_by().values(**values).query.sql_with_params()
    connection = connections[qs.db]
    if connection.vendor == "postgresql":
        placeholder = "CAST(%s AS date)"
        month_params = [day for bucket in buckets for day in bucket]
    else:  # SQLite keeps dates as ISO text
        placeholder = "%s"
        month_params = [day.isoformat() for bucket in buckets for day in bucket]
    month_table = " UNION ALL ".join(
        [f"SELECT {placeholder} AS m_start, {placeholder} AS m_end"] * len(buckets)
    )
    group_counts = "".join(
        ", COUNT(DISTINCT CASE WHEN t.k_group = %s THEN t.k_id END)" for _ in groups
    )
    sql = (
        f"SELECT m.m_start, COUNT(DISTINCT t.k_id){group_counts} "
        f"FROM ({inner_sql}) t INNER JOIN ({month_table}) m "
        "ON t.k_start <= m.m_end AND (t.k_end IS NULL OR t.k_end >= m.m_start) "
        "GROUP BY m.m_start"
    )
    params = [*groups, *inner_params, *month_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        _month_key(row[0]): {"total": row[1], **dict(zip(groups, row[2:]))} for row in rows
    }


def experts_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Experts on site per month: [{"month": "2024-01", "experts": n}, ...],
    distinct people with a rotation (in a team of a program with recipient
    in the region) overlapping the month, i.e. the summary's `experts` for
    that month. 1 query (+1 when the period is open)."""
    region, period = _closed(region, period)
    specialty, donor = _code(specialty), _code(donor)
    qs = Rotation.objects.filter(team__program__in=_programs_of(region, donor)).overlapping(period)
    if specialty:
        qs = qs.filter(specialty=specialty)
    months = months_of(period)
    counts = _distinct_per_month(qs, "person", period)
    return [
        {"month": _month_key(m), "experts": counts.get(_month_key(m), {}).get("total", 0)}
        for m in months
    ]


def trainees_per_month(region, period: Period = Period(), *, specialty=None, donor=None) -> list[dict]:
    """Trainees in training per month, by kind: [{"month": "2024-01",
    "onsite_course": n, "mentorship": n, "further_study": n, "total": n}, ...]
    — distinct trainees of the region's hospitals with a training of that
    kind overlapping the month (the summary's `trainees.by_kind` and
    `trainees.total` for that month; a trainee in two kinds counts once in
    `total`). 1 query (+1 when the period is open)."""
    region, period = _closed(region, period)
    specialty, donor = _code(specialty), _code(donor)
    qs = Training.objects.in_region(region).overlapping(period)
    if specialty:
        qs = qs.filter(specialty=specialty)
    if donor:
        qs = qs.filter(program__donor_region=donor)
    months = months_of(period)
    counts = _distinct_per_month(qs, "trainee", period, groups=TRAINING_KINDS, group_field="kind")
    result = []
    for m in months:
        row = counts.get(_month_key(m), {})
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
    qs = Technique.objects.in_region(region).within(period).order_by()
    if specialty:
        qs = qs.filter(specialty=specialty)
    if donor:
        qs = qs.filter(program__donor_region=donor)
    rows = qs.annotate(year=TruncYear("introduced_on")).values("year").annotate(
        total=Count("pk"), first=Count("pk", filter=Q(first_in_region=True))
    )
    by_year = {int(str(row["year"])[:4]): row for row in rows}
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
