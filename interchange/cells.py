"""How one cell of a bundle is read: checked against its column and turned
into the text the database stores (spec sections 1 and 3).

`converter(column, known)` gives one function per column of a file; the
reference sets (`KnownCodes`) are the codes of the database plus those of
the bundle's earlier files. `fast_row_function(...)` generates, for a file
whose rows need nothing beyond their cells' checks, one function that checks
and converts a whole row at once (FileImport uses it when it can).
"""

import re

from django.utils.translation import gettext as _

from aidtracker.lib.columns import QUOTE, unquote
from deployments.models import KEY_MESSAGE, TEAM_BATCH_POSITIVE_MESSAGE, Program, Team
from hospitals.models import HOSPITAL_CODE_MESSAGE, REGION_CODE_MESSAGE, Hospital, Region, Specialty
from outcomes.models import FUTURE_DATE_MESSAGE, NOT_NEGATIVE_MESSAGE, SURGERY_GRADE_MESSAGE
from outcomes.models.common import event_date_limit

from .values import (
    DATES_SEEN,
    TRUE,
    Invalid,
    decimal_parser,
    integer_parser,
    parse_bool,
    parse_date,
    parse_month,
)

KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
HOSPITAL_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
REGION_RE = re.compile(r"^[0-9]{6}$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")

PATTERNS = {  # column kind -> (pattern, what was expected)
    "key": (KEY_RE, KEY_MESSAGE),
    "hospital_code": (HOSPITAL_RE, HOSPITAL_CODE_MESSAGE),
    "region_code": (REGION_RE, REGION_CODE_MESSAGE),
    "parent": (REGION_RE, REGION_CODE_MESSAGE),
}


class KnownCodes:
    """Codes that rows may refer to: the database's plus the bundle's so far
    (each file's handler adds the codes of its rows as it reads them)."""

    def __init__(self):
        self.regions = {code: (level, name) for code, level, name in Region.objects.values_list("code", "level", "name")}
        self.hospitals = set(Hospital.objects.values_list("code", flat=True))
        self.programs = set(Program.objects.values_list("code", flat=True))
        self.teams = set(Team.objects.values_list("code", flat=True))
        self.specialties = set(Specialty.objects.values_list("code", flat=True))

    def set_for(self, target):
        return {
            "region": self.regions,
            "hospital": self.hospitals,
            "program": self.programs,
            "team": self.teams,
            "specialty": self.specialties,
        }[target]


REF_EXPECTED = {
    "region": lambda: _("the code of a region in regions.csv or in the database"),
    "hospital": lambda: _("the code of a hospital in hospitals.csv or in the database"),
    "program": lambda: _("the code of a program in programs.csv or in the database"),
    "team": lambda: _("the code of a team in teams.csv or in the database"),
    "specialty": lambda: _("a specialty code of the spec's list (e.g. general_surgery)"),
}


def nul_message():
    """What a text cell holding a NUL character should be instead. No
    database stores NUL in text (PostgreSQL refuses the row); the other
    kinds of column refuse it anyway, as no code or number holds one."""
    return _("text without NUL characters (code 0, shown as \\x00); the file may be damaged")


