"""reverse() for the pages' many links, without its cost per link.

A dashboard or list page links every row to its hospital, program, team or
record page: a hundred reverse() calls or more per page, each walking the
URL resolver's candidates and quoting the result (about 25 µs apiece,
several per cent of an uncached page's CPU time). `path_for(name, arg)`
reverses each URL name once, with a marker as its one argument, and then
puts each argument in the marker's place: the same string as
`reverse(name, args=[arg])` for arguments made of letters, digits, `_`,
`.` and `-` (which reverse() neither rejects nor quotes under the
project's `str` and `int` converters); any other argument goes through
reverse() itself. `path(name)` is reverse(name) remembered alike.

Remembered per URL conf, script prefix and name, so a test that swaps the
URL conf or a deployment under a sub-path gets its own paths.
"""

import re

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_MARKER = "8675309012345"  # digits: every converter of the project accepts it
_PLAIN = re.compile(r"[A-Za-z0-9_.\-]+\Z")
_templates: dict = {}


def _key(name):
    return (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name)


def path(name: str) -> str:
    """reverse(name), remembered."""
    key = _key(name)
    try:
        return _templates[key]
    except KeyError:
        pass
    result = _templates[key] = reverse(name)
    return result


def path_for(name: str, arg) -> str:
    """reverse(name, args=[arg]), with the URL reversed once per name."""
    kind = type(arg)
    if kind is not str and kind is not int:
        return reverse(name, args=[arg])
    text = str(arg)
    key = _key((name, 1))
    template = _templates.get(key)
    if template is None:
        template = _templates[key] = _template(name)
    if template is None or not _PLAIN.match(text) or (template[2] and not text.isdigit()):
        return reverse(name, args=[arg])
    return template[0] + text + template[1]


def _template(name):
    """(before, after, digits only) around the argument of `name`'s URL, or
    None when the marker does not come out once."""
    marked = reverse(name, args=[_MARKER])
    if marked.count(_MARKER) != 1:
        return None
    before, after = marked.split(_MARKER)
    try:
        # An <int:...> converter refuses letters: then such an argument is
        # left to reverse(), which refuses it as before.
        reverse(name, args=["x"])
        digits_only = False
    except NoReverseMatch:
        digits_only = True
    return before, after, digits_only


def _clear(**kwargs):
    if kwargs.get("setting") in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _templates.clear()


setting_changed.connect(_clear)
