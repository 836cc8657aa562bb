"""The donor pages' figures: the list of donors and one donor's dashboard.

`donors_overview(period)`: the headline figures of every donor region at
once, each equal to the same figure of donor_summary(donor, period).
`donor_dashboard(donor, period, ...)`: the donor summary (spec section 6,
figures.summary.donor_summary) plus the series the donor dashboard charts
and its teams and donor hospitals tables.
`earlier_donor_figures(donor, period, ...)`: the donor summary of the
comparable period just before (Period.previous), or None for an open period.

Everything is read from the rules of figures/definitions.py, narrowed to a
donor's programs (`donor`) and, for the dashboard's recipient filter, to
hospitals in a recipient region, exactly as the donor summary narrows them;
the charts reuse figures/series.py. A fixed number of queries whatever the
data size. Names are returned in both languages (`name`, `name_zh`): the
results are cached for every reader's language alike.
"""

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractYear

from aidtracker.lib.periods import MONTH, YEAR, Period, month_key, within_any_q, within_q
from deployments.models import CoveredSpan, Rotation
from figures import definitions as rules
from figures.definitions import LEADS, TRAINING_KINDS
from figures.forms import province_level
from figures.overview import donor_regions
from figures.series import closed_chart_period, people_per_month, safety_figures, share_percent
from figures.summary import (
    code_of, counts_by_month, donor_summary, expert_rollup, experts_by_home, twinned_surgery_groups,
)
from hospitals.models import Hospital, province_of
from outcomes.models import ANY_KIND, STARTED, Training, started

#: The province of the program's recipient hospital, from a rotation.
ROTATION_RECIPIENT = "team__program__recipient_hospital"


def _whole_days(value) -> int:
    return value.days if value else 0


# --------------------------------------------------------------------------
# /donors/


def donors_overview(period: Period = Period()) -> list[dict]:
    """Headline figures of every donor region (the donor of some program)
    for the period, sorted by code: one dict per donor with `code`, `name`,
    `name_zh`, `programs`, `recipient_hospitals`, `teams`, `experts`,
    `expert_days`, `surgeries`, `trainees`; each equals the same figure of
    donor_summary(donor, period) (`trainees` is its `trainees.total`).
    6 queries (7 for a period with partial months), however many donors."""
    donors = list(donor_regions().values("code", "name", "name_zh"))
    programs = _per_donor(
        rules.counted_programs(None, period), "donor_region",
        programs=Count("pk"), hospitals=Count("recipient_hospital", distinct=True),
    )
    teams = _per_donor(rules.teams(None, period), "program__donor_region", n=Count("pk"))
    # A person serves one donor's teams or several: distinct per donor.
    experts = _experts_per_donor(period)
    surgeries = _surgeries_per_donor(period)
    trainees = _trainees_per_donor(period)

    def n(table, code, key="n"):
        return (table.get(code) or {}).get(key) or 0

    return [
        {
            **d,
            "programs": n(programs, d["code"], "programs"),
            "recipient_hospitals": n(programs, d["code"], "hospitals"),
            "teams": n(teams, d["code"]),
            "experts": n(experts, d["code"], "experts"),
            "expert_days": n(experts, d["code"], "days"),
            "surgeries": n(surgeries, d["code"]),
            "trainees": n(trainees, d["code"]),
        }
        for d in donors
    ]


def _per_donor(queryset, donor_path: str, **measures) -> dict:
    """{donor code: {name: value}} of `measures` over the rows of
    `queryset`, grouped by the donor region at `donor_path`."""
    rows = queryset.order_by().values(k_donor=F(donor_path)).annotate(**measures)
    return {row.pop("k_donor"): row for row in rows}


def _experts_per_donor(period: Period) -> dict:
    """{donor: {"experts", "days"}}: the donor summary's `experts` and
    `expert_days` of every donor (a person may serve several donors' teams:
    distinct per donor). One query: from the expert rollups for a period
    of whole months, else from the rotations."""
    if period.of_whole_months:
        return expert_rollup(period, by="donor")
    rows = _per_donor(
        rules.rotations(None, period), "team__program__donor_region",
        experts=Count("person", distinct=True), days=Sum(rules.days_within(period)),
    )
    return {code: {"experts": row["experts"], "days": _whole_days(row["days"])} for code, row in rows.items()}


