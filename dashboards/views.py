"""Dashboards: overview, region, program and team pages, and the program
list (the hospital list and pages: dashboards/hospitals.py).

Every figure of the overview and the region dashboard comes from
figures.summary (the spec's definitions, computed in the database). Every
page reads its rows through the `scope` functions of the apps, the one
place where a user's scope narrows them (accounts.scope). Each page runs a
fixed number of queries whatever the data size.

Access: every signed-in role opens these pages (viewers too: the dashboards
are theirs), each narrowed to what the user may read: the overview lists the
readable provinces only, a region outside the user's regions is 404, and so
are a program, team or hospital page outside them; a reader of a donor
province opens a recipient region where that donor has programs filtered by
it alone, without the region-wide figures (through_donors_or_404). Province figures are
shown only to users who may read the whole province: an official of one
prefecture has no province dashboard (its figures cover the other
prefectures too), but their lists. A donor hospital (say in Beijing) is
readable to an official of a recipient region when it sends teams there;
its page then shows only the twinnings with that region. The program and
hospital lists and their exports are records: not for viewers (403). Links
to lists are left out of the pages for users who may not open them.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case, Count, F, OuterRef, Q, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import (
    can_read_records,
    can_view_region,
    donors_read,
    get_region_or_404,
    readable_regions,
    scope_key,
)
from figures.movements import movements as movement_figures
from figures.overview import overview as overview_figures
from figures.program import program_summary
from figures.series import earlier_region_figures, region_dashboard
from aidtracker.lib.templatetags.bilingual import name_for_language
from aidtracker.lib.cache import cached_call, cached_page, fragment_key
from aidtracker.lib.queries import count_of
from records.lists import RecordListView
from dashboards import briefs, charts, coverage, downloads, remote
from dashboards.movements import movement_section
from dashboards.links import (
    api_query,
    card,
    earlier_params,
    list_url,
    part,
    safety_rows,
    share_text,
    techniques_card,
    trainee_cards,
    with_earlier,
    without_list_links,
)
from dashboards.donors import readable_donor_rows, reads_province, region_or_donor
from dashboards.forms import OverviewForm, ProgramDashboardForm, RegionDashboardFilter
from dashboards.programs import program_cards
from deployments import columns as deployments_columns
from deployments.filters import ProgramFilter
from deployments.models import CoveredSpan, Program, Rotation, Team, Title, Twinning
from hospitals.models import Region
from outcomes.models import Consultation, Surgery


def today():
    return timezone.localdate()


# --------------------------------------------------------------------------
# Overview and region dashboard


@cached_page
def overview(request):
    form = OverviewForm(request.GET or None)
    period, _specialty, _donor = form.values()
    # Cached (aidtracker/cache.py): keyed by the period and the user's scope,
    # never stale after a write.
    rows = cached_call(overview_figures, period, scope=scope_key(request.user))
    readable = readable_regions(request.user)
    below = []
    if readable is not None:
        # Provinces have no parent: a row is readable when its code is assigned.
        rows = [row for row in rows if row["code"] in readable]
        if not rows:
            # Regions below province level have no dashboard of their own.
            below = [
                {"name": r.display_name, "url": reverse("dashboards:region", args=[r.code])}
                for r in Region.objects.filter(code__in=readable)
                .exclude(level=Region.Level.PROVINCE).order_by("code")
            ]
    params = form.params()
    links = can_read_records(request.user)
    for row in rows:
        row["display_name"] = name_for_language(row["name"], row["name_zh"])
        row["url"] = reverse("dashboards:region", args=[row["code"]])
        if params:
            row["url"] += "?" + urlencode(params)
        row["cells"] = overview_cells(row, {"region": row["code"], **params}, links, dashboard=row["url"])
    additive = ["programs", "twinned_departments", "teams", "surgeries", "surgeries_local",
                "trainees", "techniques", "consultations"]
    totals = {key: sum(r[key] for r in rows) for key in additive}
    totals["local_share_percent"] = (
        round(100 * totals["surgeries_local"] / totals["surgeries"], 1) if totals["surgeries"] else None
    )
    # Experts are not additive (one expert may serve two regions): no total.
    totals.update(experts=None, expert_days=None)
    # One region: its totals are its own figures, and so are their lists
    # (without a region a list would also hold the rows of provinces that
    # receive no program).
    totals_params = {"region": rows[0]["code"], **params} if len(rows) == 1 else params
    totals["cells"] = overview_cells(totals, totals_params, links)
    totals["links"] = {cell["key"]: cell["url"] for cell in totals["cells"]}
    return render(request, "dashboards/overview.html", {
        # The donor provinces the user reads (dashboards/donors.py).
        "donor_rows": readable_donor_rows(request.user, period, form.params()),
        "form": form,
        "period": period,
        "rows": rows,
        "below": below,
        # An official or viewer without regions reads nothing (scope fails closed).
        "no_regions": readable == [],
        "totals": totals,
        "charts": charts.overview_charts(rows) if rows else [],
    })


#: The overview table's columns: (figure, the list of its rows, extra list
#: parameters), the list None for figures without one; each list's count
#: (rows, or distinct trainees or experts) equals the figure.
OVERVIEW_COLUMNS = [
    ("programs", "dashboards:program_list", {}),
    ("twinned_departments", "#twinnings", {}),
    ("teams", "dashboards:team_list", {}),
    ("experts", "deployments:rotation_list", {}),
    ("expert_days", "deployments:rotation_list", {}),
    ("surgeries", "outcomes:surgery_list", {}),
    ("local_share_percent", "outcomes:surgery_list", {"lead": "local"}),
    ("trainees", "outcomes:training_list", {}),
    ("techniques", "outcomes:technique_list", {}),
    ("consultations", "outcomes:consultation_list", {}),
]


def overview_cells(row, params, links, dashboard=None):
    """The overview table's cells of `row` (a region's figures, or the
    totals), in OVERVIEW_COLUMNS' order: {"key", "value", "url"}, each
    linking to the list of its rows filtered by `params` (the region and
    the period; none for the totals) when `links` (users who may open the
    lists), the twinned departments to the region dashboard's table
    (`dashboard`, for every reader)."""
    cells = []
    for key, name, extra in OVERVIEW_COLUMNS:
        url = None
        if name == "#twinnings":
            url = f"{dashboard}#twinnings" if dashboard else None
        elif name and links and row[key] is not None:
            url = list_url(name, params, **extra)
        cells.append({"key": key, "value": row[key], "url": url})
    return cells


RECORD_LISTS = [
    (gettext_lazy("Surgeries"), "outcomes:surgery_list"),
    (gettext_lazy("Trainings"), "outcomes:training_list"),
    (gettext_lazy("Rotations"), "deployments:rotation_list"),
    (gettext_lazy("Techniques"), "outcomes:technique_list"),
    (gettext_lazy("Referrals"), "outcomes:referral_list"),
    (gettext_lazy("Consultations"), "outcomes:consultation_list"),
]


def below_province(request, region):
    """The page of a prefecture or county for a user who may read it but not
    its province: the dashboards cover whole provinces (their figures would
    show the other prefectures too), so it leads to the region's records."""
    lists = []
    if can_read_records(request.user):
        query = "?" + urlencode({"region": region.code})
        lists = [(label, reverse(name) + query) for label, name in RECORD_LISTS]
    return render(request, "dashboards/below_province.html", {"region": region, "lists": lists})


