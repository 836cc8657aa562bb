"""What an import found and did: every error with its place, and the counts.

The spec (section 4) asks for every error, not only the first, each naming
the file, the line (header = line 1), the column, the value and what was
expected; and for the rows created, updated and left unchanged per file.
"""

from dataclasses import dataclass, field

ERROR_CAP = 1000  # errors kept for the report; all are counted

# Control characters (NUL above all, which neither PostgreSQL's text nor its
# jsonb can hold) are kept as visible escapes: a value holding one can be
# stored, shown and searched for in the file.
_VISIBLE = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F] if chr(c) not in "\t\n\r"}


def visible(text) -> str:
    """`text` with its control characters written as escapes (\\x00)."""
    return str(text).translate(_VISIBLE)


@dataclass
class ImportProblem:
    """One thing wrong with the bundle, and where: a cell, a row, a header or
    a whole file (`line` None, `column` and `value` empty when they do not apply)."""

    file: str
    line: int | None
    column: str
    value: str
    message: str

    def as_dict(self):
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

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

    @property
    def ok(self):
        return not self.unusable and self.error_count == 0

    @property
    def exit_code(self):
        return 2 if self.unusable else (1 if self.error_count else 0)

    def add(self, file, line, column, value, message):
        self.error_count += 1
        if len(self.errors) < ERROR_CAP:
            self.errors.append(
                ImportProblem(visible(file), line, visible(column), visible(value or ""), visible(message))
            )