def _trainees_per_donor(period: Period) -> dict:
    """{donor: {"n"}}: the donor summary's `trainees.total` of every donor
    (distinct trainees of trainings of its programs overlapping the period).
    One query: from the span rollup's donor keys for a period of whole
    months, else from the trainings."""
    if period.of_whole_months:
        rows = rules.trainee_spans_of_donors(period).filter(kind=ANY_KIND).order_by().values_list("donor")
        return {donor: {"n": n} for donor, n in rows.annotate(Sum("n"))}
    return _per_donor(
        Training.objects.filter(rules.trainees_overlap(period), program__isnull=False),
        "program__donor_region", n=Count("trainee", distinct=True),
    )


def _surgeries_per_donor(period: Period) -> dict:
    """{donor: {"n"}}: the donor summary's `surgeries.total` of every donor
    (surgeries with a team of its programs): whole months from the rollup,
    the partial months from the surgeries. One query per part."""
    months, partial = period.split()
    totals = {}
    parts = []
    if months is not None:
        parts.append(_per_donor(rules.surgery_months(None, months), "team__program__donor_region", n=Sum("total")))
    if partial:
        parts.append(_per_donor(
            rules.surgeries(None, Period()).filter(within_any_q(partial, "date"), team__isnull=False),
            "team__program__donor_region", n=Count("hospital"),
        ))
    for part in parts:
        for code, row in part.items():
            if code is not None:
                totals.setdefault(code, {"n": 0})["n"] += int(row["n"] or 0)
    return totals


# --------------------------------------------------------------------------
# /donors/<code>/

#: The teams table shows the latest this many teams of the period.
TEAMS_SHOWN = 100


def donor_dashboard(donor, period: Period = Period(), specialty=None, recipient=None, today=None) -> dict:
    """Everything the donor dashboard shows: {"summary": donor_summary(...)
    with the same arguments, "charts": {"period", "experts_per_month",
    "twinned_surgeries_per_year", "trainees_per_year"}, "safety":
    series.safety_figures(...) of the departments it twins, "teams": [...],
    "hospitals": [...]}. `donor`: a province-level Region or its code;
    `specialty`, `recipient` (a province-level region's code): the
    dashboard's filters, narrowing every part as they narrow the summary.
    The charts cover donor_chart_period(donor, period), grouped by the
    period's grouping (Period.grouping: month, quarter or year; "grouping"
    in "charts"); `today` (default: the system's date) decides the partial
    groups and an open end."""
    donor = province_level(donor)
    specialty, recipient = code_of(specialty), code_of(recipient)
    grouping = period.grouping(today)
    charted = donor_chart_period(donor, period, today=today)
    narrowed = {"specialty": specialty, "recipient": recipient}
    dated = {"grouping": grouping, "today": today}
    # The twinned departments' surgeries of the charted period, read once for
    # their yearly chart and for safety by who led.
    twinned = twinned_surgery_groups(donor.code, charted, recipient, specialty=specialty)
    return {
        "summary": donor_summary(donor, period, **narrowed),
        "charts": {
            "period": charted.as_dict(),
            "grouping": grouping,
            "experts_per_month": experts_per_month_by_recipient(donor, charted, **narrowed, **dated),
            "twinned_surgeries_per_year": twinned_surgeries_per_year(
                donor, charted, **narrowed, today=today, rows=twinned
            ),
            "trainees_per_year": trainees_per_year(donor, charted, **narrowed, today=today),
        },
        # Complication and death rates by who led, in the departments it
        # twins (whoever led: its skills-transfer scope, as its share).
        "safety": safety_figures(counts_by_month(twinned), period, charted, today),
        "teams": teams_table(donor, period, recipient=recipient),
        "hospitals": donor_hospitals(donor, period, **narrowed),
    }


