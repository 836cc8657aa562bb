"""The region summary and the donor summary (interchange spec, sections 5
and 6).

`region_summary(region, period, *, specialty=None, donor=None)` and
`donor_summary(donor, period, *, specialty=None, recipient=None)` return a
dict with exactly the spec's keys in its order; the JSON API serves them,
the `region_summary` and `donor_summary` commands print them, the
dashboards show them as cards.
Every figure is counted in the database from the rows that
figures/definitions.py says it counts, with a fixed number of queries
whatever the data size; Python only shapes the few result rows (one per
donor, month or kind) into the spec's shape.

Surgeries are read from the monthly rollup (outcomes.SurgeryMonth) for the
whole months of the period and from the surgeries themselves only for the
partial months at its edges (`surgery_groups`), so their cost follows the
number of (hospital, month, specialty, team) groups, not of surgeries.
Distinct trainees do not add up over months, but the span rollup
(outcomes.TraineeSpanMonth, outcomes/rollups.py explains it) answers them
exactly for a period of whole months, with or without a specialty or donor
filter, and so do its keys of programs and host hospitals
(outcomes.TraineeGroupSpanMonth: the program page's trainees, the donor
summary's hosted trainees); other periods count the trainings. Distinct
experts and expert-days likewise come from the expert rollups
(deployments.ExpertSpanMonth and ExpertMonth, deployments/rollups.py
explains them), keyed by recipient province, donor and specialty, for a
period of whole months (`experts_and_days`, `expert_rollup`: one small
query for every filter, by donor or by recipient region); other periods and
the program filter count the rotations. All rollups are kept exact in the
transaction of every write, so either way the figures equal the spec's
definitions for any day-level period.
"""

from django.db.models import Count, F, Q, Sum, Value

from aidtracker.lib.periods import MonthOf, Period, clip, merged, month_key, within_any_q, within_q
from figures import definitions as rules
from figures.definitions import GRADES, LEADS, REFERRAL_KINDS, SURGERY_COUNTS, TRAINING_KINDS
from figures.forms import province_level
from hospitals.models import Region, in_region_q, province_of
from outcomes.models import Surgery, SurgeryMonth
from outcomes.rollups import ANY_KIND, INDEPENDENT


def region_summary(region, period: Period = Period(), *, specialty=None, donor=None) -> dict:
    """The summary of a recipient region for a period, exactly the spec's
    section 5: a dict with the spec's keys in its order.

    `region`: a province-level Region or its code (ValueError for any other
    level); `period`: inclusive, optional bounds; `specialty`, `donor`:
    optional filters (codes or instances, figures/definitions.py says what
    each narrows). 9 queries (+1 when `region` is a code)."""
    summary, _months = summarize(province_level(region), period, code_of(specialty), code_of(donor))
    return summary


def donor_summary(donor, period: Period = Period(), *, specialty=None, recipient=None) -> dict:
    """The summary of a donor region for a period, exactly the spec's
    section 6: the same figures seen from the side that sends the teams, a
    dict with the spec's keys in its order.

    `donor`: a province-level Region or its code; `period`: inclusive,
    optional bounds; `specialty`, `recipient` (a province-level region):
    optional filters of the donor dashboard, which narrow the figures as the
    region summary's `specialty` filter and its region do. Each `by_recipient`
    entry equals the donor's `by_donor` entry in that region's summary."""
    donor = province_level(donor)
    specialty, recipient = code_of(specialty), code_of(recipient)
    narrowed = {"specialty": specialty, "donor": donor.code}
    provinces = {
        row.pop("province"): row
        for row in rules.counted_programs(recipient, period, donor.code)
        .order_by()
        .values(province=province_of("recipient_hospital"))
        .annotate(programs=Count("pk"), hospitals=Count("recipient_hospital", distinct=True))
    }
    codes = sorted(provinces)
    names = Region.objects.in_bulk(codes)
    experts = experts_and_days(period, region=recipient, **narrowed, apart=("region", codes))
    groups = surgery_groups(
        recipient, period, **narrowed, apart={code: in_region_q(code, "hospital__region") for code in codes}
    )
    trainees = trainee_figures(recipient, period, **narrowed)
    trainees["hosted"] = hosted_trainees(donor.code, period, recipient, specialty=specialty)
    twinned = surgery_figures(twinned_surgery_groups(donor.code, period, recipient, specialty=specialty))
    return {
        "donor": {"code": donor.code, "name": donor.name},
        "period": period.as_dict(),
        "programs": sum(p["programs"] for p in provinces.values()),
        "recipient_hospitals": sum(p["hospitals"] for p in provinces.values()),
        "twinned_departments": rules.twinnings(recipient, period, **narrowed).count(),
        "teams": rules.teams(recipient, period, donor.code).count(),
        "experts": experts["all"]["experts"],
        "expert_days": experts["all"]["days"],
        "surgeries": surgery_figures(groups),
        "trainees": trainees,
        "twinned_department_surgeries": {"total": twinned["total"], "by_lead": twinned["by_lead"]},
        "techniques": technique_figures(recipient, period, **narrowed),
        "consultations": rules.consultations(recipient, period, **narrowed).count(),
        "by_recipient": [
            {
                "code": code,
                "name": names[code].name,
                "programs": provinces[code]["programs"],
                "experts": experts[code]["experts"],
                "expert_days": experts[code]["days"],
                "surgeries": sum(row["apart"][code] for row in groups),
            }
            for code in codes
        ],
    }


