"""What an import reads at most, so that memory and time are bounded by
these limits and not by the file (docs/importing.md, "Limits").

Each limit is a setting (aidtracker/settings.py, from the environment);
a file beyond one is refused with an error that names the file, the line
where there is one, and the limit with the setting that raises it.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# Rows and columns of a worksheet (Excel's own maximum). A workbook part
# declaring or holding more is no worksheet Excel wrote.
SHEET_MAX_ROWS = 1_048_576
SHEET_MAX_CELLS_PER_ROW = 16_384
# Columns a sheet may declare (its <dimension>) or fill: the widest file
# of the format has 15 columns. Beyond, reading would cost time for cells
# that can only be errors (A1:XFD1048576 is 17 billion cells).
SHEET_MAX_COLUMNS = 256
# Parts of a workbook other than its sheets and shared strings (styles,
# relationships, workbook, pivot caches): openpyxl parses each whole.
WORKBOOK_PART_MAX_BYTES = 8 << 20
# Members of an archive smaller than this are not held to the compression
# ratio: a small file unpacks to little, however well it compresses.
RATIO_MIN_BYTES = 1 << 20


@dataclass(frozen=True)
class Limits:
    line_bytes: int  # a line of a CSV file, or a row spanning lines (quoted line breaks)
    cell_chars: int  # one cell
    uncompressed_bytes: int  # all members of a .zip or .xlsx, unpacked
    compression_ratio: int  # unpacked / packed size of one member
    shared_strings: int  # strings in an .xlsx's shared-strings table
    shared_strings_bytes: int  # size of that table (xl/sharedStrings.xml), unpacked
    reference_rows: int  # rows of a file whose codes are kept in memory; people or trainees of one
    check_seconds: int  # reading and checking a bundle; 0 = no limit

    @classmethod
    def from_settings(cls):
        return cls(
            line_bytes=settings.IMPORT_MAX_LINE_KB << 10,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_MB << 20,
            compression_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            shared_strings=settings.IMPORT_MAX_SHARED_STRINGS,
            shared_strings_bytes=settings.IMPORT_MAX_SHARED_STRINGS_MB << 20,
            reference_rows=settings.IMPORT_MAX_REFERENCE_ROWS,
            check_seconds=settings.IMPORT_MAX_CHECK_SECONDS,
        )

    # What each limit says when a file goes beyond it.

    def line_message(self):
        return _(
            "a line of at most %(kb)s KB (IMPORT_MAX_LINE_KB); this one is longer, "
            "so reading stopped here"
        ) % {"kb": f"{self.line_bytes >> 10:,}"}

    def row_message(self):
        return _(
            "a row of at most %(kb)s KB (IMPORT_MAX_LINE_KB); this one, with the line breaks "
            "in its quoted cells, is longer (a quote that is never closed?), so reading stopped here"
        ) % {"kb": f"{self.line_bytes >> 10:,}"}

    def sheet_row_message(self):
        return _(
            "a row of at most %(kb)s KB in the workbook's XML (IMPORT_MAX_LINE_KB), with what lies "
            "between it and the next row; this one is longer, so reading stopped here"
        ) % {"kb": f"{self.line_bytes >> 10:,}"}

    def shared_strings_message(self):
        return _(
            "a shared-strings table of at most %(n)s strings (IMPORT_MAX_SHARED_STRINGS); this "
            "workbook's holds more: import the sheets as CSV files in a .zip instead"
        ) % {"n": f"{self.shared_strings:,}"}

    def uncompressed_message(self, size):
        return _(
            "it unpacks to %(size)s MB; an import unpacks at most %(limit)s MB "
            "(IMPORT_MAX_UNCOMPRESSED_MB): import its files in parts, or a folder of them"
        ) % {"size": f"{size / (1 << 20):,.0f}", "limit": f"{self.uncompressed_bytes >> 20:,}"}

    def sheet_cell_message(self):
        return _(
            "a cell of at most %(n)s characters (IMPORT_MAX_CELL_CHARS); this one is longer, "
            "so reading stopped here"
        ) % {"n": f"{self.cell_chars:,}"}

    def cell_message(self):
        return _(
            "a cell of at most %(n)s characters (IMPORT_MAX_CELL_CHARS); this one is longer "
            "(a quote that is never closed?), so reading stopped here"
        ) % {"n": f"{self.cell_chars:,}"}


class CheckTimeExceeded(Exception):
    """Reading and checking the bundle took longer than IMPORT_MAX_CHECK_SECONDS."""

    def message(self):
        return _(
            "checking this bundle took longer than %(n)s seconds (IMPORT_MAX_CHECK_SECONDS), "
            "so it stopped here; nothing was written"
        ) % {"n": f"{self.args[0]:,}"}


class Deadline:
    """The time by which reading and checking must be done; `check()` raises
    CheckTimeExceeded after it. Not started (no limit) until `start()`: the
    wait for another import to finish does not count."""

    def __init__(self):
        self.seconds = 0
        self.at = None

    def start(self, seconds):
        self.seconds = seconds
        self.at = time.monotonic() + seconds if seconds else None

    def stop(self):
        self.at = None

    def expired(self):
        return self.at is not None and time.monotonic() > self.at

    def left(self):
        """Seconds left (when started)."""
        return self.at - time.monotonic()

    def check(self):
        if self.expired():
            raise CheckTimeExceeded(self.seconds)