def region_cards(summary, params, links=True, twinned=None, donor_name=None, region_wide=True):
    """The summary's figures as cards, each with the link to its rows (none
    when `links` is false: for viewers, who may not open the lists). Without
    `region_wide` the cards that a donor filter does not narrow are left out
    (for a reader of the region through a donor's work alone).

    Under a donor filter the skills-transfer card counts `twinned` (the
    surgeries of the departments the donor, named `donor_name`, twins,
    whoever led them: series.twinned_surgeries): local surgeons' own
    operations carry no team, so the donor's team surgeries leave out the
    very surgeries that show skills transfer. Cards that a filter does not
    narrow say that they are region-wide."""
    s, sg, tr = summary, summary["surgeries"], summary["trainees"]
    region = {"region": s["region"]["code"]}
    p = {**region, **params}
    no_spec = {**p, "specialty": None}
    no_spec_donor = {**no_spec, "donor": None}
    share = round(100 * sg["by_lead"]["local"] / sg["total"], 1) if sg["total"] else None
    by_specialty, by_donor = bool(params.get("specialty")), bool(params.get("donor"))
    wide_of_specialty = _("region-wide, whatever the specialty") if by_specialty else ""
    wide_of_both = (
        _("region-wide, whatever the specialty and donor") if by_specialty and by_donor
        else _("region-wide, whatever the donor") if by_donor
        else wide_of_specialty
    )

    if twinned is None:
        local_share = card(_("Led by local surgeons alone"), share_text(share),
                           list_url("outcomes:surgery_list", p, lead="local"),
                           note=_("share of the period's surgeries"), accent=True, number=share)
    else:
        # The same list filter as the donor dashboard's card (records/lists:
        # `twinned_by`), in place of `donor` (its teams' surgeries).
        twinned_p = {**p, "donor": None, "twinned_by": params["donor"]}
        local_share = card(
            _("Led by local surgeons alone"), share_text(twinned["local_share_percent"]),
            list_url("outcomes:surgery_list", twinned_p, lead="local"),
            parts=[
                part(_("local surgeon alone"), twinned["by_lead"]["local"],
                     list_url("outcomes:surgery_list", twinned_p, lead="local")),
                part(_("all surgeries there"), twinned["total"], list_url("outcomes:surgery_list", twinned_p)),
            ],
            note=_("of the departments %(donor)s twins, whoever led them") % {"donor": donor_name},
            accent=True, number=twinned["local_share_percent"],
        )
    movements = card(_("Patient movements"), sum(s["referrals"].values()), None, parts=[
        part(_("transfers in"), s["referrals"]["transfer_in"],
             list_url("outcomes:referral_list", no_spec_donor, kind="transfer_in")),
        part(_("referrals out"), s["referrals"]["referral_out"],
             list_url("outcomes:referral_list", no_spec_donor, kind="referral_out")),
        part(_("international"), s["referrals"]["international"],
             list_url("outcomes:referral_list", no_spec_donor, kind="international")),
    ], wide=wide_of_both)
    surgeries_url = list_url("outcomes:surgery_list", p)
    rotations_url = list_url("deployments:rotation_list", p)
    cards = [
        card(_("Programs"), s["programs"], list_url("dashboards:program_list", no_spec),
             note=_("recipient in the region, active in the period"), wide=wide_of_specialty),
        card(_("Twinned departments"), s["twinned_departments"], "#twinnings"),
        # The teams list counts the summary's `teams` (their own dates overlap the period).
        card(_("Teams"), s["teams"], list_url("dashboards:team_list", no_spec),
             note=_("batches active in the period"), wide=wide_of_specialty),
        card(_("Experts"), s["experts"], rotations_url,
             note=_("distinct people on site in the period")),
        card(_("Expert-days"), s["expert_days"], rotations_url,
             note=_("days on site within the period")),
        card(_("Surgeries"), sg["total"], surgeries_url, parts=[
            part(_("visiting expert"), sg["by_lead"]["visiting"], list_url("outcomes:surgery_list", p, lead="visiting")),
            part(_("jointly"), sg["by_lead"]["joint"], list_url("outcomes:surgery_list", p, lead="joint")),
            part(_("local surgeon alone"), sg["by_lead"]["local"], list_url("outcomes:surgery_list", p, lead="local")),
        ]),
        local_share,
        card(_("Complex surgeries"), sg["by_grade"]["3"] + sg["by_grade"]["4"], None, parts=[
            part(_("grade %(grade)s") % {"grade": g}, sg["by_grade"][g],
                 list_url("outcomes:surgery_list", p, grade=g)) for g in ("1", "2", "3", "4")
        ], note=_("grade 3 and 4")),
        card(_("Minimally invasive"), sg["minimally_invasive"],
             list_url("outcomes:surgery_list", p, minimally_invasive="true"), parts=[
                 part(_("demonstrations"), sg["demonstration"], list_url("outcomes:surgery_list", p, demonstration="true")),
                 part(_("first in region"), sg["first_in_region"], list_url("outcomes:surgery_list", p, first_in_region="true")),
             ]),
        *trainee_cards(tr, p, params, _("distinct local trainees")),
        techniques_card(s["techniques"], p),
        movements,
        card(_("Consultations"), s["consultations"], list_url("outcomes:consultation_list", p),
             note=_("requested by the region's hospitals")),
    ]
    if not region_wide:
        cards.remove(movements)
    return cards if links else without_list_links(cards)