def hosted_trainees(donor, period: Period, recipient=None, *, specialty=None) -> int:
    """The donor summary's `trainees.hosted`: the distinct trainees of
    `rules.hosted_trainings(donor, recipient, specialty=...)` overlapping the
    period. One query: from the host span rollup for a period of whole
    months, else from the trainings."""
    if period.of_whole_months:
        rows = rules.hosted_trainee_spans(donor, period, recipient, specialty=specialty)
        return rows.aggregate(n=Sum("n"))["n"] or 0
    return (
        rules.hosted_trainings(donor, recipient, specialty=specialty)
        .filter(rules.trainees_overlap(period))
        .aggregate(n=Count("trainee", distinct=True))["n"]
    )


def code_of(value):
    """A code from a model instance or a code (None stays None)."""
    return getattr(value, "pk", value)


def summarize(region, period: Period, specialty, donor, *, by_month=False, history=None) -> tuple[dict, dict]:
    """(the region summary, {'YYYY-MM': {figure: n for each of
    SURGERY_COUNTS}}). With `by_month` the surgeries are also returned per
    month, read in the same query, so that the region dashboard reads them
    once for its cards and its chart; otherwise the month dict is empty.
    `history`: whole months before the period's first month (a Period of
    months' first days, see surgery_groups) read in the same query for the
    chart's rolling shares: in the month dict, never in the summary."""
    narrowed = {"specialty": specialty, "donor": donor}
    donors = list(
        rules.counted_programs(region, period, donor)
        .order_by("donor_region")
        .values("donor_region", "donor_region__name")
        .annotate(n=Count("pk"))
    )
    codes = [d["donor_region"] for d in donors]
    experts = experts_and_days(period, region=region.code, **narrowed, apart=("donor", codes))
    read = surgery_groups(
        region, period, **narrowed, apart={code: Q(team__program__donor_region=code) for code in codes},
        history=history if by_month else None,
    )
    groups = [row for row in read if not before_period(row["month"], period)]
    referrals = rules.referrals(region, period).aggregate(
        **{kind: Count("pk", filter=Q(kind=kind)) for kind in REFERRAL_KINDS}
    )
    summary = {
        "region": {"code": region.code, "name": region.name},
        "period": period.as_dict(),
        "programs": sum(d["n"] for d in donors),
        "twinned_departments": rules.twinnings(region, period, **narrowed).count(),
        "teams": rules.teams(region, period, donor).count(),
        "experts": experts["all"]["experts"],
        "expert_days": experts["all"]["days"],
        "surgeries": surgery_figures(groups),
        "trainees": trainee_figures(region, period, **narrowed),
        "techniques": technique_figures(region, period, **narrowed),
        "referrals": {kind: referrals[kind] for kind in REFERRAL_KINDS},
        "consultations": rules.consultations(region, period, **narrowed).count(),
        "by_donor": [
            {
                "code": d["donor_region"],
                "name": d["donor_region__name"],
                "programs": d["n"],
                "experts": experts[d["donor_region"]]["experts"],
                "expert_days": experts[d["donor_region"]]["days"],
                "surgeries": sum(row["apart"][d["donor_region"]] for row in groups),
            }
            for d in donors
        ],
    }
    return summary, counts_by_month(read) if by_month else {}


