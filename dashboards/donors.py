"""Donor pages: the list of donor regions (/donors/) and a donor's dashboard
(/donors/<code>/), the region dashboard seen from the side that sends the
teams (interchange spec, section 6).

Every figure comes from figures/donor.py (the donor summary and what the
page charts and tabulates beside it), cached like the region dashboard's
(cached_page, cached_call with the reader's scope, fragment_key).

Access: a user reads the donor pages of province P when they may read P
(accounts.scope.can_view_region: admins, coordinators, officials and viewers
with every region or with P among theirs); otherwise 404, as for a region.
Links to the record lists are left out for users who may not open them
(viewers).
"""

import datetime as dt
import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import can_read_records, can_view_region, donors_read, readable_regions, scope_key
from aidtracker.lib.cache import cached_call, cached_page, fragment_key
from aidtracker.lib.templatetags.bilingual import name_for_language
from dashboards import briefs, charts, downloads
from dashboards.links import (
    api_query,
    card,
    earlier_params,
    list_url,
    part,
    share_text,
    techniques_card,
    safety_rows,
    trainee_cards,
    with_earlier,
    without_list_links,
)
from dashboards.coverage import Span, covered_and_gaps
from dashboards.forms import DonorDashboardForm, OverviewForm
from figures.donor import TEAMS_SHOWN, donor_dashboard, donors_overview, earlier_donor_figures
from deployments.models import Program
from hospitals.models import Region


def today():
    return timezone.localdate()


def reads_province(user, code) -> bool:
    """can_view_region(user, code) for a province's code, without a query:
    a province has no parent, so it is readable when assigned (or all are)."""
    readable = readable_regions(user)
    return readable is None or code in readable


def readable_donor_rows(user, period, params=None) -> list[dict]:
    """The rows of /donors/ the user may read (can_view_region), each with
    its `display_name` and the `url` of its dashboard (carrying `params`,
    the period). Cached with the user's scope; no query of its own on a hit."""
    rows = cached_call(donors_overview, period, scope=scope_key(user))
    rows = [dict(row) for row in rows if reads_province(user, row["code"])]
    query = "?" + urlencode(params) if params else ""
    for row in rows:
        row["display_name"] = name_for_language(row["name"], row["name_zh"])
        row["url"] = reverse("dashboards:donor", args=[row["code"]]) + query
    return rows


@cached_page
def donor_list(request):
    form = OverviewForm(request.GET or None)
    period, _specialty, _donor = form.values()
    return render(request, "dashboards/donor_list.html", {
        "form": form,
        "period": period,
        "rows": readable_donor_rows(request.user, period, form.params()),
        "no_regions": readable_regions(request.user) == [],
    })


def not_a_donor(request, message):
    """404 with the reason, for a code that names no donor's dashboard."""
    return render(request, "dashboards/not_a_donor.html", {"message": message}, status=404)


def is_donor_only(region) -> bool:
    """Does the province `region` send teams (the donor of a program) while
    no program's recipient hospital lies in it? Its region dashboard would
    be all zeros: /regions/<code>/ leads to /donors/<code>/ instead. 1 query."""
    programs = Program.objects.all()
    return programs.of_donor(region).exists() and not programs.for_recipient_region(region).exists()


@cached_page
def donor(request, code):
    context = donor_context(request, code, compare=True)
    if isinstance(context, HttpResponse):
        return context
    return render(request, "dashboards/donor.html", context)


def donor_figures(request, code, fmt):
    """The donor dashboard's figures and series as a file (`fmt`: csv or
    xlsx), for the same filters as the page (dashboards/downloads.py)."""
    context = donor_context(request, code)
    if isinstance(context, HttpResponse):
        return context
    return downloads.donor_file(context, fmt)