@cached_page
def region(request, code):
    context = region_context(request, code)
    if isinstance(context, HttpResponse):
        return context
    return render(request, "dashboards/region.html", context)


def region_figures(request, code, fmt):
    """The region dashboard's figures and series as a file (`fmt`: csv or
    xlsx), for the same filters as the page (dashboards/downloads.py)."""
    context = region_context(request, code, fmt=fmt)
    if isinstance(context, HttpResponse):
        return context
    return downloads.region_file(context, fmt)


def region_context(request, code, fmt=None, with_movements=True):
    """The region dashboard's context, or the answer that takes its place (a
    redirect, the page of a region below province level). With `fmt` (a
    download's format) a redirect goes to the download of the same kind.
    Without `with_movements` (the brief) its "movements" are None."""
    try:
        region, through = get_region_or_404(request.user, code), ()
    except Http404:
        region, through = through_donors_or_404(request.user, code)
        if request.GET.get("donor") not in through:
            # Their donor's work in the region, and only that: the filter is theirs.
            query = request.GET.copy()
            query["donor"] = through[0]
            return redirect(f"{request.path}?{query.urlencode()}")
    if region.level != Region.Level.PROVINCE:
        # The summary is defined for province-level regions: show the one this
        # lies in, or, to a reader of this part alone, where its records are.
        if not can_view_region(request.user, region.province_code):
            if fmt:
                raise Http404(_("A region below province level has no dashboard figures."))
            return below_province(request, region)
        target = downloads.dashboard_url("region", region.province_code, fmt)
        return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)
    programs = Program.objects.visible_to(request.user).for_recipient_region(region)
    filterset = RegionDashboardFilter(
        request.GET or None,
        queryset=Twinning.objects.visible_to(request.user)
        .filter(program__in=programs)
        .select_related("program__recipient_hospital", "donor_hospital", "specialty")
        .order_by("program__recipient_hospital__name", "specialty__name", "start_date"),
    )
    form = filterset.form
    if through:
        form.fields["donor"].queryset = form.fields["donor"].queryset.filter(code__in=through)
    period, specialty, donor = form.values()
    if through and donor is None:  # a bad date: all time, still for their donor alone
        donor = Region.objects.get(code=request.GET["donor"])
        filterset = RegionDashboardFilter({"donor": donor.code}, queryset=filterset.queryset)
    twinnings = filterset.qs if filterset.form.is_valid() else filterset.queryset
    scope = scope_key(request.user)
    # One call reads the surgeries once for the cards and the charts.
    figures = cached_call(
        region_dashboard, region, period, specialty=specialty, donor=donor, today=today(), scope=scope
    )
    summary, series, twinned = figures["summary"], figures["charts"], figures["twinned"]
    if not summary["by_donor"]:
        # A donor province that receives no program: its donor dashboard.
        response = region_or_donor(region, request, fmt)
        if response is not None:
            return response
    params = form.params()
    if through:
        params.setdefault("donor", donor.code)
    links = can_read_records(request.user)
    donor_name = donor.display_name if donor else None
    cards = region_cards(summary, params, links=links, twinned=twinned, donor_name=donor_name,
                         region_wide=not through)
    # This period against the last, on the page (none for an open period).
    earlier = cached_call(
        earlier_region_figures, region, period, specialty=specialty, donor=donor, scope=scope
    )
    if earlier is not None:
        before = earlier_params(params, earlier["period"])
        cards = with_earlier(
            cards,
            region_cards(earlier["summary"], before, links=links, twinned=earlier["twinned"],
                         donor_name=donor_name, region_wide=not through),
            earlier["period"], f"{request.path}?{urlencode(before)}",
        )

    names = Region.objects.display_names(d["code"] for d in summary["by_donor"])
    donor_rows = [
        {
            **d,
            "display_name": names.get(d["code"]) or d["name"],
            "programs_url": list_url("dashboards:program_list", {"region": region.code, **params, "specialty": None}, donor=d["code"]),
            "experts_url": list_url("deployments:rotation_list", {"region": region.code, **params}, donor=d["code"]),
            "surgeries_url": list_url("outcomes:surgery_list", {"region": region.code, **params}, donor=d["code"]),
            # Back to the donor's dashboard, narrowed to this region.
            "donor_url": reverse("dashboards:donor", args=[d["code"]]) + "?" + urlencode(
                {**{k: v for k, v in params.items() if k != "donor"}, "region": region.code}
            ) if reads_province(request.user, d["code"]) else None,
        }
        for d in summary["by_donor"]
    ]
    if not links:
        for row in donor_rows:
            row.update(programs_url=None, experts_url=None, surgeries_url=None)
    grouping = series["grouping"]
    surgeries = series["surgeries_per_month"] if twinned is None else twinned["per_month"]
    chart_list = [
        charts.surgeries_chart(surgeries, grouping) if twinned is None
        else charts.surgeries_chart(
            surgeries, grouping,
            charts.per(
                grouping,
                _("Surgeries per month in the departments %(donor)s twins, by who led them"),
                _("Surgeries per quarter in the departments %(donor)s twins, by who led them"),
                _("Surgeries per year in the departments %(donor)s twins, by who led them"),
            ) % {"donor": donor_name},
        ),
        charts.skills_chart(surgeries, grouping, None if twinned is None else _(
            "Skills transfer in the departments %(donor)s twins: share of surgeries led by local surgeons alone"
        ) % {"donor": donor_name}),
        charts.experts_chart(series["experts_per_month"], grouping),
        charts.trainees_chart(series["trainees_per_month"], grouping),
        charts.techniques_chart(series["techniques_per_year"]),
    ]
    # Patient movements and outcomes: region-wide figures, whatever the
    # specialty and donor; not for a reader through a donor's work alone.
    movements = None if through or not with_movements else movement_section(
        cached_call(movement_figures, region, period, scope=scope), {"region": region.code}, links=links
    )
    return {
        # Everything below the filters is one cached fragment (aidtracker/cache.py).
        "fragment_key": fragment_key(request, "region", region, period, specialty, donor),
        "movements": movements,
        "cache_timeout": settings.CACHE_TIMEOUT,
        "region": region,
        "form": form,
        "period": period,
        "specialty": specialty,
        "donor": donor,
        "summary": summary,
        "cards": cards,
        "earlier_period": earlier["period"] if earlier else None,
        # The earlier period's figures themselves, for the brief's sentences.
        "earlier": earlier,
        "twinned": twinned,
        "charts": chart_list,
        "chart_period": series["period"],
        "grouping": grouping,
        "safety": safety_rows(figures["safety"], {"region": region.code, **params}, links=links),
        "donor_chart": charts.donors_chart(donor_rows) if donor_rows else None,
        "donor_rows": donor_rows,
        "twinnings": twinnings,
        # The JSON has the region-wide figures too: not for a reader through a donor.
        "api_url": reverse("api:region-summary", args=[region.code]) + api_query(period, specialty, donor=donor)
        if links and not through else None,
        "through_donor": bool(through),
        "links": links,
        "downloads": downloads.links("region", region.code, request),
        "brief_url": briefs.brief_url("region", region.code, request.GET),
    }


