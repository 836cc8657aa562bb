"""The printable brief of a region, a donor or a program: the dashboard's
figures of one period as a report of two to four A4 pages, in HTML
(/regions/<code>/report/, /donors/<code>/report/, /programs/<code>/report/)
and as a PDF made on the server (the same addresses with report.pdf).

Nothing is counted here: the brief is built from the dashboard's own
context (dashboards/views.py region_context and program_context,
dashboards/donors.py donor_context), so its figures, its comparison with
the earlier period, its links and its access rules are the dashboard's.
What it adds is the reading: headline sentences written from those
figures, the charts drawn as SVG (dashboards/svgcharts.py), the recipient
hospitals' before/after indicators (dashboards/indicators.py) and short
footnotes.

The period: `?year=2024`, or `from` and `to` (YYYY-MM-DD, as the JSON
API; the dashboards' `date_after` and `date_before` are read too, so a
dashboard's query string carries over); without one, the last complete
calendar year. `specialty`, `donor` (of a region) and `region` (the
recipient region of a donor) narrow it as they narrow the dashboard.
"""

import base64
import datetime as dt
import re
from urllib.parse import urlencode, urlsplit, parse_qsl

from django.db.models import Min
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext_lazy

from aidtracker.lib.cache import current_data_version
from aidtracker.lib.periods import Period
from aidtracker.lib.templatetags.bilingual import name_for_language
from dashboards import charts, indicators, pdf, svgcharts
from dashboards.links import share_text
from deployments.models import Program
from figures import definitions as rules
from figures.forms import parse_period
from figures.series import share_percent
from outcomes.models import IndicatorValue

#: The dashboards' filters a brief passes on unchanged, besides the period.
FILTERS = ("specialty", "donor", "region")
#: The indicators of the recipient hospitals' before/after table.
BRIEF_INDICATORS = (
    IndicatorValue.Indicator.SURGERIES_TOTAL,
    IndicatorValue.Indicator.OUTBOUND_REFERRALS,
    IndicatorValue.Indicator.CONDITIONS_TREATABLE,
)
#: The most hospitals the before/after table names; the rest are counted.
HOSPITALS_SHOWN = 12


class BriefError(ValueError):
    """A bad parameter of a brief: its message says which and why."""


def today() -> dt.date:
    return timezone.localdate()


def brief_period(query) -> Period:
    """The brief's period from the query: `year`, or `from`/`to` (or the
    dashboards' `date_after`/`date_before`), each bound YYYY-MM-DD as the
    API checks it; none: the last complete calendar year. BriefError with
    the reason for a bad value or for a year given with dates."""
    year = query.get("year", "").strip()
    start = query.get("from") or query.get("date_after") or ""
    end = query.get("to") or query.get("date_before") or ""
    if year:
        if start or end:
            raise BriefError(_("Give either 'year' or 'from' and 'to', not both."))
        if not re.fullmatch(r"[0-9]{4}", year) or int(year) < 1900:
            raise BriefError(
                _("'year': %(value)s is not a year; use four digits, e.g. 2024.") % {"value": repr(year)}
            )
        return Period(dt.date(int(year), 1, 1), dt.date(int(year), 12, 31))
    if start or end:
        try:
            return parse_period(start, end)
        except ValueError as error:
            raise BriefError(str(error)) from None
    last = today().year - 1
    return Period(dt.date(last, 1, 1), dt.date(last, 12, 31))


def brief_query(period, query) -> dict:
    """The brief's own parameters for `period` and the filters of `query`:
    `year` for a calendar year, else `from` and `to`."""
    params = {"year": period.start.year} if period.is_calendar_year else {
        k: v for k, v in period.as_dict().items() if v
    }
    params.update({k: query[k] for k in FILTERS if query.get(k)})
    return params


def brief_url(kind, code, query=None, pdf_file=False) -> str:
    """The address of the brief of dashboard `kind` (region, donor,
    program) for `code`; with `query` (a dashboard's or a brief's
    parameters) its period and filters, for the dashboards' link to it."""
    url = reverse(f"dashboards:{kind}_brief{'_pdf' if pdf_file else ''}", args=[code])
    if query:
        try:
            params = brief_query(brief_period(query), query)
        except BriefError:
            params = {}
        url += "?" + urlencode(params) if params else ""
    return url


