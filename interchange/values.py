"""Parsers of the interchange format's cell values (spec section 1).

Each parser takes a non-empty, trimmed cell and returns the value in the text
form the database accepts (so that a valid row can be streamed to PostgreSQL's
COPY or SQLite unchanged), or raises `Invalid` with what was expected.
"""

import re
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _


class Invalid(Exception):
    """A cell's value does not fit its column; the argument says what was expected."""


TRUE = {"yes": "1", "true": "1", "1": "1", "y": "1", "no": "0", "false": "0", "0": "0", "n": "0"}

# Valid dates seen so far, each mapped to itself (the text stored): most
# files repeat a few thousand dates, and a hit skips the calendar check.
DATES_SEEN: dict[str, str] = {}


def parse_date(value: str) -> str:
    """`YYYY-MM-DD`, a real calendar date."""
    hit = DATES_SEEN.get(value)
    if hit is not None:
        return hit
    if len(value) != 10 or value[4] != "-" or value[7] != "-" or not value[:4].isdigit():
        raise Invalid(_("a date written YYYY-MM-DD"))
    try:
        date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("a date written YYYY-MM-DD")) from None
    if len(DATES_SEEN) < 100_000:
        DATES_SEEN[value] = value
    return value


_PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


_WHOLE_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_month(value: str) -> str:
    """`YYYY-MM` (an indicator's `period`), stored as the month's first day."""
    if not _PERIOD.match(value):
        if _WHOLE_DATE.match(value):
            # Excel turns a typed 2024-03 into a date cell.
            raise Invalid(_(
                "a month written YYYY-MM, not a whole date (in a workbook, format the column as Text)"
            ))
        raise Invalid(_("a month written YYYY-MM"))
    return value + "-01"


def parse_bool(value: str) -> str:
    try:
        return TRUE[value.lower()]
    except KeyError:
        raise Invalid(_("yes or no (also true/false, 1/0, y/n; empty means no)")) from None


def integer_parser(minimum: int = 0, maximum: int = 2_147_483_647):
    def parse_integer(value: str) -> str:
        if not value.isascii() or not value.lstrip("-").isdigit():
            raise Invalid(_("a whole number without separators"))
        number = int(value)
        if number < minimum:
            raise Invalid(_("a whole number of at least %(min)d") % {"min": minimum})
        if number > maximum:
            raise Invalid(_("a whole number of at most %(max)d") % {"max": maximum})
        return str(number)

    return parse_integer


_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def decimal_parser(max_digits: int, places: int):
    whole_digits = max_digits - places

    def parse_decimal(value: str) -> str:
        if not _DECIMAL.match(value):
            raise Invalid(_("a number with '.' as decimal separator and no thousands separator"))
        number = Decimal(value)
        if number < 0:
            raise Invalid(_("a number that is not negative"))
        whole, _dot, fraction = value.partition(".")
        fraction = fraction.rstrip("0")
        if len(fraction) > places or len(whole.lstrip("0")) > whole_digits:
            raise Invalid(
                _("a number with at most %(whole)d digits before the point and %(places)d after")
                % {"whole": whole_digits, "places": places}
            )
        return value

    return parse_decimal
