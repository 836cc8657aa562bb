"""The overview: the headline figures of every recipient region at once.

Each figure equals the same figure of region_summary(region, period), read
for all regions together: the same rows (figures/definitions.py), grouped
by the province they lie in instead of filtered to one (or the rollups'
rows of every province: surgeries, trainees and, for a period of whole
months, experts and expert-days). A fixed number of queries, however many
regions.
"""

from django.db.models import Count, Exists, OuterRef, Q, Sum

from aidtracker.lib.periods import Period, within_any_q
from deployments.models import Program
from figures import definitions as rules
from figures.series import share_percent
from figures.summary import expert_rollup
from hospitals.models import Region, province_of
from outcomes.models import Trainee, Training
from outcomes.rollups import ANY_KIND


def recipient_regions():
    """Province-level regions with at least one program's recipient hospital in them."""
    provinces = Program.objects.order_by().values(prov=province_of("recipient_hospital"))
    return Region.objects.provinces().filter(code__in=provinces).order_by("code")


def donor_regions():
    """Province-level regions that are the donor of at least one program."""
    return Region.objects.provinces().filter(code__in=Program.objects.values("donor_region")).order_by("code")


def per_province(queryset, hospital_path: str, **measures) -> dict:
    """{province code: {name: value}} of `measures` over the rows of
    `queryset`, grouped by the province of the hospital at `hospital_path`."""
    rows = queryset.order_by().values(prov=province_of(hospital_path)).annotate(**measures)
    return {row.pop("prov"): row for row in rows}


def overview(period: Period = Period()) -> list[dict]:
    """Headline figures of every recipient region for the period, sorted by
    code: one dict per region with `code`, `name`, `name_zh`, `programs`,
    `twinned_departments`, `teams`, `experts`, `expert_days`, `surgeries`,
    `surgeries_local`, `local_share_percent` (None without surgeries),
    `trainees`, `techniques`, `consultations`. Each equals the same key of
    region_summary(region, period)."""
    regions = list(recipient_regions().values("code", "name", "name_zh"))
    count = {"n": Count("pk")}
    programs = per_province(rules.counted_programs(None, period), "recipient_hospital", **count)
    twinnings = per_province(rules.twinnings(None, period), "program__recipient_hospital", **count)
    teams = per_province(rules.teams(None, period), "program__recipient_hospital", **count)
    experts = experts_per_province(period)
    surgeries = surgeries_per_province(period)
    trainees = trainees_per_province(period)
    techniques = per_province(rules.techniques(None, period), "hospital", **count)
    consultations = per_province(rules.consultations(None, period), "requesting_hospital", **count)

    def n(table, code, key="n"):
        return (table.get(code) or {}).get(key) or 0

    result = []
    for r in regions:
        code = r["code"]
        total, local = n(surgeries, code), n(surgeries, code, "local")
        result.append({
            "code": code,
            "name": r["name"],
            "name_zh": r["name_zh"],
            "programs": n(programs, code),
            "twinned_departments": n(twinnings, code),
            "teams": n(teams, code),
            "experts": n(experts, code, "experts"),
            "expert_days": n(experts, code, "days"),
            "surgeries": total,
            "surgeries_local": local,
            "local_share_percent": share_percent(local, total),
            "trainees": n(trainees, code),
            "techniques": n(techniques, code),
            "consultations": n(consultations, code),
        })
    return result


def experts_per_province(period: Period) -> dict:
    """{province: {"experts", "days"}}: the region summary's `experts` and
    `expert_days` of every recipient province. One query: from the expert
    rollups for a period of whole months, else from the rotations."""
    if period.of_whole_months:
        return expert_rollup(period, by="region")
    rows = per_province(
        rules.rotations(None, period), "team__program__recipient_hospital",
        experts=Count("person", distinct=True), days=Sum(rules.days_within(period)),
    )
    return {code: {"experts": row["experts"], "days": row["days"].days if row["days"] else 0}
            for code, row in rows.items()}


def surgeries_per_province(period: Period) -> dict:
    """{province: {"n", "local"}}: whole months from the monthly rollup, the
    partial months at the period's edges from the surgeries (2 queries)."""
    months, partial = period.split()
    totals = {}
    parts = []
    if months is not None:
        rollup = rules.surgery_months(None, months)
        parts.append(per_province(rollup, "hospital", n=Sum("total"), local=Sum("local")))
    if partial:
        parts.append(per_province(
            rules.surgeries(None, Period()).filter(within_any_q(partial, "date")), "hospital",
            n=Count("hospital"), local=Count("hospital", filter=Q(lead="local")),
        ))
    for part in parts:
        for code, row in part.items():
            sums = totals.setdefault(code, {"n": 0, "local": 0})
            sums["n"] += row["n"] or 0
            sums["local"] += row["local"] or 0
    return totals


def trainees_per_province(period: Period) -> dict:
    """{province: {"n"}}: distinct trainees with a training overlapping the
    period. A trainee lies in one province (their hospital's), so distinct
    trainees add up over provinces: from the span rollup for a period of
    whole months, else the trainees with such a training (a semi-join)."""
    if period.of_whole_months:
        spans = rules.trainee_spans(None, period).filter(kind=ANY_KIND)
        return per_province(spans, "hospital", n=Sum("n"))
    trainings = Training.objects.filter(rules.trainees_overlap(period), trainee=OuterRef("pk"))
    return per_province(Trainee.objects.filter(Exists(trainings)), "hospital", n=Count("pk"))