def donor_chart_period(donor, period: Period = Period(), *, today=None) -> Period:
    """The closed period the donor dashboard charts: series.chart_period's
    rule, with the donor's earliest program (whatever its recipient) for an
    open start. 0 queries for a closed period, else 1."""
    first = None
    if period.start is None or period.end is None:
        first = rules.programs(None, code_of(donor)).aggregate(first=Min("start_date"))["first"]
    return closed_chart_period(period, first, today=today)


def experts_per_month_by_recipient(donor, period: Period, *, specialty=None, recipient=None,
                                   grouping=MONTH, today=None) -> dict:
    """Experts on site per month, by recipient region: {"regions": [codes],
    "months": [{"month": "2024-01", "experts": n, "by_recipient": {code: n}}]}
    for every month of the closed `period`. `experts`: distinct people of the
    donor's teams on site that month (the summary's `experts` for the
    month); `by_recipient`: the same per province of the program's
    recipient hospital (the summary's `by_recipient` rule), so a person in
    two regions in one month counts in both and once in `experts`. By
    quarter or year (`grouping`), each entry (with Group.as_dict's keys)
    holds the most of one of its months, each figure apart. 1 query for a
    period of whole months (the experts-per-month rollup under the donor's
    key), else 2 (from the rotations)."""
    if period.of_whole_months:
        total, by_region = {}, {}
        rows = rules.expert_months(period).filter(donor=code_of(donor), specialty=specialty or "")
        if recipient:
            rows = rows.filter(region=recipient)
        for region, month, n in rows.values_list("region", "month", "experts"):
            if region == (recipient or ""):
                total[month_key(month)] = n
            if region:
                by_region[(region, month_key(month))] = n
    else:
        rotations = rules.rotations(recipient, period, specialty=specialty, donor=code_of(donor))
        by_region = people_per_month(rotations, "person", period, by=province_of(ROTATION_RECIPIENT))
        total = people_per_month(rotations, "person", period)
    regions = sorted({code for code, _month in by_region})
    months = []
    for group in period.groups(grouping, today):
        keys = [month_key(m) for m in group.months]
        months.append({
            "month": keys[0],
            **group.as_dict(),
            "experts": max(total.get(key, 0) for key in keys),
            "by_recipient": {code: max(by_region.get((code, key), 0) for key in keys) for code in regions},
        })
    return {"regions": regions, "months": months}


def twinned_surgeries_per_year(donor, period: Period, *, specialty=None, recipient=None, today=None,
                               rows=None) -> list[dict]:
    """The surgeries of the departments the donor twins (the summary's
    `twinned_department_surgeries`) per year of the closed `period`, by who
    led them: [{"year": 2024, "visiting": n, "joint": n, "local": n,
    "total": n, "local_share_percent": float or None}], zeros included. The
    share led by local surgeons alone is the donor's skills-transfer trend.
    Two queries (twinned_surgery_groups), none when given its `rows`."""
    by_year = {}
    if rows is None:
        rows = twinned_surgery_groups(code_of(donor), period, recipient, specialty=specialty)
    for row in rows:
        year = by_year.setdefault(row["month"].year, dict.fromkeys(("total", *LEADS), 0))
        for figure in year:
            year[figure] += row[figure]
    result = []
    for group in period.groups(YEAR, today):
        year = group.start.year
        row = by_year.get(year, {})
        counts = {lead: row.get(lead, 0) for lead in LEADS}
        total = row.get("total", 0)
        result.append({
            "year": year, **counts, "total": total, "local_share_percent": share_percent(counts["local"], total),
            **group.as_dict(),
        })
    return result


