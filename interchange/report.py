"""What an import found and did: every error with its place, and the counts.

The spec (section 4) asks for every error, not only the first, each naming
the file, the line (header = line 1), the column, the value and what was
expected; and for the rows created, updated and left unchanged per file.

Every error is counted; what is kept of them is bounded, whatever the file,
because the report is stored (ImportBatch.errors) and shown whole on the
batch's page and in the admin: the first ERRORS_PER_FILE of each file and
ERROR_CAP in all, each value, column and message shortened (a value can be
a cell of 32,767 characters, and one long shared string of a workbook
repeated in a thousand cells made 123 MB of JSON from a 267 KB upload).
For each file with more errors than are kept the report ends that file's
errors with one saying how many more there are.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ERROR_CAP = 1000  # errors kept for the report in all; all are counted
ERRORS_PER_FILE = 100  # errors kept of one file
VALUE_CHARS = 100  # of a value kept, and of a column's name
MESSAGE_CHARS = 400  # of a message (some quote a value of another row)
FILE_CHARS = 200  # of a file's name (a path in a zip)

# Control characters (NUL above all, which neither PostgreSQL's text nor its
# jsonb can hold) are kept as visible escapes: a value holding one can be
# stored, shown and searched for in the file.
_VISIBLE = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F] if chr(c) not in "\t\n\r"}


def visible(text) -> str:
    """`text` with its control characters written as escapes (\\x00)."""
    return str(text).translate(_VISIBLE)


def shortened(text, limit) -> str:
    """`text` (visible) cut to `limit` characters, saying how long it was."""
    text = str(text)
    if len(text) <= limit:
        return visible(text)
    return visible(text[:limit]) + "…" + _(" (%(n)s characters)") % {"n": f"{len(text):,}"}


@dataclass
class ImportProblem:
    """One thing wrong with the bundle, and where: a cell, a row, a header or
    a whole file (`line` None, `column` and `value` empty when they do not apply)."""

    file: str
    line: int | None
    column: str
    value: str
    message: str
    more: int = 0  # not an error: the errors of this file not kept, this many
    warning: bool = False  # a quality warning: listed, but it does not stop the import

    def as_dict(self):
        found = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }
        if self.more:
            found["more"] = self.more
        if self.warning:
            found["warning"] = True
        return found

    def __str__(self):
        where = self.file + (f":{self.line}" if self.line else "")
        column = f" [{self.column}]" if self.column else ""
        value = f" '{self.value}':" if self.value else ""
        return f"{where}{column}{value} {self.message}"


@dataclass
class Report:
    """What an import found and did."""

    dry_run: bool = False
    unusable: str = ""
    errors: list = field(default_factory=list)
    error_count: int = 0
    counts: dict = field(default_factory=dict)  # label -> {created, updated, unchanged}
    rows: int = 0
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)  # phase -> seconds, for the benchmark
    cancelled: bool = False  # the import was cancelled before its commit (nothing written)
    per_file: Counter = field(default_factory=Counter)  # file -> errors found
    # In a dry run: label -> the rows it would update, old -> new (interchange/changes.py).
    changes: dict = field(default_factory=dict)
    # Quality warnings (spec-compatible rows that look wrong: a surgery when
    # its team was not in the field, ...): listed, kept as errors are (the
    # first ERRORS_PER_FILE of a file), counted; they do not stop the import.
    warnings: list = field(default_factory=list)
    warning_count: int = 0

    @property
    def ok(self):
        return not self.unusable and self.error_count == 0

    @property
    def exit_code(self):
        return 2 if self.unusable else (1 if self.error_count else 0)

    def add(self, file, line, column, value, message, always=False):
        """Count an error and keep it, if its file has fewer kept than
        ERRORS_PER_FILE and the report fewer than ERROR_CAP, or `always`
        (an error that stopped the reading of a file or of the bundle)."""
        self.error_count += 1
        self.per_file[file] += 1
        if always or (self.per_file[file] <= ERRORS_PER_FILE and len(self.errors) < ERROR_CAP):
            self.errors.append(ImportProblem(
                shortened(file, FILE_CHARS), line, shortened(column, VALUE_CHARS),
                shortened(value or "", VALUE_CHARS), shortened(message, MESSAGE_CHARS),
            ))

    def warn(self, file, line, column, value, message):
        """Count and keep one quality warning."""
        self.warning_count += 1
        self.warnings.append(ImportProblem(
            shortened(file, FILE_CHARS), line, shortened(column, VALUE_CHARS),
            shortened(value or "", VALUE_CHARS), shortened(message, MESSAGE_CHARS), warning=True,
        ))

    def count_more_warnings(self, n):
        """Count `n` more warnings, found by a set-based check but not kept."""
        self.warning_count += max(0, n)

    def count_more(self, file, n):
        """Count `n` more errors of `file`, found by a set-based check but not
        kept (the report keeps the first ERRORS_PER_FILE of a file)."""
        if n > 0:
            self.error_count += n
            self.per_file[file] += n

    @property
    def listed(self):
        """The errors kept (not the notes of how many more a file has)."""
        return [e for e in self.errors if not e.more]

    def finish(self, order):
        """Sort the errors file by file (`order`: file -> its rank), line by
        line, and end each file's with a note of the errors not kept."""
        self.errors.sort(key=lambda e: (order.get(e.file, -1), e.line or 0))
        self.warnings.sort(key=lambda e: (order.get(e.file, -1), e.line or 0))
        kept = Counter(e.file for e in self.errors)
        notes = {}
        for file, found in self.per_file.items():
            name = shortened(file, FILE_CHARS)
            if found > kept[name]:
                more = found - kept[name]
                notes[name] = ImportProblem(name, None, "", "", ngettext(
                    "… and %(n)s more error in this file (the first %(kept)s are listed)",
                    "… and %(n)s more errors in this file (the first %(kept)s are listed)",
                    more,
                ) % {"n": f"{more:,}", "kept": f"{kept[name]:,}"}, more)
        errors = []
        for i, error in enumerate(self.errors):
            errors.append(error)
            last_of_file = i + 1 == len(self.errors) or self.errors[i + 1].file != error.file
            if last_of_file and error.file in notes:
                errors.append(notes.pop(error.file))
        errors.extend(sorted(notes.values(), key=lambda e: order.get(e.file, -1)))  # files with none kept
        self.errors = errors
