"""aidtracker/lib/columns.py: one way to write a value in a file of records."""

import datetime as dt
from decimal import Decimal

import pytest

from aidtracker.lib.columns import BOOL, DATE, MONTH, NUMBER, TEXT, Column, Columns, cell


@pytest.mark.parametrize("value, kind, text", [
    (None, NUMBER, ""),
    (None, DATE, ""),
    (None, BOOL, ""),
    (None, TEXT, ""),
    (Decimal("12.0"), NUMBER, "12"),
    (Decimal("12.50"), NUMBER, "12.5"),
    (Decimal("1200.00"), NUMBER, "1200"),  # not 1.2E+3
    (Decimal("0.0"), NUMBER, "0"),
    (Decimal("0.05"), NUMBER, "0.05"),
    (Decimal("999999999999.99"), NUMBER, "999999999999.99"),
    (12, NUMBER, "12"),
    (0, NUMBER, "0"),
    (dt.date(2024, 3, 1), DATE, "2024-03-01"),
    (dt.date(2024, 3, 1), MONTH, "2024-03"),
    (True, BOOL, "yes"),
    (False, BOOL, "no"),
    ("Pancreaticoduodenectomy, \"Whipple\"", TEXT, "Pancreaticoduodenectomy, \"Whipple\""),
])
def test_a_value_is_written_the_interchange_formats_way(value, kind, text):
    assert cell(value, kind) == text


def test_a_row_is_written_cell_by_cell_as_cell_writes_them():
    columns = Columns(
        Column("ref", "ref"), Column("date", "date", DATE), Column("hours", "hours", NUMBER),
        Column("done", "done", BOOL), Column("skill", "skill"),
    )
    assert columns.names == ("ref", "date", "hours", "done", "skill")
    assert columns.row(["T-1", dt.date(2024, 1, 2), Decimal("8.0"), True, None]) == [
        "T-1", "2024-01-02", "8", "yes", "",
    ]


def test_a_column_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="hours: unknown kind 'decimal'"):
        Column("hours", "hours", "decimal")


def test_field_path_is_the_models_own_field_only():
    assert Column("hospital_code", "hospital_id").field_path == "hospital_id"
    assert Column("person_name", "person__name").field_path is None
