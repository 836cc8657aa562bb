"""Parts of the region dashboard written in Python: the figure cards and
the rows of the twinnings table.

Through the template they were a good part of the page's CPU time (a few
hundred variable lookups, an intcomma per figure, three reverse() per
twinning). These functions write the same HTML as the template code they
replace (kept in tests/dashboards/test_region_html.py, which compares both
in English and Chinese): every value escaped and localized as `{{ value }}`
would be.
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from aidtracker.lib.markup import iso_date as _date
from aidtracker.lib.markup import text as _text


def _figure(value) -> str:
    """{{ value|intcomma }}."""
    return _text(intcomma(value))


def _linked(value, url) -> str:
    if url:
        return f'<a href="{_text(url)}">{_figure(value)}</a>'
    return _figure(value)


def region_cards(cards) -> str:
    """The <li>s of the cards (region_cards() in dashboards/views.py)."""
    out = []
    for n, card in enumerate(cards, 1):
        out.append(
            f'\n  <li class="card{" card--accent" if n == 7 else ""}">'
            f'\n    <p class="card__label">{_text(card["label"])}</p>'
            f'\n    <p class="card__value" data-figure="{n}">{_linked(card["value"], card["url"])}</p>'
            "\n    "
        )
        if card["note"]:
            out.append(f'<p class="card__note">{_text(card["note"])}</p>')
        out.append("\n    ")
        if card["parts"]:
            parts = "".join(
                f"<li><span>{_text(part['label'])}</span> {_linked(part['value'], part['url'])}</li>"
                for part in card["parts"]
            )
            out.append(f'\n    <ul class="card__parts">\n      {parts}\n    </ul>\n    ')
        out.append("\n  </li>\n")
    return mark_safe("".join(out))


def twinning_rows(twinnings) -> str:
    """The <tr>s of the twinnings table (twinnings with program's recipient
    hospital, donor hospital and specialty selected)."""
    ongoing = gettext("ongoing")  # {{ ...|default:_("ongoing") }}: a safe literal
    links = {}

    def link(obj):
        key = (type(obj), obj.pk)
        if key not in links:
            links[key] = f'<a href="{_text(obj.get_absolute_url())}">{_text(str(obj))}</a>'
        return links[key]

    out = []
    for t in twinnings:
        program = t.program
        end = _text(_date(t.end_date)) or ongoing
        out.append(
            "\n    <tr>"
            f"\n      <td>{link(t.donor_hospital)}</td>"
            '\n      <td aria-hidden="true" class="arrow">→</td>'
            f"\n      <td>{link(program.recipient_hospital)} · {_text(str(t.specialty))}</td>"
            f'\n      <td><a href="{_text(program.get_absolute_url())}">{_text(program.code)}</a></td>'
            f'\n      <td class="nowrap">{_text(_date(t.start_date))}</td>'
            f'\n      <td class="nowrap">{end}</td>'
            "\n    </tr>\n    "
        )
    return mark_safe("".join(out))


def chart_figure(chart) -> str:
    """What {% include "includes/chart.html" %} writes for `chart` (a spec of
    dashboards/charts.py): the figure, its JSON and its data table."""
    from aidtracker.lib.templatetags.aidtracker_tags import table_rows

    chart_id = _text(str(chart["id"]))
    title = _text(chart["title"])
    spec_id = str(chart["id"]) + "-data"
    # {% translate '...' %} of a template literal is not escaped (a safe string).
    out = [
        "\n\n",
        f'<figure class="chart" aria-labelledby="{chart_id}-title">\n',
        f'  <figcaption class="chart__title" id="{chart_id}-title">{title}</figcaption>\n',
        f'  <div class="chart__canvas{" chart__canvas--small" if chart.get("small") else ""}">\n',
        f'    <canvas id="{chart_id}" data-chart="{_text(spec_id)}" role="img" aria-label="{title}. '
        f'{gettext("The numbers are in the table that follows.")}"></canvas>\n',
        f'    <p class="chart__nojs">{gettext("Charts need JavaScript; the numbers are in the table.")}</p>\n',
        "  </div>\n",
        f"  {json_script(chart['spec'], spec_id)}\n",
        "  ",
    ]
    table = chart.get("table")
    if table:
        num = ' class="num"'
        headers = "".join(
            f'<th scope="col"{"" if i == 0 else num}>{_text(h)}</th>' for i, h in enumerate(table["headers"])
        )
        out.append(
            "\n  <details class=\"chart__data\">\n"
            f"    <summary>{gettext('Show the numbers')}</summary>\n"
            f'    <div class="table-wrap" role="region" tabindex="0" aria-labelledby="{chart_id}-title">\n'
            '    <table class="data data--compact">\n'
            f"      <caption>{title}</caption>\n"
            f"      <thead><tr>{headers}</tr></thead>\n"
            "      <tbody>\n"
            f"      {table_rows(table['rows'])}\n"
            "      </tbody>\n"
            "    </table>\n"
            "    </div>\n"
            "  </details>\n"
            "  "
        )
    out.append("\n</figure>\n\n")
    return mark_safe("".join(out))