def dashboard_request(request, period, dashboard_path):
    """A copy of `request` asking the dashboard at `dashboard_path` for
    `period` with the brief's filters: the dashboard's context functions
    read the request's query and path."""
    query = QueryDict(mutable=True)
    if period.start:
        query["date_after"] = period.start.isoformat()
    if period.end:
        query["date_before"] = period.end.isoformat()
    for name in FILTERS:
        if request.GET.get(name):
            query[name] = request.GET[name]
    copy = request.__class__.__new__(request.__class__)
    copy.__dict__.update(request.__dict__)
    copy.GET, copy.path = query, dashboard_path
    return copy


def to_brief(response, request, period, as_pdf):
    """The dashboard's redirect (to its filter for a reader through a donor,
    to the donor dashboard of a province that only sends teams, to the
    province of a prefecture) as the same redirect between briefs."""
    target = urlsplit(response["Location"])
    params = brief_query(period, {**request.GET.dict(), **dict(parse_qsl(target.query))})
    suffix = "report.pdf" if as_pdf else "report/"
    return HttpResponseRedirect(f"{target.path}{suffix}?{urlencode(params)}")


def bad_request(request, message, status=400):
    return render(request, "dashboards/brief_error.html", {"message": message}, status=status)


def brief_response(request, kind, code, context_of, build, as_pdf):
    """The brief (HTML, or the PDF with `as_pdf`) of dashboard `kind`:
    `context_of(request, code)` gives the dashboard's context (or the
    answer in its place), `build(context, request)` the brief's own parts."""
    try:
        period = brief_period(request.GET)
    except BriefError as error:
        return bad_request(request, str(error))
    dashboard = reverse(f"dashboards:{kind}", args=[code])
    context = context_of(dashboard_request(request, period, dashboard), code)
    if isinstance(context, HttpResponseRedirect):
        return to_brief(context, request, period, as_pdf)
    if isinstance(context, HttpResponse):
        return context
    form = context["form"]
    if form.is_bound and not form.is_valid():
        return bad_request(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    query = brief_query(period, request.GET)
    dashboard_url = f"{dashboard}?{urlencode(context['form'].params())}"
    brief = {
        **context,
        "kind": kind,
        "code": code,
        "dashboard_url": dashboard_url,
        "html_url": reverse(f"dashboards:{kind}_brief", args=[code]) + "?" + urlencode(query),
        "pdf_url": reverse(f"dashboards:{kind}_brief_pdf", args=[code]) + "?" + urlencode(query),
        "made_at": timezone.localtime(),
        "data_version": current_data_version(),
        "figures": key_figures(context["cards"], dashboard_url),
        "as_pdf": as_pdf,
        **build(context, request),
    }
    brief["charts"] = [{**c, "svg": svg_data_url(c)} for c in brief["charts"]]
    brief["headline"] = joined(brief["sentences"])
    if not as_pdf:
        brief["pdf_missing"] = pdf.missing()
        return render(request, "dashboards/brief.html", brief)
    html = render_to_string("dashboards/brief.html", brief, request=request)
    filename = f"brief-{kind}-{code}-{period.label()}.pdf".replace("…", "").replace(" ", "")
    return pdf.response(request, html, filename)


def joined(sentences) -> str:
    """The sentences as one paragraph: a space after a sentence that ends
    with a Latin full stop, none after a Chinese one ("。")."""
    text = ""
    for sentence in sentences:
        text += sentence if not text or text.endswith("。") else " " + sentence
    return text


def svg_data_url(chart) -> str:
    """The chart as an SVG image's data: URL: an image, so the page's
    content security policy (no inline styles) does not touch it."""
    return "data:image/svg+xml;base64," + base64.b64encode(svgcharts.svg(chart).encode()).decode()


def key_figures(cards, dashboard_url):
    """The table of key figures: the dashboard's cards, each with its
    earlier figure and the change (links.with_earlier); the cards' links
    to a part of the dashboard ("#twinnings") lead to the dashboard."""
    rows = []
    for c in cards:
        row = dict(c)
        if row["url"] and row["url"].startswith("#"):
            row["url"] = dashboard_url + row["url"]
        rows.append(row)
    return rows


# --------------------------------------------------------------------------
# Sentences: each a translatable template with named placeholders, filled
# with phrases whose plural follows their number; the Chinese templates say
# it as a Chinese report would, in its own order.


def number(n) -> str:
    return f"{n:,}"


def percent(value) -> str:
    """A share as the cards show it, its number and "%" kept on one line."""
    return share_text(value).replace(" ", "\u00a0")


#: A number with its noun, in each plural form ("%(n)s" the number as
#: written, "count" the number that chooses the form).
NOUNS = {
    "expert": ngettext_lazy("%(n)s expert", "%(n)s experts", "count"),
    "expert_day": ngettext_lazy("%(n)s expert-day", "%(n)s expert-days", "count"),
    "local_health_worker": ngettext_lazy("%(n)s local health worker", "%(n)s local health workers", "count"),
    "new_technique": ngettext_lazy("%(n)s new technique", "%(n)s new techniques", "count"),
    "program": ngettext_lazy("%(n)s program", "%(n)s programs", "count"),
    "donor_province": ngettext_lazy("%(n)s donor province", "%(n)s donor provinces", "count"),
    "recipient_hospital": ngettext_lazy("%(n)s recipient hospital", "%(n)s recipient hospitals", "count"),
    "recipient_region": ngettext_lazy("%(n)s recipient region", "%(n)s recipient regions", "count"),
    "surgery": ngettext_lazy("%(n)s surgery", "%(n)s surgeries", "count"),
    "remote_consultation": ngettext_lazy("%(n)s remote consultation", "%(n)s remote consultations", "count"),
}


def phrase(noun, count) -> str:
    """`count` with `noun` (a key of NOUNS) in the plural form that fits."""
    return NOUNS[noun] % {"count": count, "n": number(count)}


def period_words(period) -> str:
    """The period as the sentences name it: "2024" ("2024年"), else its label."""
    if period.is_calendar_year:
        return _("%(year)s") % {"year": period.start.year}
    return _("the period %(label)s") % {"label": period.label()}


def experts_sentence(summary, period, where):
    """"In 2024, 569 experts were on site ... for 178,134 expert-days"."""
    return _("In %(period)s, %(experts)s were on site in %(where)s for %(expert_days)s.") % {
        "period": period_words(period),
        "experts": phrase("expert", summary["experts"]),
        "where": where,
        "expert_days": phrase("expert_day", summary["expert_days"]),
    }


def share_sentence(now, before, earlier_period, surgeries, twinned=False):
    """The surgeries and the share of them led by local surgeons alone,
    with the earlier period's share when it has one: those the teams took
    part in, or with `twinned` those of the departments a program twins,
    whoever led them."""
    if not surgeries:
        return _("No surgery was recorded.")
    values = {"surgeries": phrase("surgery", surgeries), "share": percent(now)}
    if before is not None and earlier_period is not None:
        values.update(earlier_share=percent(before), earlier=period_words(earlier_period))
        if twinned:
            return _("Its twinned departments recorded %(surgeries)s, %(share)s of them led by local surgeons "
                     "alone (%(earlier_share)s in %(earlier)s).") % values
        return _("They took part in %(surgeries)s, %(share)s of them led by local surgeons alone "
                 "(%(earlier_share)s in %(earlier)s).") % values
    if twinned:
        return _("Its twinned departments recorded %(surgeries)s, %(share)s of them led by local surgeons "
                 "alone.") % values
    return _("They took part in %(surgeries)s, %(share)s of them led by local surgeons alone.") % values


def change_sentence(now, before, earlier_period):
    """"Surgeries were up 15.9 % on 2023." (None without an earlier figure)."""
    if not before or earlier_period is None:
        return None
    change = 100 * (now - before) / before
    values = {"percent": f"{abs(change):.0f}\u00a0%", "earlier": period_words(earlier_period)}
    if round(change) == 0:
        return _("Surgeries were about as many as in %(earlier)s.") % values
    if change > 0:
        return _("Surgeries were up %(percent)s on %(earlier)s.") % values
    return _("Surgeries were down %(percent)s on %(earlier)s.") % values


def training_sentence(trainees, techniques):
    """The trainees (and who became independent) and the new techniques;
    without a new technique, the trainees alone."""
    if not techniques["total"]:
        return _("%(trainees)s were trained, %(independent)s of whom now work without supervision.") % {
            "trainees": phrase("local_health_worker", trainees["total"]),
            "independent": number(trainees["independent"]),
        }
    return _("%(trainees)s were trained, %(independent)s of whom now work without supervision; "
             "%(techniques)s were introduced, %(first)s of them the first in the region.") % {
        "trainees": phrase("local_health_worker", trainees["total"]),
        "independent": number(trainees["independent"]),
        "techniques": phrase("new_technique", techniques["total"]),
        "first": number(techniques["first_in_region"]),
    }


def consultations_sentence(n):
    if not n:
        return None
    return _("%(consultations)s were held with the donor's hospitals.") % {
        "consultations": phrase("remote_consultation", n)}


# --------------------------------------------------------------------------
# The three kinds of brief: each gives its title, sentences, charts (three
# of the dashboard's chart specs), the donor or recipient table and the
# hospitals for the before/after table.


def local_share(summary, twinned=None):
    """The share led by local surgeons alone as the dashboard's card shows
    it: of the departments a donor twins under a donor filter, else of the
    summary's surgeries."""
    if twinned is not None:
        return twinned["local_share_percent"]
    sg = summary["surgeries"]
    return share_percent(sg["by_lead"]["local"], sg["total"])


def region_brief(context, request):
    s, region, period = context["summary"], context["region"], context["period"]
    earlier = context["earlier"]
    before = earlier["summary"] if earlier else None
    earlier_period = earlier["period"] if earlier else None
    first = _("In %(period)s, %(programs)s from %(donors)s had %(experts)s on site in %(region)s "
              "for %(expert_days)s.") % {
        "period": period_words(period),
        "programs": phrase("program", s["programs"]),
        "donors": phrase("donor_province", len(s["by_donor"])),
        "experts": phrase("expert", s["experts"]),
        "region": region.display_name,
        "expert_days": phrase("expert_day", s["expert_days"]),
    }
    twinned = context["twinned"] if "twinned" in context else None
    sentences = [
        first,
        share_sentence(local_share(s, twinned), local_share(before, earlier["twinned"]) if before else None,
                       earlier_period, s["surgeries"]["total"]),
        change_sentence(s["surgeries"]["total"], before["surgeries"]["total"] if before else None, earlier_period),
        training_sentence(s["trainees"], s["techniques"]),
        consultations_sentence(s["consultations"]),
    ]
    programs = Program.objects.visible_to(request.user).filter(
        pk__in=rules.counted_programs(region, period, getattr(context["donor"], "pk", None)))
    return {
        "title": _("Brief: %(name)s") % {"name": region.display_name},
        "subject": region,
        "sentences": [x for x in sentences if x],
        "charts": context["charts"][:3],
        "hospitals": hospital_table(request, programs),
    }


def donor_brief(context, request):
    s, region, period = context["summary"], context["region"], context["period"]
    earlier = context["earlier"]
    before = earlier["summary"] if earlier else None
    earlier_period = earlier["period"] if earlier else None
    tw = s["twinned_department_surgeries"]
    share = share_percent(tw["by_lead"]["local"], tw["total"])
    before_share = None
    if before:
        btw = before["twinned_department_surgeries"]
        before_share = share_percent(btw["by_lead"]["local"], btw["total"])
    first = _("In %(period)s, %(donor)s ran %(programs)s at %(hospitals)s in %(regions)s, with "
              "%(experts)s on site for %(expert_days)s; its teams took part in %(surgeries)s.") % {
        "period": period_words(period),
        "donor": region.display_name,
        "programs": phrase("program", s["programs"]),
        "hospitals": phrase("recipient_hospital", s["recipient_hospitals"]),
        "regions": phrase("recipient_region", len(s["by_recipient"])),
        "experts": phrase("expert", s["experts"]),
        "expert_days": phrase("expert_day", s["expert_days"]),
        "surgeries": phrase("surgery", s["surgeries"]["total"]),
    }
    if not tw["total"]:
        second = None
    elif before_share is not None:
        second = _("In the departments it twins, %(share)s of the surgeries were led by local surgeons "
                   "alone (%(earlier_share)s in %(earlier)s).") % {
            "share": percent(share), "earlier_share": percent(before_share),
            "earlier": period_words(earlier_period)}
    else:
        second = _("In the departments it twins, %(share)s of the surgeries were led by local surgeons "
                   "alone.") % {"share": percent(share)}
    sentences = [
        first, second,
        change_sentence(s["surgeries"]["total"], before["surgeries"]["total"] if before else None, earlier_period),
        training_sentence(s["trainees"], s["techniques"]),
        consultations_sentence(s["consultations"]),
    ]
    recipient = context["recipient"]
    programs = Program.objects.visible_to(request.user).filter(
        pk__in=rules.counted_programs(getattr(recipient, "pk", None), period, region.pk))
    charts_shown = context["charts"][:3]
    if period.closed and period.start.year == period.end.year:
        # The dashboard's yearly charts would be a bar each: the year
        # beside the one before it instead.
        lead, _grade, trainees = comparison_charts(s, before, period, earlier_period)
        charts_shown = [charts_shown[0], lead, trainees]
    return {
        "title": _("Brief: %(name)s as a donor") % {"name": region.display_name},
        "subject": region,
        "sentences": [x for x in sentences if x],
        "charts": charts_shown,
        "hospitals": hospital_table(request, programs),
    }


def program_brief(context, request):
    program, s, period = context["program"], context["summary"], context["period"]
    earlier_period = context["earlier_period"]
    before = context["earlier_summary"]
    hospital = program.recipient_hospital.display_name
    tw = s["twinned_department_surgeries"]
    sentences = [
        experts_sentence(s, period, hospital),
        share_sentence(tw["local_share_percent"],
                       before["twinned_department_surgeries"]["local_share_percent"] if before else None,
                       earlier_period, tw["total"], twinned=True),
        change_sentence(tw["total"], before["twinned_department_surgeries"]["total"] if before else None,
                        earlier_period),
        training_sentence(s["trainees"], s["techniques"]),
        consultations_sentence(s["consultations"]),
    ]
    programs = Program.objects.visible_to(request.user).filter(pk=program.pk)
    return {
        "title": _("Brief: %(name)s") % {"name": program.display_name},
        "subject": program,
        "sentences": [x for x in sentences if x],
        "charts": comparison_charts(s, before, period, earlier_period),
        "hospitals": hospital_table(request, programs),
    }


def comparison_charts(now, before, period, earlier_period):
    """Three charts of this period beside the earlier one, from the
    summaries `now` and `before` (a program's or a donor's): the twinned
    departments' surgeries by who led them, the surgeries by grade (a
    program's: at its recipient hospital), and the trainees by kind. The
    program brief's (the program page draws no series of its own), and
    the donor brief's for one year."""
    periods = [period, earlier_period] if before else [period]
    summaries = [now, before] if before else [now]
    roles = (charts.LOCAL, charts.OTHER)

    def grouped(chart_id, title, labels, values_of):
        return charts.chart(chart_id, "bar", title, [str(x) for x in labels], [
            charts.dataset(p.label(), values_of(s), role) for p, s, role in zip(periods, summaries, roles)
        ])

    leads = (("visiting", _("visiting expert")), ("joint", _("jointly")), ("local", _("local surgeon alone")))
    kinds = (("onsite_course", _("on-site course")), ("mentorship", _("mentorship")),
             ("further_study", _("further study")))
    return [
        grouped("chart-lead", _("Surgeries of the twinned departments, by who led them"),
                [label for _k, label in leads],
                lambda s: [s["twinned_department_surgeries"]["by_lead"][k] for k, _l in leads]),
        grouped("chart-grade", _("Surgeries at the recipient hospital, by grade"),
                [_("grade %(grade)s") % {"grade": g} for g in ("1", "2", "3", "4")],
                lambda s: [s["surgeries"]["by_grade"][g] for g in ("1", "2", "3", "4")]),
        grouped("chart-trainees", _("Trainees, by kind of training"), [label for _k, label in kinds],
                lambda s: [s["trainees"]["by_kind"][k] for k, _l in kinds]),
    ]


def hospital_table(request, programs):
    """The recipient hospitals of `programs` with their before/after
    indicators (dashboards/indicators.py: the 12 months before the first
    program against the latest 12): {"columns", "rows", "more"}, at most
    HOSPITALS_SHOWN rows, each linking to the hospital's page. 3 queries."""
    first = list(
        Program.objects.filter(
            recipient_hospital__in=programs.values("recipient_hospital")
        ).visible_to(request.user).order_by().values(
            "recipient_hospital", "recipient_hospital__code", "recipient_hospital__name",
            "recipient_hospital__name_zh",
        ).annotate(first=Min("start_date")).order_by("recipient_hospital__name")
    )
    shown = first[:HOSPITALS_SHOWN]
    windows = indicators.before_after_by_hospital(
        IndicatorValue.objects.visible_to(request.user), {h["recipient_hospital"]: h["first"] for h in shown}
    )
    labels = dict(IndicatorValue.Indicator.choices)
    rows = []
    for h in shown:
        found = windows[h["recipient_hospital"]]
        by_indicator = {r["indicator"]: r for r in found["rows"]}
        rows.append({
            "name": name_for_language(h["recipient_hospital__name"], h["recipient_hospital__name_zh"]),
            "code": h["recipient_hospital__code"],
            "url": reverse("dashboards:hospital", args=[h["recipient_hospital__code"]]),
            "before": found["before"],
            "after": found["after"],
            "cells": [by_indicator.get(code) for code in BRIEF_INDICATORS],
        })
    return {
        "columns": [labels[code] for code in BRIEF_INDICATORS],
        "rows": rows,
        "more": len(first) - len(shown),
    }