def through_donors_or_404(user, code):
    """(the province-level region `code`, the codes of the donor provinces
    through which `user` reads it): an official of a donor province reads a
    recipient region's dashboard filtered by their donor, whose programs'
    records they read (accounts.scope), never the region's other figures.
    Http404 when the user reads no donor with a program there."""
    donors = donors_read(user)
    region = Region.objects.provinces().filter(code=code).first() if donors else None
    through = ()
    if region is not None:
        through = tuple(sorted(set(
            Program.objects.for_recipient_region(region).filter(donor_region__in=donors)
            .values_list("donor_region", flat=True)
        )))
    if not through:
        raise Http404(_("No such region."))
    return region, through


# --------------------------------------------------------------------------
# Programs and teams


class ProgramListView(RecordListView):
    title = gettext_lazy("Programs")
    filterset_class = ProgramFilter
    template_name = "dashboards/program_list.html"
    select_related = ("donor_region", "recipient_hospital__region")
    sort_columns = {
        "code": "code", "name": "name", "donor": "donor_region_id",
        "recipient": "recipient_hospital__name", "kind": "kind", "start": "start_date",
        "end": "end_date", "teams": "team_count",
    }
    default_sort = "code"
    csv_filename = "programs.csv"
    csv_columns = deployments_columns.PROGRAMS

    def base_queryset(self, request):
        # One counting subquery per column: counting both through joins
        # would multiply each program's teams by its twinnings first (362 ms
        # at 10,000,000 surgeries and 17,245 teams).
        return Program.objects.visible_to(request.user).annotate(
            team_count=count_of(Team.objects.filter(program=OuterRef("pk"))),
            twinning_count=count_of(Twinning.objects.filter(program=OuterRef("pk"))),
        )