def before_period(month, period: Period) -> bool:
    """Whether the month (a date or 'YYYY-MM…') lies before the period's
    first month: a month of surgery_groups' `history`."""
    return period.start is not None and month_key(month) < month_key(period.start)


def surgery_figures(groups) -> dict:
    """The summaries' `surgeries` from the rows of surgery_groups()."""
    surgeries = {figure: sum(row[figure] for row in groups) for figure in SURGERY_COUNTS}
    return {
        "total": surgeries["total"],
        "by_lead": {lead: surgeries[lead] for lead in LEADS},
        "by_grade": {str(g): surgeries[f"grade_{g}"] for g in GRADES},
        "minimally_invasive": surgeries["minimally_invasive"],
        "demonstration": surgeries["demonstration"],
        "first_in_region": surgeries["first_in_region"],
    }


def technique_figures(region, period: Period, *, specialty=None, donor=None, program=None) -> dict:
    """The summaries' `techniques`: {"total", "first_in_region"}. One query."""
    return rules.techniques(region, period, specialty=specialty, donor=donor, program=program).aggregate(
        total=Count("pk"), first_in_region=Count("pk", filter=Q(first_in_region=True))
    )


def counts_by_month(groups) -> dict:
    """{'YYYY-MM': {figure: n for each of SURGERY_COUNTS}} from the rows of
    surgery_groups()."""
    months = {}
    for row in groups:
        counts = months.setdefault(month_key(row["month"]), dict.fromkeys(SURGERY_COUNTS, 0))
        for key in counts:
            counts[key] += row[key]
    return months


def experts_and_days(period: Period, *, region=None, donor=None, specialty=None, program=None,
                     apart=None) -> dict:
    """{"all": {"experts", "days"}, <code>: {"experts", "days"}, ...}: the
    distinct people of `rules.rotations(region, period, specialty=...,
    donor=..., program=...)` and the days those rotations share with the
    period, in all and apart for each code of `apart`: ("donor", codes),
    the rotations of that donor's programs, or ("region", codes), of
    programs whose recipient hospital lies in that province. One query:
    from the expert rollups for a period of whole months without a program
    (expert_rollup), else from the rotations (counted_experts)."""
    region, donor, specialty, program = code_of(region), code_of(donor), code_of(specialty), code_of(program)
    field, codes = apart or ("donor", [])
    if program is None and period.of_whole_months:
        return expert_rollup(period, region=region, donor=donor, specialty=specialty, by=field, codes=codes)
    rotations = rules.rotations(region, period, specialty=specialty, donor=donor, program=program)
    return counted_experts(rotations, period, {
        code: Q(team__program__donor_region=code) if field == "donor"
        else in_region_q(code, "team__program__recipient_hospital__region")
        for code in codes
    })


def expert_rollup(period: Period, *, region=None, donor=None, specialty=None, by="region", codes=None) -> dict:
    """For a period of whole months, from the expert rollups: {"all":
    {"experts", "days"}, <code>: {...}}: the figures of the key (region,
    donor, specialty: codes, None = all) and, apart, of the same key with
    `by` ("region" or "donor") set to each of `codes` (None: every code
    with rotations). Each equals experts_and_days' count from the rotations
    (deployments/rollups.py). One query: the key's span rows that overlap
    the period (experts) and its month rows (days), summed per `by`."""
    key = {"region": region or "", "donor": donor or "", "specialty": specialty or ""}
    rows = {field: value for field, value in key.items() if field != by}
    if codes is not None:
        rows[f"{by}__in"] = sorted({key[by], *codes})
    sums = _rollup_sums(rules.expert_spans(period).filter(**rows), rules.expert_months(period).filter(**rows), by)
    zero = {"experts": 0, "days": 0}
    wanted = codes if codes is not None else [code for code in sums if code]
    return {"all": sums.get(key[by], zero), **{code: sums.get(code, zero) for code in wanted}}


def experts_by_home(period: Period, donor, *, specialty=None, hospitals=None) -> dict:
    """For a period of whole months, from the expert rollups' rows keyed by
    home hospital: {hospital code: {"experts", "days"}}: the distinct people
    of `rules.rotations(None, period, specialty=..., donor=donor)` whose
    home hospital it is, and the days of their rotations within the period,
    for every home hospital with some (of `hospitals`, a queryset of
    hospitals, when given). One query."""
    rows = {"region": "", "donor": code_of(donor), "specialty": code_of(specialty) or ""}
    if hospitals is not None:
        rows["home__in"] = hospitals.values("code")
    spans = rules.expert_spans(period, homes=True).filter(**rows)
    months = rules.expert_months(period, homes=True).filter(**rows)
    return {code: figures for code, figures in _rollup_sums(spans, months, "home").items() if figures["experts"]}