def donor_context(request, code, compare=False):
    """The donor dashboard's context, or the 404 page that takes its place;
    with `compare` (the page) each card compared with the period before."""
    # A region's code is six digits: anything else names none (and is not
    # sent to the database, which refuses a NUL character outright).
    region = Region.objects.filter(code=code).first() if re.fullmatch(r"[0-9]{6}", code) else None
    if region is None or not can_view_region(request.user, region):
        return not_a_donor(request, _("No such region."))
    if region.level != Region.Level.PROVINCE:
        return not_a_donor(request, _(
            "%(name)s (%(code)s) is not a province-level region: donors are provinces such as Shanghai (310000)."
        ) % {"name": region.display_name, "code": region.code})
    if not Program.objects.of_donor(region).exists():
        return not_a_donor(request, _(
            "%(name)s (%(code)s) is the donor of no program, so it has no donor dashboard."
        ) % {"name": region.display_name, "code": region.code})
    form = DonorDashboardForm(request.GET or None)
    period, specialty, recipient = form.values()
    figures = cached_call(
        donor_dashboard, region, period, specialty=specialty, recipient=recipient, today=today(),
        scope=scope_key(request.user),
    )
    summary, series = figures["summary"], figures["charts"]
    params = form.params()
    links = can_read_records(request.user)
    region_codes = {r["code"] for r in summary["by_recipient"]} | set(series["experts_per_month"]["regions"])
    names = {r["code"]: r["name"] for r in summary["by_recipient"]}
    names |= Region.objects.display_names(region_codes)
    cards = donor_cards(summary, params, links=links)
    # This period against the last, on the page (none for an open period).
    earlier = None if not compare else cached_call(
        earlier_donor_figures, region, period, specialty=specialty, recipient=recipient, scope=scope_key(request.user)
    )
    if earlier is not None:
        before = earlier_params(params, earlier["period"])
        cards = with_earlier(
            cards, donor_cards(earlier["summary"], before, links=links),
            earlier["period"], f"{request.path}?{urlencode(before)}",
        )
    return {
        "fragment_key": fragment_key(request, "donor", region, period, specialty, recipient, today()),
        "cache_timeout": settings.CACHE_TIMEOUT,
        "region": region,
        "form": form,
        "period": period,
        "specialty": specialty,
        "recipient": recipient,
        "summary": summary,
        "cards": cards,
        "earlier_period": earlier["period"] if earlier else None,
        # The earlier period's figures themselves, for the brief's sentences.
        "earlier": earlier,
        "safety": safety_rows(
            figures["safety"],
            {**params, "twinned_by": region.code},  # as the cards' twinned departments (donor_cards)
            links=links,
        ),
        "safety_scope": _("The surgeries of the departments %(donor)s twins, whoever led them.")
        % {"donor": region.display_name},
        "charts": [
            charts.experts_by_recipient_chart(series["experts_per_month"], names, series["grouping"]),
            charts.twinned_surgeries_chart(series["twinned_surgeries_per_year"]),
            charts.trainees_per_year_chart(series["trainees_per_year"]),
        ],
        "chart_period": series["period"],
        "recipient_rows": recipient_rows(request.user, summary, params, names, links),
        "teams": [
            {**t, "display_name": name_for_language(t["name"], t["name_zh"]),
             "program_display_name": name_for_language(t["program_name"], t["program_name_zh"])}
            for t in figures["teams"]
        ],
        "more_teams": summary["teams"] > len(figures["teams"]),
        "teams_shown": TEAMS_SHOWN,
        "hospitals": hospital_rows(figures["hospitals"], period, today()),
        "api_url": reverse("api:donor-summary", args=[region.code]) + api_query(period, specialty, recipient=recipient)
        if links else None,
        "links": links,
        "downloads": downloads.links("donor", region.code, request),
        "brief_url": briefs.brief_url("donor", region.code, request.GET),
    }


def donor_cards(summary, params, links=True):
    """The donor summary's figures as cards, each linking to the list of its
    rows with the list's count equal to the card (none when `links` is
    false). `params`: the dashboard's filters (date_after, date_before,
    specialty, region: the recipient region), named as the lists name them."""
    s, sg, tr, tw = summary, summary["surgeries"], summary["trainees"], summary["twinned_department_surgeries"]
    code = s["donor"]["code"]
    p = {"donor": code, **params}
    twinned = {**params, "twinned_by": code}
    share = round(100 * tw["by_lead"]["local"] / tw["total"], 1) if tw["total"] else None

    surgeries, trainings = "outcomes:surgery_list", "outcomes:training_list"
    rotations_url = list_url("deployments:rotation_list", p)
    leads = (("visiting", _("visiting expert")), ("joint", _("jointly")), ("local", _("local surgeon alone")))
    cards = [
        card(_("Programs"), s["programs"], list_url("dashboards:program_list", p, specialty=None),
             note=_("the donor's programs active in the period")),
        card(_("Recipient hospitals"), s["recipient_hospitals"], None, note=_("of those programs")),
        card(_("Twinned departments"), s["twinned_departments"], "#hospitals-title"),
        # The teams list counts the summary's `teams`; without it (viewers) the table below.
        card(_("Teams"), s["teams"], list_url("dashboards:team_list", p, specialty=None) if links else "#teams-title",
             note=_("batches active in the period")),
        card(_("Experts"), s["experts"], rotations_url, note=_("distinct people sent, on site in the period")),
        card(_("Expert-days"), s["expert_days"], rotations_url, note=_("days on site within the period")),
        card(_("Surgeries with its teams"), sg["total"], list_url(surgeries, p), parts=[
            part(label, sg["by_lead"][lead], list_url(surgeries, p, lead=lead)) for lead, label in leads
        ], note=_("wherever they took place")),
        card(_("Complex surgeries"), sg["by_grade"]["3"] + sg["by_grade"]["4"], None, parts=[
            part(_("grade %(grade)s") % {"grade": g}, sg["by_grade"][g], list_url(surgeries, p, grade=g))
            for g in ("1", "2", "3", "4")
        ], note=_("grade 3 and 4")),
        card(_("Minimally invasive"), sg["minimally_invasive"],
             list_url(surgeries, p, minimally_invasive="true"), parts=[
                 part(_("demonstrations"), sg["demonstration"], list_url(surgeries, p, demonstration="true")),
                 part(_("first in region"), sg["first_in_region"], list_url(surgeries, p, first_in_region="true")),
             ]),
        card(_("Surgeries of the twinned departments"), tw["total"], list_url(surgeries, twinned), parts=[
            part(label, tw["by_lead"][lead], list_url(surgeries, twinned, lead=lead)) for lead, label in leads
        ], note=_("whoever led them, while twinned")),
        card(_("Led by local surgeons alone"), share_text(share),
             list_url(surgeries, twinned, lead="local"),
             note=_("share of the twinned departments' surgeries: skills that stay"), accent=True,
             number=share),
        *trainee_cards(tr, p, params, _("distinct local trainees of its programs")),
        card(_("Hosted for further study"), tr["hosted"],
             list_url(trainings, params, host_region=code, kind="further_study"),
             note=_("distinct trainees at the donor's hospitals, whatever the program")),
        techniques_card(s["techniques"], p),
        card(_("Consultations"), s["consultations"], list_url("outcomes:consultation_list", p),
             note=_("answered by the donor's hospitals")),
    ]
    return cards if links else without_list_links(cards)