#: The teams the program page lists before "all teams" is asked for.
TEAMS_SHOWN = 20
#: The most people the program page names as on site today, in all and per
#: department; the rest are counted and lead to the rotations list (a
#: program with a large team has hundreds on site at once).
ON_SITE_SHOWN = 30
ON_SITE_SHOWN_PER_DEPARTMENT = 5


def program(request, code):
    return render(request, "dashboards/program.html", program_context(request, code))


def program_figures(request, code, fmt):
    """The program page's figures and tables as a file (`fmt`: csv or xlsx;
    dashboards/downloads.py), with all its teams."""
    return downloads.program_file(program_context(request, code, every_team=True), fmt)


def program_context(request, code, every_team=False, compare=True, with_movements=True):
    program = get_object_or_404(
        Program.objects.visible_to(request.user).select_related(
            "donor_region", "recipient_hospital__region__parent__parent"
        ),
        code=code,
    )
    # What came of it: the summary's figures for the program, with the
    # region dashboard's period and specialty filters.
    form = ProgramDashboardForm(request.GET or None)
    period, specialty, _donor = form.values()
    summary = program_summary(program, period, specialty, today=today())
    params, links = form.params(), can_read_records(request.user)
    cards = program_cards(summary, program, params, links=links)
    # This period against the last (none for an open period). A remote
    # program leaves out the cards it has nothing for: the cards compared
    # are those both periods show.
    earlier_period = period.previous() if compare else None
    earlier_summary = None
    if earlier_period is not None:
        before = earlier_params(params, earlier_period)
        earlier_summary = program_summary(program, earlier_period, specialty)
        earlier = {c["label"]: c for c in program_cards(earlier_summary, program, before, links=links)}
        both = [c for c in cards if c["label"] in earlier]
        with_earlier(both, [earlier[c["label"]] for c in both], earlier_period,
                     f"{request.path}?{urlencode(before)}")
    # Patient movements and outcomes of its recipient hospital, for the
    # period (whatever the specialty: referrals and indicators have none);
    # for readers of the recipient's region, not through the donor alone
    # (the hospital's referrals are not the program's records).
    hospital = program.recipient_hospital_id
    reads_recipient = can_view_region(request.user, program.recipient_hospital.region)
    movements = movement_section(
        movement_figures(None, period, hospital=hospital), {"for_hospital": hospital}, links=links, hospital=True
    ) if reads_recipient and with_movements else None
    twinnings = list(
        Twinning.objects.visible_to(request.user)
        .filter(program=program)
        .select_related("specialty", "donor_hospital")
        .order_by("specialty__name", "start_date")
    )
    # The latest teams first; all of them on request (a long program has
    # hundreds). Each team's rotations counted by a subquery, so that only
    # the teams shown are counted (PostgreSQL evaluates it after the LIMIT),
    # not every rotation of the program grouped by team.
    all_teams = every_team or request.GET.get("teams") == "all"
    teams = (
        Team.objects.visible_to(request.user)
        .filter(program=program)
        .annotate(people=count_of(Rotation.objects.filter(team=OuterRef("pk"))))
        .order_by("-start_date", "-batch")
    )
    teams = list(teams if all_teams else teams[: TEAMS_SHOWN + 1])
    more_teams = len(teams) > TEAMS_SHOWN and not all_teams
    # The days its rotations cover, merged per specialty (kept by
    # deployments/coverage.py: one row per covered span, however many
    # rotations), and the first of who is on site today with their count (a
    # long program has tens of thousands of rotations, a large team hundreds
    # of people on site at once).
    now = today()
    program_rotations = Rotation.objects.visible_to(request.user).filter(team__program=program)
    spans = CoveredSpan.objects.filter(program=program).rows()
    on_site, on_site_count, on_site_by_specialty = on_site_today(program_rotations, now)
    # A remote-support program is judged by its consultations: no on-site
    # coverage, so no false gaps.
    support = None
    departments = []
    if remote.is_remote(program):
        support = remote.remote_support(program, Consultation.objects.visible_to(request.user), twinnings, now)
    else:
        departments = coverage.program_coverage(
            program, twinnings, coverage.spans_by_program(spans).get(program.pk, {}), now
        )
        for department in departments:
            shown, count = on_site_by_specialty.get(department.twinnings[0].specialty_id, ([], 0))
            department.on_site_today, department.on_site_count = shown, count
    return {
        "program": program,
        "form": form,
        "period": period,
        "specialty": specialty,
        "summary": summary,
        "cards": cards,
        "earlier_period": earlier_period,
        "safety": safety_rows(summary["safety"], {"hospital": program.recipient_hospital_id, **params},
                              links=links),
        "safety_scope": _("The surgeries at %(hospital)s, whoever led them.")
        % {"hospital": program.recipient_hospital.display_name},
        "movements": movements,
        "earlier_summary": earlier_summary,
        "twinnings": twinnings,
        "teams": teams[:TEAMS_SHOWN] if more_teams else teams,
        "more_teams": more_teams,
        "rotation_count": sum(rotations for *_span, rotations in spans),
        "departments": departments,
        "timeline": coverage.timeline(departments),
        "remote": support,
        "on_site": on_site,
        "on_site_count": on_site_count,
        "on_site_url": list_url("deployments:rotation_list", {"program": program.code, "on_site": now.isoformat()}),
        "today": now,
        "rotations_url": list_url("deployments:rotation_list", {"program": program.code}),
        "surgeries_url": list_url("outcomes:surgery_list", {"program": program.code}),
        "trainings_url": list_url("outcomes:training_list", {"program": program.code}),
        "techniques_url": list_url("outcomes:technique_list", {"program": program.code}),
        # Not for a reader through the donor alone (dashboards/completeness.py).
        "completeness_url": reverse("dashboards:program_completeness", args=[program.code])
        if reads_recipient else None,
        "downloads": downloads.links("program", program.code, request),
        "brief_url": briefs.brief_url("program", program.code, request.GET),
    }


