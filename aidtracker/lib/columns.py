"""Records written as text: the columns of a file, and one way to write a value.

The interchange format (spec section 2) fixes the columns of each kind of
record. The bundle export (interchange/exporter.py) and the record lists'
CSV downloads (records/lists.py) write them, the importer reads them
(interchange/specs.py). Each app declares the files of its own models once,
in its `columns.py` (hospitals/columns.py, deployments/columns.py,
outcomes/columns.py), with the two types here: a `Column` names its header,
where its value comes from (a field path that values_list() accepts, or an
expression) and how the value is written; `Columns` is one file's columns in
order. `cell()` writes every value of every such file, so a stored value
reads the same in a list's download as in an exported bundle, and an
exported bundle imported again exports to the same bytes.

Text is written so that no spreadsheet takes it for a formula (OWASP, "CSV
injection"): text beginning with =, +, -, @, a tab or a carriage return
gets an apostrophe before it, as does text that begins with an apostrophe
itself; the importer removes one leading apostrophe of a text cell
(interchange/cells.py), so export -> import -> export gives the same bytes.
Numbers, dates, months and booleans are written as they are (-5 stays -5).
"""

import itertools
from dataclasses import dataclass
from decimal import Decimal

from aidtracker.lib.downloads import csv_lines

# How a value is written (section 1 of the spec).
TEXT = "text"
NUMBER = "number"  # integers and decimals: '.', no thousands separator, no trailing zeros
DATE = "date"  # YYYY-MM-DD
MONTH = "month"  # YYYY-MM (a date field that holds the month's first day)
BOOL = "bool"  # yes / no


def _number(value) -> str:
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    # A stored 12.0 (a column with decimal places) is written 12, as it was
    # most likely typed; normalize() alone would write 1200 as 1.2E+3.
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


# What a text cell must not begin with: a formula's first character to a
# spreadsheet (OWASP's list), or the apostrophe that marks such a cell.
QUOTED_STARTS = frozenset("=+-@\t\r'")
QUOTE = "'"


def _text(value) -> str:
    text = str(value)
    if text[:1] in QUOTED_STARTS:
        return QUOTE + text
    return text


def unquote(text: str) -> str:
    """A text cell as it was before `cell()` wrote it: one leading apostrophe
    removed. (The importer does this, interchange/cells.py.)"""
    return text[1:] if text[:1] == QUOTE else text


_WRITERS = {
    TEXT: _text,
    NUMBER: _number,
    DATE: lambda value: value.isoformat(),
    MONTH: lambda value: value.isoformat()[:7],
    BOOL: lambda value: "yes" if value else "no",
}


def cell(value, kind: str = TEXT) -> str:
    """`value` (as the ORM gives it) written as a cell of a `kind` column;
    empty when there is none ("not given")."""
    if value is None:
        return ""
    return _WRITERS[kind](value)


@dataclass(frozen=True)
class Column:
    """One column of a file: its header, where its value comes from (a field
    path that values_list() accepts, or an expression), how it is written."""

    name: str
    source: object
    kind: str = TEXT

    def __post_init__(self):
        if self.kind not in _WRITERS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")

    @property
    def field_path(self) -> str | None:
        """The source when it is a field of the model itself (no relation
        crossed, no expression), else None."""
        if isinstance(self.source, str) and "__" not in self.source:
            return self.source
        return None


class Columns:
    """The columns of one file, in order."""

    def __init__(self, *columns: Column):
        self.columns = columns
        self.names = tuple(column.name for column in columns)
        self._sources = [column.source for column in columns]
        self._writers = [_WRITERS[column.kind] for column in columns]

    def __iter__(self):
        return iter(self.columns)

    def __len__(self):
        return len(self.columns)

    def row(self, values) -> list[str]:
        """One row's values (in the columns' order) as cells."""
        return [
            "" if value is None else write(value) for write, value in zip(self._writers, values)
        ]

    def rows(self, queryset, chunk_size=2000):
        """The rows of `queryset` as lists of cells, read `chunk_size` at a
        time (a server-side cursor on PostgreSQL: memory stays flat)."""
        row = self.row
        for values in queryset.values_list(*self._sources).iterator(chunk_size=chunk_size):
            yield row(values)

    def csv_lines(self, queryset, chunk_size=2000):
        """The header, then the rows of `queryset`, each as one line of CSV
        text (RFC 4180 quoting, CRLF line ends), the header preceded by a
        byte-order mark (aidtracker.lib.downloads: Excel reads Chinese)."""
        yield from csv_lines(itertools.chain([self.names], self.rows(queryset, chunk_size)))