def copy_escape(text):
    """`text` as a value of PostgreSQL's COPY text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def converter(column, known):
    """A function cell -> stored text, raising values.Invalid with what was expected."""
    conv = _converter(column, known)
    if not column.not_after_today:
        return conv
    today = event_date_limit().isoformat()
    message = FUTURE_DATE_MESSAGE % {"today": today}

    def not_after_today(v):
        # Both are ISO text (a month is stored as its first day): text order is date order.
        value = conv(v)
        if value > today:
            raise Invalid(message)
        return value

    not_after_today.today = today
    return not_after_today


def _converter(column, known):
    kind = column.kind
    if kind == "text":
        limit = column.max_length
        required = column.required
        missing = _("a value (this column is required)")

        def conv(v):
            if v[0] == QUOTE:  # written so that no spreadsheet takes it for a formula
                v = v[1:]
                if not v:
                    if required:
                        raise Invalid(missing)
                    return column.default
            if len(v) > limit:
                raise Invalid(
                    _("at most %(limit)d characters (it has %(n)d)") % {"limit": limit, "n": len(v)}
                )
            if "\x00" in v:
                raise Invalid(nul_message())
            return v

        return conv
    if kind in ("key", "hospital_code", "region_code", "parent"):
        pattern, message = PATTERNS[kind]
        match = pattern.match
        message = str(message)

        def conv(v):
            if match(v) is None:
                raise Invalid(message)
            return v

        return conv
    if kind == "choice":
        allowed = frozenset(column.choices)
        message = _("one of: %(values)s") % {"values": ", ".join(c for c in column.choices if c)}

        def conv(v):
            if v in allowed:
                return v
            raise Invalid(message)

        return conv
    if kind.startswith("ref:"):
        target = kind[4:]
        known_codes = known.set_for(target)
        message = str(REF_EXPECTED[target]())

        def conv(v):
            if v in known_codes:
                return v
            raise Invalid(message)

        return conv
    if kind == "grade":
        grades = {"1", "2", "3", "4"}
        message = str(SURGERY_GRADE_MESSAGE)

        def conv(v):
            if v in grades:
                return v
            raise Invalid(message)

        return conv
    if kind == "int":
        parse = integer_parser(minimum=-(2**31), maximum=column.maximum)
        if column.minimum >= 1:
            message = str(TEAM_BATCH_POSITIVE_MESSAGE)

            def conv(v):
                try:
                    number = parse(v)
                except Invalid:
                    raise Invalid(message) from None
                if int(number) < column.minimum:
                    raise Invalid(message)
                return number

            return conv
        negative = str(NOT_NEGATIVE_MESSAGE)

        def conv(v):
            number = parse(v)
            if number[0] == "-":
                raise Invalid(negative)
            return number

        return conv
    if kind == "decimal":
        parse = decimal_parser(*column.digits)
        negative = str(NOT_NEGATIVE_MESSAGE)

        def conv(v):
            if v[:1] == "-" and v[1:2].isdigit():
                raise Invalid(negative)
            return parse(v)

        return conv
    if kind == "date":
        return parse_date
    if kind == "period":
        return parse_month
    if kind == "bool":
        return parse_bool
    if kind == "end":
        return unquote
    raise ValueError(kind)


def fast_row_function(spec, plan, defaults, known, *, postgres):
    """A function (row, line) -> the staged form of a valid row of `spec`'s
    file, or None when the row has any problem (or when unsure): that row
    then takes FileImport's general path, which reports every problem it
    has; None instead of a function when a default cannot be written.

    `plan` lists the file's columns as FileImport.run reads them: (index in
    spec.columns, position in the row, converter, required, name). The
    function is generated for the file's columns, one step per column
    without a loop, a call or a try per cell: the per-cell machinery was a
    large share of the Python time of reading and checking a big file
    (docs/performance-history.md, "Figures behind comments")."""
    env = {"Invalid": Invalid, "escape": copy_escape}
    body = []
    for j, pos, conv, required, _cname in plan:
        column = spec.columns[j]
        kind = column.kind
        v = f"c{j}"
        body.append(f"    {v} = row[{pos}].strip()")
        body.append(f"    if {v}:")
        if kind == "text":
            body.append(
                f"        if len({v}) > {column.max_length} or '\\x00' in {v} or {v}[0] == \"'\": return None"
            )
            if postgres and column.db:
                body.append(
                    f"        if '\\\\' in {v} or '\\t' in {v} or '\\n' in {v} or '\\r' in {v}: "
                    f"{v} = escape({v})"
                )
        elif kind in ("choice", "grade") or kind.startswith("ref:"):
            codes = frozenset(column.choices) if kind == "choice" else (
                frozenset(("1", "2", "3", "4")) if kind == "grade" else known.set_for(kind[4:])
            )
            env[f"k{j}"] = codes  # a reference set is the live one: codes of earlier files count
            body.append(f"        if {v} not in k{j}: return None")
        elif kind in PATTERNS:
            env[f"m{j}"] = PATTERNS[kind][0].match
            body.append(f"        if m{j}({v}) is None: return None")
        elif kind == "bool":
            env[f"b{j}"] = TRUE
            body.append(f"        {v} = b{j}.get({v}.lower())")
            body.append(f"        if {v} is None: return None")
        elif kind == "date":
            env[f"d{j}"] = DATES_SEEN
            env[f"f{j}"] = conv  # raises Invalid, caught below
            body.append(f"        if {v} not in d{j}: {v} = f{j}({v})")
            if column.not_after_today:
                env[f"t{j}"] = conv.today
                body.append(f"        if {v} > t{j}: return None")  # the general path says why
        elif kind == "int" and column.minimum < 1:
            # Digits without a leading zero, fewer than the maximum has,
            # are already the stored text; anything else goes through
            # the parser (which raises Invalid or gives the stored text).
            env[f"f{j}"] = conv
            body.append(
                f"        if not ({v}.isdigit() and {v}.isascii() and len({v}) < {len(str(column.maximum))} "
                f"and ({v}[0] != '0' or {v} == '0')): {v} = f{j}({v})"
            )
        else:
            env[f"f{j}"] = conv  # raises Invalid, caught below
            body.append(f"        {v} = f{j}({v})")
        if required:
            body.append("    else: return None")
        else:
            default = defaults[j]
            if default is not None and not isinstance(default, str):
                return None
            if postgres:
                default = "\\N" if default is None else copy_escape(default)
            body.append(f"    else: {v} = {default!r}")
    present = {j for j, *_rest in plan}
    out = []
    for j, column in enumerate(spec.columns):
        if not column.db:
            continue
        if j in present:
            out.append(f"c{j}")
        else:  # a column the file lacks: its default
            default = defaults[j]
            if default is not None and not isinstance(default, str):
                return None
            if postgres:
                out.append(repr("\\N" if default is None else copy_escape(default)))
            else:
                out.append(repr(default))
    if postgres:
        result = "'\\t'.join((" + ", ".join(out) + ", str(line))) + '\\n'"
    else:
        result = "[" + ", ".join(out) + ", line]"
    source = (
        "def fast(row, line):\n    try:\n"
        # A header naming no column of the file leaves nothing to check.
        + ("\n".join("    " + text for text in body) or "        pass")
        + "\n    except Invalid:\n        return None\n"
        + f"    return {result}\n"
    )
    exec(compile(source, f"<fast rows of {spec.name}>", "exec"), env)
    return env["fast"]

