"""The hospital list and a hospital's page.

A hospital's page shows both sides of the aid it takes part in: as a
recipient, the programs it receives and its monthly indicators before and
after them; as a donor, what it sent: its experts (people whose home
hospital it is, with a rotation) and their expert-days, the recipient
departments it twins (as a twinning's donor hospital) with their coverage
(dashboards/coverage.py, as on the program page), and the trainees it
hosted for further study. The recipient's sections are left out for a
hospital that is only a donor. Every row is read through the apps'
`visible_to`, so an official of Tibet sees on a Beijing hospital's page
only what concerns Tibet. A fixed number of queries whatever the data size.
"""

from django.db.models import Count, Prefetch, Sum
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import can_edit_hospital, can_read_records, scope_queryset
from aidtracker.lib.periods import Period, add_months
from dashboards import charts, coverage, downloads, indicators, views
from dashboards.links import card, list_url, without_list_links
from deployments.models import CoveredSpan, Program, Rotation, Twinning
from figures.definitions import days_within
from hospitals import columns as hospitals_columns
from hospitals.filters import HospitalFilter, with_program_counts
from hospitals.models import Hospital
from outcomes.models import IndicatorValue, Training
from records.lists import RecordListView


class HospitalListView(RecordListView):
    title = gettext_lazy("Hospitals")
    filterset_class = HospitalFilter
    template_name = "dashboards/hospital_list.html"
    select_related = ("region__parent",)
    sort_columns = {
        "code": "code", "name": "name", "region": "region_id", "grade": "grade",
        "kind": "kind", "programs": "program_count",
    }
    default_sort = "name"
    csv_filename = "hospitals.csv"
    csv_columns = hospitals_columns.HOSPITALS

    def base_queryset(self, request):
        return with_program_counts(scope_queryset(request.user, Hospital.objects.all()))


INDICATOR_MONTHS_SHOWN = 36
INDICATOR_ROLES = ["experts", "joint", "local", "visiting", "first", "mentor", "further"]


def hospital(request, code):
    return render(request, "dashboards/hospital.html", hospital_context(request, code))


def hospital_figures(request, code, fmt):
    """The hospital page's figures and tables as a file (`fmt`: csv or xlsx;
    dashboards/downloads.py)."""
    return downloads.hospital_file(hospital_context(request, code), fmt)


def hospital_context(request, code):
    hospital = get_object_or_404(
        scope_queryset(request.user, Hospital.objects.all()).select_related("region__parent__parent"), code=code
    )
    programs = list(
        Program.objects.visible_to(request.user)
        .filter(recipient_hospital=hospital)
        .select_related("donor_region")
        .prefetch_related(Prefetch(
            "twinnings",
            queryset=Twinning.objects.visible_to(request.user)
            .select_related("specialty", "donor_hospital")
            .order_by("specialty__name"),
        ))
        .order_by("start_date")
    )
    values = IndicatorValue.objects.visible_to(request.user).filter(hospital=hospital)
    latest = indicators.latest_month(values)
    first_start = min((p.start_date for p in programs), default=None)
    comparison = indicators.before_after(values, first_start, latest)
    months, indicator_columns, table = [], [], {}
    if latest:
        since = add_months(latest, -(INDICATOR_MONTHS_SHOWN - 1))
        months, indicator_columns, table = indicators.monthly_table(values, since)
    # One small chart per indicator: their scales differ by orders of magnitude.
    indicator_charts = [
        charts.chart(
            f"chart-indicator-{code}", "line", label,
            [m.strftime("%Y-%m") for m in months],
            [charts.dataset(label, [_num(table[m].get(code)) for m in months], role, line=True)],
            small=True,
        )
        for (code, label), role in zip(indicator_columns, INDICATOR_ROLES)
    ]
    sent = donor_side(request.user, hospital)
    hospital_params = {"hospital": hospital.code}
    return {
        "hospital": hospital,
        "programs": programs,
        "sent": sent,
        # A hospital that only sends teams has nothing to show as a recipient.
        "recipient": bool(programs or latest or not sent["is_donor"]),
        "first_start": first_start,
        "comparison": comparison,
        "months": months,
        "indicator_columns": indicator_columns,
        "indicator_rows": [
            (m, [table[m].get(code) for code, _label in indicator_columns]) for m in months
        ],
        "indicator_charts": indicator_charts,
        # Printed in place of the months (dashboards/indicators.py: levels are a mean).
        "indicator_years": charts.yearly_table(
            {"headers": [_("Month"), *[label for _code, label in indicator_columns]],
             "rows": [[m.strftime("%Y-%m"), *[table[m].get(code) for code, _label in indicator_columns]]
                      for m in months]},
            [charts.MEAN if code in indicators.LEVEL_INDICATORS else charts.SUM for code, _l in indicator_columns],
        ) if months else None,
        # The monthly indicator form, for those who enter them (outcomes/views_indicators.py).
        "indicator_form_url": reverse("outcomes:indicator_month", args=[hospital.code])
        if can_edit_hospital(request.user, hospital) else None,
        "links": [
            (_("Surgeries"), list_url("outcomes:surgery_list", hospital_params)),
            (_("Trainings of its staff"), list_url("outcomes:training_list", hospital_params)),
            (_("Techniques"), list_url("outcomes:technique_list", hospital_params)),
            (_("Referrals"), list_url("outcomes:referral_list", hospital_params)),
            (_("Consultations requested"), list_url("outcomes:consultation_list", hospital_params)),
            (_("Experts on rotation here"), list_url("deployments:rotation_list", hospital_params)),
            (_("Its staff deployed elsewhere"), list_url("deployments:rotation_list", {"home_hospital": hospital.code})),
        ],
        "downloads": downloads.links("hospital", hospital.code, request),
    }


