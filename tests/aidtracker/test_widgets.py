import datetime as dt

import pytest

from aidtracker.lib.widgets import DateInput


@pytest.mark.parametrize("value, shown", [
    (dt.date(2024, 3, 5), "2024-03-05"),
    ("2024-03-05", "2024-03-05"),
    ("2024-13-45", None),  # a hand-edited address
    ("20240305", None),  # ISO 8601, but not what <input type="date"> takes
    ("yesterday", None),
    ("", ""),  # as Django writes it: no value attribute
    (None, None),
])
def test_date_input_writes_only_a_date_as_its_value(value, shown):
    assert DateInput().format_value(value) == shown


def test_date_input_with_a_bad_value_renders_without_one():
    html = DateInput().render("date_after", "2024-13-45")
    assert html == '<input type="date" name="date_after">'
