"""Reading an .xlsx workbook within the import's limits (interchange/limits.py).

openpyxl's read-only mode streams a sheet's rows but trusts the file: it
loads the whole shared-strings table into a list, keeping an emptied
element for each string besides (20 million strings in an 830 KB workbook
took 1.9 GB), builds every cell of a row however far right, keeps the
attributes of every row, and pads rows to the dimensions the sheet declares
(A1:XFD1048576 costs minutes of CPU for a 5 KB file). Here:

- openpyxl reads the workbook's parts (content types, workbook, styles, its
  cells' values) through `_GuardedZip`: before a byte is unpacked the sizes
  each part declares are checked (zipfile never unpacks more than a member
  declares); each XML part is then scanned as it is read, a block at a time
  and without parsing (`_GuardedXml`): no DTD (entity expansion), no text
  longer than a cell may be, in the shared strings no more strings than the
  limit, in a sheet no row longer than a line may be or with more cells or
  rows than Excel allows, no reference beyond its last column or row;
- the shared strings are read as openpyxl reads them, each string's element
  dropped once read (`_string_table`);
- the rows are read here (`Workbook.rows`): openpyxl's parse_cell gives each
  cell's value, each row goes from the tree once read, the dimensions the
  sheet declares are checked (`declared_problem`) but not used to pad rows,
  and an empty cell far right costs nothing.

A part beyond a limit stops with WorkbookProblem, which names the limit
and, in a sheet, the row.
"""


import re
import zipfile

from django.utils.translation import gettext as _

from .archives import member_problem, ratio_problem
from .limits import (
    SHEET_MAX_CELLS_PER_ROW,
    SHEET_MAX_COLUMNS,
    SHEET_MAX_ROWS,
    WORKBOOK_PART_MAX_BYTES,
    CheckTimeExceeded,
)

# An encrypted workbook (or an old .xls) is an OLE compound file, not a zip.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Start tags, with or without a namespace prefix: <row ...>, <x:row>, <c .../>, <si>.
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
# A cell or row reference beyond Excel's last column (XFD: three letters)
# or far beyond its last row: openpyxl would build a row that long.
_FAR_REFERENCE = re.compile(rb"\sr=[\"'](?:[A-Za-z]{4,}|[A-Za-z]{0,3}[0-9]{8,})")


# OOXML's escape of characters XML cannot carry as they are (ECMA-376,
# ST_Xstring): _xHHHH_, and _x005F_ for an underscore that would otherwise
# begin one. A CR would come back as LF (XML normalises line ends), other
# control characters cannot be written at all; Excel reads and writes them so.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    """`text` as a workbook's cell holds it: control characters but tab and
    line feed as _xHHHH_ (a carriage return too), an underscore beginning
    what looks like such an escape as _x005F_."""
    if "_x" not in text and not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def ooxml_unescape(text: str) -> str:
    """A workbook's cell text as it was before ooxml_escape (or Excel) wrote it."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


class WorkbookProblem(Exception):
    """The workbook, or a part of it, is beyond a limit or cannot be read;
    `row` is the row of the sheet being read when there is one."""

    def __init__(self, message, row=None):
        super().__init__(message)
        self.message = message
        self.row = row


def _is_sheet(part):
    return part.startswith("xl/worksheets/") and part.endswith(".xml")


def _is_shared_strings(part):
    return part.lower().rsplit("/", 1)[-1] == "sharedstrings.xml"


def _mb(size):
    return f"{size / (1 << 20):,.0f}"