def trainees_per_year(donor, period: Period, *, specialty=None, recipient=None, today=None) -> list[dict]:
    """Trainees of the donor's programs starting a training per year, by
    kind: [{"year": 2024, "onsite_course": n, "mentorship": n,
    "further_study": n, "total": n}] for every year of the closed `period`:
    distinct trainees with a training of the donor's programs (the summary's
    `trainees` rows) that began within the period in that year (`total`: of
    any kind, a trainee counted once). Counted by start, as the region
    dashboard's trainee chart. One query: for a period of whole months from
    the span rollup's start-date rows (outcomes/rollups.py; each year's sum
    of the rows overlapping it), else from the trainings."""
    groups = period.groups(YEAR, today)
    keys = {"total": STARTED, **{kind: started(kind) for kind in TRAINING_KINDS}}
    if period.of_whole_months:
        spans = rules.trainee_spans(recipient, period, specialty=specialty, donor=code_of(donor))
        sums = spans.order_by().aggregate(**{
            f"{key}_{n}": Sum("n", filter=Q(kind=kind, first_month__lte=group.end, last_month__gte=group.start))
            for n, group in enumerate(groups) for key, kind in keys.items()
        })
        by_year = {
            group.start.year: {key: sums[f"{key}_{n}"] or 0 for key in keys} for n, group in enumerate(groups)
        }
    else:
        counts = {"total": Count("trainee", distinct=True)}
        counts |= {kind: Count("trainee", distinct=True, filter=Q(kind=kind)) for kind in TRAINING_KINDS}
        rows = (
            rules.trainings(recipient, specialty=specialty, donor=code_of(donor))
            .filter(within_q(period, "start_date"))
            .order_by()
            .values(year=ExtractYear("start_date"))
            .annotate(**counts)
        )
        by_year = {int(row.pop("year")): row for row in rows}
    return [
        {"year": group.start.year,
         **{key: by_year.get(group.start.year, {}).get(key, 0) for key in keys},
         **group.as_dict()}
        for group in groups
    ]


def teams_table(donor, period: Period, *, recipient=None) -> list[dict]:
    """The teams (batches) the summary's `teams` counts, the latest first
    (at most TEAMS_SHOWN): code, name, name_zh, batch, dates, program (code,
    names), `people` (distinct people with a rotation in the team, whatever
    their dates) and `leader` (the name of the person whose rotation has the
    role leader, the earliest if several; None without one). One query."""
    leader = Rotation.objects.filter(team=OuterRef("pk"), role=Rotation.Role.LEADER).order_by(
        "start_date", "person__name"
    )
    people = Rotation.objects.filter(team=OuterRef("pk")).order_by().values("team").annotate(
        n=Count("person", distinct=True)
    )
    rows = (
        rules.teams(recipient, period, code_of(donor))
        .order_by("-start_date", "program", "-batch")
        .values(
            "code", "name", "name_zh", "batch", "start_date", "end_date",
            program_code=F("program"), program_name=F("program__name"), program_name_zh=F("program__name_zh"),
        )
        .annotate(
            people=Subquery(people.values("n")[:1]),
            leader=Subquery(leader.values("person__name")[:1]),
        )
    )
    return [{**row, "people": row["people"] or 0} for row in rows[:TEAMS_SHOWN]]


