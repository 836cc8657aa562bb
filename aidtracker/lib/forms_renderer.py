"""Django's form renderer, with <select> widgets written in Python.

Django renders every <option> of a select through a template include; the
filter forms of the dashboards and lists hold hundreds of options (regions,
hospitals, programs, teams), so rendering them was a large part of the CPU
time of an uncached page (about a quarter of it for the region dashboard and
the surgery list). `FastSelectRenderer` writes the same HTML, byte for byte,
as Django's `django/forms/widgets/select.html` and `select_option.html`
(tests/aidtracker/test_forms_renderer.py compares both on every filter form
of the project); any other template, or an option with its own template,
goes through Django's templates as before.
"""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out,
    # True writes its name alone; values are written with %s and escaped.
    if not attrs:
        return ""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(" " + conditional_escape(str(name)))
        if value is not True:
            out.append('="' + escape("%s" % (value,)) + '"')
    return "".join(out)


def _option(option) -> str:
    # html.escape() is what escape() and conditional_escape() of a plain str
    # return, without their lazy-string wrappers (a select has hundreds of options).
    label = option["label"]
    label = label if isinstance(label, SafeData) else html.escape(str(label))
    return (
        '<option value="' + html.escape("%s" % (option["value"],)) + '"' + _attrs(option["attrs"]) + ">"
        + label + "</option>\n"
    )


def render_select(widget) -> str | None:
    """The select's HTML as Django's templates write it, or None when an
    option has a template of its own."""
    parts = ['<select name="', conditional_escape(str(widget["name"])), '"', _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append('\n  <optgroup label="' + conditional_escape(str(group_name)) + '">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()


class FastSelectRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = render_select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