def _rollup_sums(spans, months, by) -> dict:
    """{code: {"experts", "days"}}: the `n` of the expert span rows `spans`
    and the `days` of the month rows `months`, summed per their field `by`.
    One query (both at once)."""
    spans = spans.order_by().values(k=F(by)).annotate(experts=Sum("n"), days=Value(0))
    months = months.order_by().values(k=F(by)).annotate(experts=Value(0), days=Sum("days"))
    sums = {}
    for row in spans.union(months, all=True):
        figures = sums.setdefault(row["k"], {"experts": 0, "days": 0})
        figures["experts"] += int(row["experts"] or 0)
        figures["days"] += int(row["days"] or 0)
    return sums


def counted_experts(rotations, period: Period, apart: dict) -> dict:
    """experts_and_days' figures counted from the `rotations` (as
    rules.rotations gives them), in all and for the rotations that each Q
    of `apart` picks (a donor's, a recipient region's). One query: the
    rotations grouped by person first (one hash aggregate, a flag and the
    days per key), then summed."""
    days = rules.days_within(period)
    keys = {key: f"k{n}" for n, key in enumerate(apart)}
    people = (
        rotations.order_by()
        .values("person")
        .annotate(
            days=Sum(days),
            **{f"in_{keys[key]}": Count("pk", filter=q) for key, q in apart.items()},
            **{f"days_{keys[key]}": Sum(days, filter=q) for key, q in apart.items()},
        )
    )
    sums = people.aggregate(
        experts=Count("person"),
        all_days=Sum("days"),
        **{f"experts_{k}": Count("person", filter=Q(**{f"in_{k}__gt": 0})) for k in keys.values()},
        **{f"all_days_{k}": Sum(f"days_{k}") for k in keys.values()},
    )

    def whole_days(value):
        return value.days if value else 0

    result = {"all": {"experts": sums["experts"], "days": whole_days(sums["all_days"])}}
    for key, k in keys.items():
        result[key] = {"experts": sums[f"experts_{k}"], "days": whole_days(sums[f"all_days_{k}"])}
    return result


def surgery_groups(region, period: Period, *, specialty=None, donor=None, hospital=None, apart=None,
                   history=None) -> list[dict]:
    """Rows {"month", *SURGERY_COUNTS, "apart": {key: n}} of the surgeries
    that `rules.surgeries` counts, per month: whole months from the rollup,
    the partial months at the period's edges from the surgeries themselves
    (a month comes from one of them, never both). `apart`: {key: Q} of
    surgeries also counted apart (a donor's, a recipient region's); the Qs
    must hold on surgeries and rollup rows alike (their hospital, their
    team). `hospital`: at that hospital alone (a program's recipient
    hospital). `history`: whole months before the period's first month
    (a Period of months' first days) read from the rollup too, in the
    same query (their rows' months come before the period's: the chart's
    rolling shares need them, the summary leaves them out). One query
    (UNION ALL)."""
    narrowed = {"specialty": specialty, "donor": donor, "hospital": hospital}
    months, partial = period.split()
    month_rows = rules.surgery_months(region, months, **narrowed) if months is not None else None
    if history is not None:
        earlier = rules.surgery_months(region, history, **narrowed)
        month_rows = earlier if month_rows is None else month_rows | earlier
    return _month_rows(
        month_rows,
        rules.surgeries(region, Period(), **narrowed).filter(within_any_q(partial, "date")) if partial else None,
        apart or {},
    )