def donor_hospitals(donor, period: Period, *, specialty=None, recipient=None) -> list[dict]:
    """The donor hospitals table: one row per hospital in the donor region
    that sent experts (by the expert's home hospital), twins a department or
    hosted further study in the period, sorted by code:

    - `experts`, `expert_days`: the people among the summary's `experts`
      (rotations in the donor's teams) whose home hospital it is, and the
      days of their rotations within the period (from the expert
      rollups for a period of whole months without `recipient`);
    - `twinnings`: the twinnings counted in `twinned_departments` whose
      donor hospital it is: recipient hospital, specialty, dates, the
      program's dates and kind (`program_kind`) and `spans`, the days the
      rotations of the program's teams in that specialty cover, merged into
      disjoint spans (deployments.CoveredSpan), those that overlap the
      period (from which the page computes the coverage: see
      dashboards/donors.py);
    - `trainees_hosted`: distinct trainees of its further study overlapping
      the period (the summary's `trainees.hosted` rows, whatever program).

    Experts whose home hospital lies outside the donor region are in the
    summary but in no row. 5 queries."""
    donor = code_of(donor)
    in_donor = Hospital.objects.in_region(donor)
    sent = _experts_by_home(donor, period, specialty, recipient, in_donor)
    hosted = _hosted_per_hospital(donor, period, recipient, specialty)
    twinnings = rules.twinnings(recipient, period, specialty=specialty, donor=donor).filter(
        donor_hospital__in=in_donor
    )
    twinning_rows = list(
        twinnings.order_by("program__recipient_hospital__name", "specialty__name", "start_date").values(
            "pk", "start_date", "end_date",
            hospital=F("donor_hospital"), program_code=F("program"),
            program_start=F("program__start_date"), program_end=F("program__end_date"),
            program_kind=F("program__kind"),
            specialty_code=F("specialty"), specialty_name=F("specialty__name"),
            specialty_name_zh=F("specialty__name_zh"),
            recipient_code=F("program__recipient_hospital"),
            recipient_name=F("program__recipient_hospital__name"),
            recipient_name_zh=F("program__recipient_hospital__name_zh"),
        )
    )
    twinned = twinnings.filter(program=OuterRef("program"), specialty=OuterRef("specialty"))
    spans = {}
    for program, specialty_code, start, end, _rotations in (
        CoveredSpan.objects.overlapping(period).filter(Exists(twinned)).rows()
    ):
        spans.setdefault((program, specialty_code), []).append((start, end))
    codes = sorted({*sent, *hosted, *(t["hospital"] for t in twinning_rows)})
    names = {h["code"]: h for h in Hospital.objects.filter(code__in=codes).values("code", "name", "name_zh")}
    rows = []
    for code in codes:
        rows.append({
            **names[code],
            "experts": sent.get(code, {}).get("experts", 0),
            "expert_days": sent.get(code, {}).get("days", 0),
            "twinnings": [
                {**t, "spans": spans.get((t["program_code"], t["specialty_code"]), [])}
                for t in twinning_rows if t["hospital"] == code
            ],
            "trainees_hosted": hosted.get(code, {}).get("trainees", 0),
        })
    return rows


def _hosted_per_hospital(donor, period: Period, recipient, specialty) -> dict:
    """{host hospital: {"trainees"}}: the distinct trainees of the further
    study each hospital of the donor region hosted in the period (those
    with some). One query: from the host span rollup for a period of whole
    months, else from the trainings."""
    if period.of_whole_months:
        rows = (
            rules.hosted_trainee_spans(donor, period, recipient, specialty=specialty, per_hospital=True)
            .order_by().values_list("code").annotate(Sum("n"))
        )
        return {code: {"trainees": n} for code, n in rows if n}
    return _by_hospital(
        rules.hosted_trainings(donor, recipient, specialty=specialty).filter(rules.trainees_overlap(period)),
        "host_hospital", trainees=Count("trainee", distinct=True),
    )


def _experts_by_home(donor, period: Period, specialty, recipient, hospitals) -> dict:
    """{hospital: {"experts", "days"}}: the donor hospitals table's
    `experts` and `expert_days` of each of `hospitals` (those in the donor
    region) that some have as home hospital. One query: from the expert
    rollups' home hospital keys for a period of whole months without a
    recipient filter (they are keyed by donor and specialty alone), else
    from the rotations. The hospitals are picked when read, so a hospital
    moving to another region needs nothing rebuilt."""
    if period.of_whole_months and not recipient:
        return experts_by_home(period, donor, specialty=specialty, hospitals=hospitals)
    rows = _by_hospital(
        rules.rotations(recipient, period, specialty=specialty, donor=donor).filter(
            person__home_hospital__in=hospitals
        ),
        "person__home_hospital",
        experts=Count("person", distinct=True), days=Sum(rules.days_within(period)),
    )
    return {code: {"experts": row["experts"], "days": _whole_days(row["days"])} for code, row in rows.items()}


def _by_hospital(queryset, hospital_path: str, **measures) -> dict:
    rows = queryset.order_by().values(k_hospital=F(hospital_path)).annotate(**measures)
    return {row.pop("k_hospital"): row for row in rows}


def earlier_donor_figures(donor, period: Period, *, specialty=None, recipient=None) -> dict | None:
    """The donor dashboard's cards' figures for the comparable period just
    before `period` (Period.previous): {"period": that Period, "summary":
    donor_summary(...) of it}, with the same filters; None for an open
    period, which has nothing to compare with. The summary's queries."""
    earlier = period.previous()
    if earlier is None:
        return None
    return {"period": earlier, "summary": donor_summary(donor, earlier, specialty=specialty, recipient=recipient)}