def donor_side(user, hospital) -> dict:
    """What `hospital` sent, as far as `user` may read it: {"is_donor",
    "experts", "expert_days", "hosted", "departments": [...], "cards"}, the
    cards linking to their rows for users who may open the lists.
    Four queries (three without twinnings): the experts and their days, the
    trainees hosted, the twinnings, the rotations of the twinned programs."""
    rotations = Rotation.objects.visible_to(user).filter(person__home_hospital=hospital)
    experts = rotations.aggregate(experts=Count("person", distinct=True), days=Sum(days_within(Period())))
    hosted = (
        Training.objects.visible_to(user)
        .filter(host_hospital=hospital, kind=Training.Kind.FURTHER_STUDY)
        .aggregate(trainees=Count("trainee", distinct=True))["trainees"]
    )
    twinnings = list(
        Twinning.objects.visible_to(user)
        .filter(donor_hospital=hospital)
        .select_related("program__recipient_hospital", "specialty")
        .order_by("program__recipient_hospital__name", "specialty__name", "start_date")
    )
    departments = twinned_departments(user, twinnings)
    expert_days = experts["days"].days if experts["days"] else 0
    rotations_url = list_url("deployments:rotation_list", {"home_hospital": hospital.code})
    cards = [
        card(_("Experts sent"), experts["experts"], rotations_url,
             note=_("its staff with a rotation in a team")),
        card(_("Their expert-days"), expert_days, rotations_url, note=_("days on site, both ends counted")),
        card(_("Twinned departments"), len(departments), "#donor-title",
             note=_("recipient departments it supports")),
        card(_("Trainees hosted"), hosted,
             list_url("outcomes:training_list", {"host_hospital": hospital.code, "kind": "further_study"}),
             note=_("distinct trainees in further study here")),
    ]
    if not can_read_records(user):
        without_list_links(cards)
    return {
        "is_donor": bool(experts["experts"] or twinnings or hosted),
        "experts": experts["experts"],
        "expert_days": expert_days,
        "hosted": hosted,
        "departments": departments,
        "cards": cards,
    }


def twinned_departments(user, twinnings) -> list[dict]:
    """One row per recipient department that `twinnings` (of one donor
    hospital) twin: {"program", "hospital", "coverage"}, the coverage as the
    program page computes it (dashboards/coverage.py) from the rotations of
    the program's teams in that specialty; a remote-support program's
    (`remote_support`) has no on-site coverage to show (its page shows its
    consultations). One query (none without twinnings)."""
    if not twinnings:
        return []
    by_program = {}
    for twinning in twinnings:
        by_program.setdefault(twinning.program_id, []).append(twinning)
    # The covered days merged per program and specialty (kept by
    # deployments/coverage.py): one row per covered span, not per rotation.
    spans = coverage.spans_by_program(CoveredSpan.objects.of_visible_programs(user, list(by_program)).rows())
    now = views.today()
    rows = []
    for program_id, program_twinnings in by_program.items():
        program = program_twinnings[0].program
        for dept in coverage.program_coverage(program, program_twinnings, spans.get(program_id, {}), now):
            rows.append({"program": program, "hospital": program.recipient_hospital, "coverage": dept,
                         "remote_support": program.is_remote_support})
    return rows


def _num(value):
    return None if value is None else float(value)