class _GuardedZip(zipfile.ZipFile):
    """A workbook's archive whose XML parts are read through _GuardedXml."""

    def __init__(self, path, limits, deadline):
        super().__init__(path)
        self.limits = limits
        self.deadline = deadline

    def problem(self):
        """What makes the archive too big to read, or unreadable, or None."""
        limits = self.limits
        total = 0
        for info in self.infolist():
            part = info.filename
            problem = member_problem(info) or ratio_problem(info, limits)
            if problem is not None:
                return f"{part}: {problem}"
            total += info.file_size
            if _is_shared_strings(part):
                if info.file_size > limits.shared_strings_bytes:
                    return _(
                        "its shared-strings table (%(part)s) unpacks to %(size)s MB; an import reads at "
                        "most %(limit)s MB (IMPORT_MAX_SHARED_STRINGS_MB): import the sheets as CSV "
                        "files in a .zip instead"
                    ) % {
                        "part": part, "size": _mb(info.file_size), "limit": _mb(limits.shared_strings_bytes),
                    }
            elif not _is_sheet(part) and part.endswith((".xml", ".rels")):
                if info.file_size > WORKBOOK_PART_MAX_BYTES:
                    return _(
                        "its part %(part)s unpacks to %(size)s MB; an import reads at most %(limit)s MB "
                        "of such a part (styles, relationships, pivot tables): save the sheets alone "
                        "in a new workbook"
                    ) % {"part": part, "size": _mb(info.file_size), "limit": _mb(WORKBOOK_PART_MAX_BYTES)}
        if total > limits.uncompressed_bytes:
            return limits.uncompressed_message(total)
        return None

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        part = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if mode != "r" or not part.endswith((".xml", ".rels")):
            return stream
        kind = "sheet" if _is_sheet(part) else ("strings" if _is_shared_strings(part) else "part")
        return _GuardedXml(stream, part, kind, self.limits, self.deadline)


class _GuardedXml:
    """A part's XML as openpyxl reads it, scanned block by block (no parsing)."""

    def __init__(self, stream, part, kind, limits, deadline):
        self.stream = stream
        self.part = part
        self.kind = kind
        self.limits = limits
        self.deadline = deadline
        # Bytes of text (or of one tag) since the last "<": a cell's text
        # in UTF-8, entities written out, may take 8 bytes a character.
        self.run = 0
        self.run_limit = 8 * limits.cell_chars + 1024
        self.held = b""  # the tag cut at the end of the last block
        self.rows = 0  # row start tags seen
        self.row_bytes = 0  # bytes and cells of the row being read
        self.row_cells = 0
        self.strings = 0  # shared strings seen

    # What openpyxl and ElementTree call.

    def read(self, size=-1):
        data = self.stream.read(size)
        if data:
            self.deadline.check()
            self._scan(data)
        return data

    def close(self):
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # The scan.

    def _fail(self, message, row=None):
        raise WorkbookProblem(message, row)

    def _scan(self, data):
        self._check_runs(data)
        buffer = self.held + data if self.held else data
        cut = buffer.rfind(b"<")
        if cut >= 0 and buffer.find(b">", cut) < 0:
            buffer, self.held = buffer[:cut], buffer[cut:]  # a tag cut in two: scanned with the next block
        else:
            self.held = b""
        if b"<!DOCTYPE" in buffer or b"<!ENTITY" in buffer:
            self._fail(_("%(part)s declares a DTD, which a workbook never holds") % {"part": self.part})
        if self.kind == "sheet":
            self._scan_sheet(buffer)
        elif self.kind == "strings":
            self.strings += len(_STRING.findall(buffer))
            if self.strings > self.limits.shared_strings:
                self._fail(self.limits.shared_strings_message())

    def _check_runs(self, data):
        """No text (or tag) longer than a cell may be: it would be held whole."""
        first = data.find(b"<")
        if first < 0:
            self.run += len(data)
            longest = self.run
        else:
            longest = self.run + first  # the run the first "<" ends
            if len(data) > self.run_limit:  # a large read: whole runs may lie within it
                longest = max(longest, *map(len, data[first + 1:].split(b"<")))
            self.run = len(data) - data.rfind(b"<") - 1
            longest = max(longest, self.run)
        if longest > self.run_limit:
            self._fail(self.limits.sheet_cell_message(), self.rows if self.kind == "sheet" else None)

    def _scan_sheet(self, buffer):
        """Rows and cells as Excel allows them, each row (with what lies
        between it and the next: other elements are held by the parser
        too) no longer than a line may be."""
        if _FAR_REFERENCE.search(buffer):
            self._fail(_(
                "a cell beyond the last column (XFD) or row (1,048,576) of a worksheet; reading stopped here"
            ), self.rows + 1)
        parts = _ROW.split(buffer)  # parts[0] goes on with the row being read
        if len(parts) == 1:
            self.row_bytes += len(buffer)
            self.row_cells += len(_CELL.findall(buffer))
            self._check_row(self.rows)
            return
        self.row_bytes += len(parts[0])
        self.row_cells += len(_CELL.findall(parts[0]))
        self._check_row(self.rows)
        first = self.rows + 1
        self.rows += len(parts) - 1
        if self.rows > SHEET_MAX_ROWS:
            self._fail(_("no more than %(n)s rows, as in Excel; reading stopped here") % {
                "n": f"{SHEET_MAX_ROWS:,}"
            }, SHEET_MAX_ROWS + 1)
        if len(_CELL.findall(buffer)) > SHEET_MAX_CELLS_PER_ROW or max(map(len, parts)) > self.limits.line_bytes:
            for i, part in enumerate(parts[1:-1]):  # rows that begin and end in this block
                self.row_bytes, self.row_cells = len(part), len(_CELL.findall(part))
                self._check_row(first + i)
        self.row_bytes, self.row_cells = len(parts[-1]), len(_CELL.findall(parts[-1]))
        self._check_row(self.rows)

    def _check_row(self, row):
        if self.row_cells > SHEET_MAX_CELLS_PER_ROW:
            self._fail(_("a row of at most %(n)s cells, as in Excel; reading stopped here") % {
                "n": f"{SHEET_MAX_CELLS_PER_ROW:,}"
            }, row)
        if self.row_bytes > self.limits.line_bytes:
            self._fail(self.limits.sheet_row_message(), row)