def recipient_rows(user, summary, params, names, links):
    """The summary's `by_recipient` with links: the region dashboard filtered
    by this donor (when the user may read that region; its by_donor row
    links back here) and, for readers of records, the lists behind the
    programs, experts and surgeries."""
    code = summary["donor"]["code"]
    back = {k: v for k, v in params.items() if k in ("date_after", "date_before", "specialty")}
    rows = []
    for r in summary["by_recipient"]:
        p = {**params, "region": r["code"], "donor": code}
        row = {**r, "display_name": names.get(r["code"]) or r["name"], "url": None,
               "programs_url": None, "experts_url": None, "surgeries_url": None}
        # A reader of the donor reads the region's dashboard filtered by it.
        if reads_province(user, r["code"]) or code in donors_read(user):
            row["url"] = reverse("dashboards:region", args=[r["code"]]) + "?" + urlencode({"donor": code, **back})
        if links:
            row["programs_url"] = list_url("dashboards:program_list", p, specialty=None)
            row["experts_url"] = list_url("deployments:rotation_list", p)
            row["surgeries_url"] = list_url("outcomes:surgery_list", p)
        rows.append(row)
    return rows


def hospital_rows(hospitals, period, now: dt.date):
    """The donor hospitals table's rows: names in the reader's language, each
    twinning with its coverage within the period.

    Coverage of a twinned department: its window runs from the latest of the
    twinning's start, the program's start and the period's start to the
    earliest of the twinning's end, the program's end, the period's end and
    today; `coverage_percent` is the share of the window's days on which at
    least one rotation of the program's teams in the twinning's specialty
    was on site (dashboards/coverage.py's rule for the program page, clipped
    to the period), a whole number; None when the window has not begun, and
    for a remote-support program (`remote_support`: judged by its
    consultations, Program.judged_by_consultations, never by on-site days)."""
    rows = []
    for h in hospitals:
        twinnings = []
        for t in h["twinnings"]:
            start = max(d for d in (t["start_date"], t["program_start"], period.start) if d)
            end = min(d for d in (t["end_date"], t["program_end"], period.end, now) if d)
            percent = None
            remote = Program.judged_by_consultations(t["program_kind"])
            if start <= end and not remote:
                window = Span(start, end)
                covered, _gaps = covered_and_gaps(t["spans"], window)
                percent = round(100 * sum(c.days for c in covered) / window.days)
            twinnings.append({
                **t,
                "recipient_display_name": name_for_language(t["recipient_name"], t["recipient_name_zh"]),
                "specialty_display_name": name_for_language(t["specialty_name"], t["specialty_name_zh"]),
                "coverage_percent": percent,
                "remote_support": remote,
            })
        rows.append({**h, "display_name": name_for_language(h["name"], h["name_zh"]), "twinnings": twinnings})
    return rows


def region_or_donor(region, request, fmt=None):
    """The redirect to /donors/<code>/ (keeping the query string; its
    figures' download for a download in format `fmt`) for a province that
    sends teams but receives none, else None."""
    if not is_donor_only(region):
        return None
    target = downloads.dashboard_url("donor", region.code, fmt)
    return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)