def on_site_today(rotations, day):
    """(people, count, {specialty: (people, count)}): the first
    ON_SITE_SHOWN of `rotations` (a queryset) on site on `day`, in order of
    arrival then name, and their count; per specialty the first
    ON_SITE_SHOWN_PER_DEPARTMENT and theirs. One query, whatever the number
    on site: the rows are numbered and counted by window functions and only
    the first ones read."""
    order = [F("start_date").asc(), F("person__name").asc(), F("pk").asc()]
    rows = (
        rotations.on_site_on(day)
        .annotate(
            person_name=F("person__name"),
            in_all=Window(Count("pk")),
            in_specialty=Window(Count("pk"), partition_by=[F("specialty_id")]),
            rank=Window(RowNumber(), order_by=order),
            rank_in_specialty=Window(RowNumber(), partition_by=[F("specialty_id")], order_by=order),
        )
        .filter(Q(rank__lte=ON_SITE_SHOWN) | Q(rank_in_specialty__lte=ON_SITE_SHOWN_PER_DEPARTMENT))
        .order_by("rank")
        .values_list(
            "specialty_id", "end_date", "person_id", "person_name", "title",
            "specialty__name", "specialty__name_zh",
            "person__home_hospital__name", "person__home_hospital__name_zh",
            "in_all", "in_specialty", "rank", "rank_in_specialty",
            named=True,
        )
    )
    people, count, by_specialty = [], 0, {}
    for r in rows:
        person = {
            "person_id": r.person_id,
            "name": r.person_name,
            "title": Title(r.title).label,
            "specialty": name_for_language(r.specialty__name, r.specialty__name_zh),
            "home_hospital": name_for_language(r.person__home_hospital__name, r.person__home_hospital__name_zh),
            "end_date": r.end_date,
        }
        count = r.in_all
        if r.rank <= ON_SITE_SHOWN:
            people.append(person)
        shown, _count = by_specialty.setdefault(r.specialty_id, ([], r.in_specialty))
        if r.rank_in_specialty <= ON_SITE_SHOWN_PER_DEPARTMENT:
            shown.append(person)
    return people, count, by_specialty