def twinned_surgery_groups(donor, period: Period, region=None, *, specialty=None, program=None) -> list[dict]:
    """Rows {"month", *SURGERY_COUNTS, "apart": {}} of the surgeries that
    `rules.twinned_department_surgeries` counts, per month, read as
    `surgery_groups` reads them: each department's twinned days within the
    period (`rules.twinned_department_days`, merged where twinnings overlap
    or touch) are whole months, counted from the rollup, and partial months
    at their edges, counted from the surgeries. The surgeries of a whole
    month of twinned days are all counted, so the rollup's groups hold
    exactly them. `program`: the twinnings of that program (of `donor`)
    alone. Two queries: the twinnings, then one UNION ALL (none more
    when the donor twins nothing there)."""
    days = {}
    for hospital, specialty_code, start, end in rules.twinned_department_days(
        donor, period, region, specialty=specialty, program=program
    ):
        twinned = clip(Period(start, end), period)
        if twinned is not None:
            days.setdefault((hospital, specialty_code), []).append(twinned)
    in_months, in_days = Q(pk__in=[]), Q(pk__in=[])
    for (hospital, specialty_code), spans in days.items():
        department = Q(hospital=hospital, specialty=specialty_code)
        for span in merged(spans):
            months, partial = span.split()
            if months is not None:
                in_months |= department & within_q(months, "month")
            if partial:
                in_days |= department & within_any_q(partial, "date")
    if not days:
        return []
    return _month_rows(
        SurgeryMonth.objects.filter(in_months), Surgery.objects.filter(in_days), {}
    )


def _month_rows(month_rows, surgeries, apart: dict) -> list[dict]:
    """The rows of surgery_groups: `month_rows` (rollup rows of whole
    months) and `surgeries` (of the other days) grouped per month and
    summed, either None. One query (UNION ALL)."""
    keys = {key: f"a{n}" for n, key in enumerate(apart)}
    parts = []
    if month_rows is not None:
        parts.append(
            month_rows
            .order_by()
            .values("month")
            .annotate(
                **{f"n_{figure}": Sum(figure) for figure in SURGERY_COUNTS},
                **{keys[key]: Sum("total", filter=q) for key, q in apart.items()},
            )
        )
    if surgeries is not None:
        # COUNT(hospital_id), not COUNT(*) of a joined row: every column read
        # is in the covering index of (hospital, date) on PostgreSQL.
        parts.append(
            surgeries
            .order_by()
            .values(month=MonthOf("date"))
            .annotate(
                **{f"n_{figure}": Count("hospital", filter=q or None) for figure, q in SURGERY_COUNTS.items()},
                **{keys[key]: Count("hospital", filter=q) for key, q in apart.items()},
            )
        )
    if not parts:
        return []
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    # The figures come as n_<figure>: an annotation may not take the name of
    # a field (SurgeryMonth has a column per figure). A month may come twice
    # (a twinned department's whole month, another's partial one): summed.
    by_month = {}
    for row in rows:
        month = by_month.setdefault(
            row["month"], {"month": row["month"], **dict.fromkeys(SURGERY_COUNTS, 0), "apart": dict.fromkeys(keys, 0)}
        )
        for figure in SURGERY_COUNTS:
            month[figure] += int(row[f"n_{figure}"] or 0)
        for key, k in keys.items():
            month["apart"][key] += int(row[k] or 0)
    return list(by_month.values())


def trainee_figures(region, period: Period, *, specialty=None, donor=None, program=None) -> dict:
    """The summary's `trainees`: {"total", "by_kind": {kind: n}, "independent"}.
    One query: for a period of whole months from the span rollup (the
    signed rows of the filters' key that overlap it, summed per kind; a
    program's key in TraineeGroupSpanMonth), else the distinct trainees of
    the counted trainings (of `program` when given; also for a program and
    a donor at once, which no key holds)."""
    if period.of_whole_months and not (program and donor):
        if program:
            rows = rules.program_trainee_spans(program, period, region, specialty=specialty)
        else:
            rows = rules.trainee_spans(region, period, specialty=specialty, donor=donor)
        sums = dict(
            rows
            .order_by()
            .values_list("kind")
            .annotate(Sum("n"))
        )
        figures = {
            "total": sums.get(ANY_KIND) or 0,
            **{kind: sums.get(kind) or 0 for kind in TRAINING_KINDS},
            "independent": sums.get(INDEPENDENT) or 0,
        }
    else:
        overlap, independent = rules.trainees_overlap(period), rules.independent_within(period)
        # Either test: no filter at all when one of them takes every row.
        either = overlap | independent if overlap and independent else Q()
        counted = {
            "total": overlap,
            **{kind: overlap & Q(kind=kind) for kind in TRAINING_KINDS},
            "independent": independent,
        }
        figures = (
            rules.trainings(region, specialty=specialty, donor=donor, program=program)
            .filter(either)
            .order_by()
            .aggregate(**{key: Count("trainee", distinct=True, filter=q or None) for key, q in counted.items()})
        )
    return {
        "total": figures["total"],
        "by_kind": {kind: figures[kind] for kind in TRAINING_KINDS},
        "independent": figures["independent"],
    }