class _SheetPlaceholder:
    """Stands for a sheet in openpyxl's workbook, which binds defined names
    (print areas) to its sheets: the sheets themselves are read here."""

    def __init__(self):
        self.defined_names = {}


def _reader_class():
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):
        """openpyxl's reader of a workbook's parts but for its sheets (read
        by Workbook.rows) and its shared strings (read by _string_table)."""

        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = _string_table(source)

        def read_worksheets(self):
            self.sheets = []
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    self.sheets.append((sheet.name, rel.target))
                    self.wb._sheets.append(_SheetPlaceholder())

    return Reader


def _string_table(source):
    """The shared strings, as openpyxl reads them (read_string_table), but
    each string's element dropped once read (openpyxl's reader keeps them
    all in the tree, emptied, some 90 bytes each), and their escapes left
    for ooxml_unescape (openpyxl only drops "x005F_")."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    tag = "{%s}si" % SHEET_MAIN_NS
    strings = []
    events = iterparse(source, events=("start", "end"))
    _event, root = next(events)
    for event, node in events:
        if event == "end" and node.tag == tag:
            strings.append(Text.from_tree(node).content)
            root.clear()
    return strings


class Workbook:
    """An .xlsx workbook opened within the limits: its sheets' names, their
    rows, the dimensions they declare."""

    def __init__(self, path, limits, deadline):
        with open(path, "rb") as handle:
            if handle.read(8) == OLE_MAGIC:
                raise WorkbookProblem(_(
                    "this is an encrypted workbook (protected by a password) or an old .xls file: "
                    "save it as an .xlsx workbook without a password"
                ))
        try:
            self.archive = _GuardedZip(path, limits, deadline)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise WorkbookProblem(exc.__class__.__name__) from None
        problem = self.archive.problem()
        if problem is not None:
            self.close()
            raise WorkbookProblem(problem)
        try:
            reader = _reader_class()(path, read_only=True, data_only=True)
            reader.archive.close()
            reader.archive = self.archive  # openpyxl reads every part through the guard
            reader.read()
        except WorkbookProblem:
            self.close()
            raise
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            self.close()
            raise WorkbookProblem(exc.__class__.__name__) from None
        self.book = reader.wb
        self.shared_strings = reader.shared_strings
        self.parts = dict(reader.sheets)
        self.sheetnames = [name for name, _part in reader.sheets]

    def close(self):
        self.archive.close()

    def declared(self, name):
        """(columns, rows) the sheet declares in its <dimension>, or None."""
        from openpyxl.utils.cell import range_boundaries
        from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
        from openpyxl.xml.functions import iterparse

        with self.archive.open(self.parts[name]) as source:
            for _event, element in iterparse(source, events=("start",)):
                if element.tag == DATA_TAG:
                    return None
                if element.tag == DIMENSION_TAG:
                    try:
                        _c, _r, columns, rows = range_boundaries(element.get("ref", ""))
                    except (TypeError, ValueError):
                        return None
                    return columns or 0, rows or 0
        return None

    def declared_problem(self, name):
        """What is absurd about the dimensions the sheet declares, or None."""
        columns, rows = self.declared(name) or (0, 0)
        if columns > SHEET_MAX_COLUMNS or rows > SHEET_MAX_ROWS:
            from openpyxl.utils import get_column_letter

            return _(
                "the sheet declares %(columns)s columns and %(rows)s rows (up to cell %(cell)s); an "
                "import reads at most %(max)s columns (the format's files have at most 15): delete the "
                "columns and rows after the last ones of the file"
            ) % {
                "columns": f"{columns:,}", "rows": f"{rows:,}", "max": SHEET_MAX_COLUMNS,
                "cell": f"{get_column_letter(min(columns, 18278))}{rows}",
            }
        return None

    def rows(self, name):
        """The rows of the sheet as tuples of values (as openpyxl gives them:
        text, numbers, dates, booleans), empty tuples for rows the file
        leaves out; raise WorkbookProblem with the row for one beyond the
        limits, or where the sheet is damaged."""
        line = 0
        rows = self._rows(name)
        while True:
            try:
                row = next(rows, None)
            except WorkbookProblem as problem:  # from the guard, which reads ahead of the rows given
                problem.row = max(problem.row or 0, line + 1)
                raise
            except CheckTimeExceeded:
                raise
            except Exception as exc:  # openpyxl and ElementTree raise many kinds for a damaged sheet
                raise WorkbookProblem(
                    _("the sheet cannot be read from this row on (the workbook is damaged: %(error)s); "
                      "reading stopped here") % {"error": exc.__class__.__name__},
                    line + 1,
                ) from None
            if row is None:
                return
            line += 1
            yield row

    def _rows(self, name):
        from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, ROW_TAG, WorkSheetParser
        from openpyxl.xml.functions import iterparse

        book = self.book
        cells = WorkSheetParser(
            None, self.shared_strings, data_only=True, epoch=book.epoch,
            date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
        )
        expected = 1  # the number of the next row
        with self.archive.open(self.parts[name]) as source:
            events = iterparse(source, events=("start", "end"))
            _event, root = next(events)
            data = root
            for event, element in events:
                tag = element.tag
                if event == "start":
                    if tag == DATA_TAG:
                        data = element
                    continue
                if tag == DATA_TAG:
                    return  # what follows the rows (formats, links) is not read
                if tag != ROW_TAG:
                    continue
                number = element.get("r")
                number = int(number) if number and number.isdigit() else expected
                if number < expected:
                    raise WorkbookProblem(
                        _("rows in the order of their numbers (row %(n)s comes after row %(before)s): the "
                          "workbook is damaged; reading stopped here") % {"n": number, "before": expected - 1},
                        expected,
                    )
                if number > SHEET_MAX_ROWS:
                    raise WorkbookProblem(
                        _("no more than %(n)s rows, as in Excel; reading stopped here") % {
                            "n": f"{SHEET_MAX_ROWS:,}"
                        },
                        number,
                    )
                while expected < number:  # rows the file leaves out are empty
                    expected += 1
                    yield ()
                cells.row_counter, cells.col_counter = number, 0
                values = {}
                for cell in element:
                    if cell.tag != CELL_TAG:
                        continue
                    cell = cells.parse_cell(cell)
                    if cell["value"] is None:
                        continue  # an empty cell, however far right (formatting leaves such)
                    if cell["column"] > SHEET_MAX_COLUMNS:
                        raise WorkbookProblem(
                            _(
                                "no values after column %(column)s (the %(n)sth): delete the columns after "
                                "the last one of the file; reading stopped here"
                            ) % {"column": "IV", "n": SHEET_MAX_COLUMNS},
                            number,
                        )
                    values[cell["column"]] = cell["value"]
                row = [None] * max(values, default=0)
                for column, value in values.items():
                    row[column - 1] = value
                data.clear()  # the rows read go: memory does not grow with the sheet
                expected = number + 1
                yield tuple(row)