def team(request, code):
    team = get_object_or_404(
        Team.objects.visible_to(request.user).select_related(
            "program__donor_region", "program__recipient_hospital"
        ),
        code=code,
    )
    rotations = list(
        Rotation.objects.visible_to(request.user)
        .filter(team=team)
        .select_related("person__home_hospital", "specialty")
        .annotate(role_rank=Case(
            When(role=Rotation.Role.LEADER, then=0),
            When(role=Rotation.Role.PAIRED_DIRECTOR, then=1),
            default=2,
        ))
        .order_by("role_rank", "person__name")
    )
    for rotation in rotations:  # display only: each row's own length
        rotation.days = (rotation.end_date - rotation.start_date).days + 1
    surgeries = Surgery.objects.visible_to(request.user).filter(team=team).aggregate(
        total=Count("pk"),
        local=Count("pk", filter=Q(lead="local")),
        joint=Count("pk", filter=Q(lead="joint")),
        visiting=Count("pk", filter=Q(lead="visiting")),
    )
    return render(request, "dashboards/team.html", {
        "team": team,
        "rotations": rotations,
        "surgeries": surgeries,
        "surgeries_url": list_url("outcomes:surgery_list", {"team": team.code}),
        "rotations_url": list_url("deployments:rotation_list", {"team": team.code}),
    })
