"""Remote support of a program: consultations per month by requesting
department, instead of on-site coverage.

A remote-support program sends no team to stay; it is judged by the
consultations its donor gives the recipient hospital
(ConsultationQuerySet.of_program says which). A department is a specialty:
a twinned one, or one that requested a consultation. A department with no
consultation in the last REMOTE_GAP_DAYS days (or none ever) is a gap of
remote support. One query, whatever the number of consultations."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from aidtracker.lib.periods import month_end, months_between
from aidtracker.lib.templatetags.bilingual import name_for_language
from dashboards import charts
from dashboards.links import list_url

#: Days without a consultation after which a department is a gap of remote support.
REMOTE_GAP_DAYS = 90

ROLES = [charts.VISITING, charts.JOINT, charts.LOCAL, charts.EXPERTS, charts.ONSITE,
         charts.MENTOR, charts.FURTHER, charts.FIRST, charts.OTHER]


def is_remote(program) -> bool:
    """Whether `program` is judged by consultations rather than on-site coverage."""
    return program.is_remote_support


@dataclass
class RemoteDepartment:
    specialty_id: str
    name: str
    count: int = 0
    last: dt.date | None = None
    days_since: int | None = None
    gap: bool = True


def remote_support(program, consultations, twinnings, today):
    """The table, chart and departments of `program`'s remote support;
    `consultations` is a visible Consultation queryset, `twinnings` the
    program's (their specialties are departments even without a
    consultation)."""
    rows = list(
        consultations.of_program(program)
        .annotate(month=TruncMonth("date"))
        .values("month", "specialty_id", "specialty__name", "specialty__name_zh")
        .annotate(n=Count("pk"), last=Max("date"))
        .order_by("month", "specialty_id")
    )
    departments = {}
    for t in twinnings:
        departments.setdefault(t.specialty_id, RemoteDepartment(t.specialty_id, str(t.specialty)))
    cells = {}
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
        dept = departments.setdefault(
            r["specialty_id"],
            RemoteDepartment(r["specialty_id"], name_for_language(r["specialty__name"], r["specialty__name_zh"])),
        )
        dept.count += r["n"]
        dept.last = max(filter(None, [dept.last, r["last"]]))
        cells[(month, r["specialty_id"])] = r["n"]
    for dept in departments.values():
        if dept.last:
            dept.days_since = (today - dept.last).days
            dept.gap = dept.days_since > REMOTE_GAP_DAYS
    depts = sorted(departments.values(), key=lambda d: d.name)
    months = list(months_between(min(m for m, _s in cells), max(m for m, _s in cells))) if cells else []
    table = []
    for month in months:
        table.append({
            "month": month,
            "cells": [
                {
                    "n": cells.get((month, d.specialty_id), 0),
                    "url": list_url("outcomes:consultation_list", {
                        "program": program.code, "specialty": d.specialty_id,
                        "date_after": month.isoformat(), "date_before": month_end(month).isoformat(),
                    }),
                }
                for d in depts
            ],
            "total": sum(cells.get((month, d.specialty_id), 0) for d in depts),
        })
    chart = None
    if months:
        labels = [m.strftime("%Y-%m") for m in months]
        chart = charts.chart(
            "remote-consultations", "bar", _("Consultations per month by requesting department"), labels,
            [
                charts.dataset(d.name, [cells.get((m, d.specialty_id), 0) for m in months],
                               ROLES[i % len(ROLES)], stack="consultations")
                for i, d in enumerate(depts)
            ],
            stacked=True,
            # The numbers are in the page's own table, whose cells link to the lists.
        )
    return {
        "departments": depts,
        "months": table,
        # Printed in place of the months.
        "years": charts.yearly_table(
            {"headers": [_("Month"), *[d.name for d in depts], _("Total")],
             "rows": [[row["month"].strftime("%Y-%m"), *[c["n"] for c in row["cells"]], row["total"]]
                      for row in table]},
            [charts.SUM] * (len(depts) + 1),
        ) if table else None,
        "chart": chart,
        "total": sum(d.count for d in depts),
        "gap_days": REMOTE_GAP_DAYS,
        "list_url": list_url("outcomes:consultation_list", {"program": program.code}),
    }
