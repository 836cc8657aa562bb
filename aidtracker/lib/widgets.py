"""Form widgets shared by the record forms and the filter forms."""

import datetime as dt
import re

from django import forms

_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


class DateInput(forms.DateInput):
    """<input type="date"> with its value as YYYY-MM-DD, the only form the
    element takes.

    A value that is not a date (a hand-edited address, ?date_after=2024-13-45)
    is left out of the HTML: the browser would drop it anyway (the element's
    value sanitization), and a `value` that is not a date is invalid HTML.
    The field's error says what is wrong with it.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        value = super().format_value(value)
        if isinstance(value, str) and value:
            try:
                if not _ISO_DATE.fullmatch(value):
                    raise ValueError(value)
                dt.date.fromisoformat(value)
            except ValueError:
                return None
        return value
