"""`/`: a coordinator's home, the worklist of their programs; every other
role keeps the overview (dashboards/views.py).

For the coordinator's programs (accounts.scope: get_scope(user).programs):
who is on site today and until when, the coverage gaps ahead, the
departments uncovered today and since when, the teams starting and ending
within SOON_DAYS days, when each record kind was last logged, the months a
team was on site with nothing logged (the definitions: figures/worklist.py),
and links to the forms that log what is missing.

Cached like the overview (aidtracker/lib/cache.py cached_page): the page's
key holds the user, their scope, the language, today's date and the data
version, so a coordinator sees their new rows at once and tomorrow's page is
computed tomorrow. A fixed number of queries, whatever the data.
"""

import datetime as dt

from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scope import get_scope
from aidtracker.lib.cache import cached_page
from dashboards import views
from deployments.models import Program, Rotation, Team
from figures.worklist import (
    HORIZON_DAYS,
    SILENT_MONTHS,
    coverage_gaps_ahead,
    last_logged,
    silent_months,
    uncovered_today,
)

SOON_DAYS = 30

#: The form that logs each record kind of figures.worklist.LOGGED_KINDS
#: (the monthly indicators: one form per recipient hospital, below).
CREATE_URLS = {
    "deployments.rotation": "deployments:rotation_create",
    "outcomes.surgery": "outcomes:surgery_create",
    "outcomes.training": "outcomes:training_create",
    "outcomes.technique": "outcomes:technique_create",
    "outcomes.referral": "outcomes:referral_create",
    "outcomes.consultation": "outcomes:consultation_create",
}


def home(request):
    """The coordinator's worklist, or the overview for every other role."""
    if get_scope(request.user).role == Role.COORDINATOR:
        return coordinator_home(request)
    return views.overview(request)


@cached_page
def coordinator_home(request):
    today = timezone.localdate()
    codes = sorted(get_scope(request.user).programs)
    programs = list(Program.objects.filter(code__in=codes).select_related("recipient_hospital").order_by("code"))
    if not programs:
        return render(request, "dashboards/home.html", {"programs": [], "today": today})
    soon = today + dt.timedelta(days=SOON_DAYS)
    on_site = list(
        Rotation.objects.filter(team__program__in=codes, start_date__lte=today, end_date__gte=today)
        .select_related("person", "team", "specialty")
        .order_by("end_date", "person__name")
    )
    teams = list(
        Team.objects.filter(program__in=codes)
        .filter(Q(start_date__gt=today, start_date__lte=soon) | Q(end_date__gte=today, end_date__lte=soon))
        .order_by("start_date", "code")
    )
    last_full_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    logged = last_logged(programs, today)
    for kind in logged:
        if kind.kind in CREATE_URLS:
            kind.links = [(_("Log one"), reverse(CREATE_URLS[kind.kind]))]
        else:  # the monthly indicators, per recipient hospital
            kind.links = [
                (hospital.display_name,
                 reverse("outcomes:indicator_month", args=[hospital.code]) + f"?month={last_full_month:%Y-%m}")
                for hospital in {p.recipient_hospital_id: p.recipient_hospital for p in programs}.values()
            ]
    return render(request, "dashboards/home.html", {
        "today": today,
        "programs": programs,
        "on_site": on_site,
        # A lapse under way is listed once, under "uncovered today" (with since when).
        "gaps": [gap for gap in coverage_gaps_ahead(programs, today) if gap.day > today],
        "uncovered": uncovered_today(programs, today),
        "starting": [t for t in teams if t.start_date > today],
        "ending": [t for t in teams if today <= t.end_date <= soon],
        "logged": logged,
        "silent": silent_months(programs, today),
        "surgery_url": reverse("outcomes:surgery_create"),
        "training_url": reverse("outcomes:training_create"),
        "template_url": reverse("interchange:template"),
        "horizon_days": HORIZON_DAYS,
        "silent_months": SILENT_MONTHS,
        "soon_days": SOON_DAYS,
    })
