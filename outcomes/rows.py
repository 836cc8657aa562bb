"""The surgery list's table rows, written in Python.

A page of the surgery list has 50 rows of ten cells; rendered through the
template's `{% block row %}` they were about a third of the page's CPU time
(variable lookups, a get_FOO_display() per choice cell that rebuilds its
choices dict, a reverse() per link). `surgery_rows` writes the same HTML as
that block did (templates/outcomes/surgery_list.html keeps it for reference
in tests/outcomes/test_surgery_rows.py, which compares both): every value
escaped and localized as `{{ value }}` would be, choice labels and links
looked up once per page.
"""

from django.urls import NoReverseMatch
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from aidtracker.lib.markup import iso_date as _date
from aidtracker.lib.markup import text as _text
from aidtracker.lib.urlpaths import path_for
from outcomes.models import Surgery


def _labels(field_name) -> dict:
    """{value: label} of a choice field in the active language (as
    get_FOO_display() returns them)."""
    return {value: str(label) for value, label in Surgery._meta.get_field(field_name).flatchoices}


def _detail_url(pk) -> str:
    try:
        return path_for("outcomes:surgery", pk)
    except NoReverseMatch:  # as {% optional_url %}
        return ""


def surgery_rows(rows) -> str:
    """The <tr>s of the surgery list for `rows` (surgeries with hospital,
    specialty and team selected)."""
    approach, lead, outcome = _labels("approach"), _labels("lead"), _labels("outcome")
    demonstration = ' <span class="tag">' + escape(gettext("demonstration")) + "</span>"
    first = ' <span class="tag tag--accent">' + escape(gettext("first in region")) + "</span>"
    hospitals, teams = {}, {}
    parts = []
    for row in rows:
        detail = _detail_url(row.pk)
        ref = _text(row.ref)
        if detail:
            ref = f'<a href="{_text(detail)}">{ref}</a>'
        hospital = hospitals.get(row.hospital_id)
        if hospital is None:
            h = row.hospital
            hospital = hospitals[row.hospital_id] = f'<a href="{_text(h.get_absolute_url())}">{_text(h)}</a>'
        team = ""
        if row.team_id is not None:
            team = teams.get(row.team_id)
            if team is None:
                t = row.team
                team = teams[row.team_id] = f'<a href="{_text(t.get_absolute_url())}">{_text(t)}</a>'
        procedure = _text(row.procedure)
        if row.demonstration:
            procedure += demonstration
        if row.first_in_region:
            procedure += first
        parts.append(
            "<tr>\n"
            f'\n<td class="ref">{ref}</td>'
            f'\n<td class="nowrap">{_text(_date(row.date))}</td>'
            f"\n<td>{hospital}</td>"
            f"\n<td>{_text(row.specialty)}</td>"
            f"\n<td>{procedure}</td>"
            f'\n<td class="num">{_text(row.grade)}</td>'
            f"\n<td>{_text(approach.get(row.approach, row.approach))}</td>"
            f"\n<td>{_text(lead.get(row.lead, row.lead))}</td>"
            f"\n<td>{team}</td>"
            f"\n<td>{_text(outcome.get(row.outcome, row.outcome))}</td>"
            "\n</tr>"
        )
    return mark_safe("".join(parts))
