"""Opening a bundle (spec section 1): a folder, a .zip, an .xlsx workbook or
one CSV file. Each file of the bundle is offered as an iterator of rows (lists
of strings, the header first) so that rows stream and memory stays flat."""

import csv
import itertools
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from django.utils.translation import gettext as _

from . import workbooks
from .archives import member_problem, ratio_problem
from .limits import Deadline, Limits

FILE_NAMES = (
    "regions.csv",
    "hospitals.csv",
    "programs.csv",
    "twinnings.csv",
    "teams.csv",
    "rotations.csv",
    "surgeries.csv",
    "trainings.csv",
    "techniques.csv",
    "referrals.csv",
    "consultations.csv",
    "indicators.csv",
)


# The sheets of the template workbook (interchange/template.py) that hold no
# file: its example rows and its drop-down lists. A workbook's sheet of either
# name is passed over, so that a template filled offline imports unchanged.
EXAMPLE_SHEET = "example"
LISTS_SHEET = "lists"
TEMPLATE_SHEETS = (EXAMPLE_SHEET, LISTS_SHEET)


class Unusable(Exception):
    """The input is not a bundle at all (missing, damaged, of no known kind)."""


class FileProblem(Exception):
    """A file of the bundle cannot be read on from `line` (not UTF-8, bad CSV)."""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


def _not_utf8(line):
    return FileProblem(
        line,
        _("the file is not UTF-8 text (save it as \"CSV UTF-8\"); reading stopped at this line"),
    )


def _check_first_line(raw):
    """Raise FileProblem when the first line shows the file is UTF-16 text
    (Excel's "Unicode text"), with its byte-order mark or without: ASCII
    text in UTF-16 decodes as UTF-8 too, a NUL byte after each letter."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        b"\x00" in raw and 2 * raw.count(b"\x00") >= len(raw.rstrip(b"\r\n\x00")) - 1
    ):
        raise FileProblem(
            1,
            _("the file is UTF-16 text, not UTF-8 (save it as \"CSV UTF-8\"); reading stopped at this line"),
        )


CHUNK = 1 << 16


def _blocks(binary, limits, deadline, done):
    """Decoded lines of a CSV byte stream, each with its line end (\\n,
    \\r\\n or \\r, as the csv module reads them), in lists: one per CHUNK
    bytes read; a leading byte-order mark is dropped. Memory is bounded by
    the line limit, not by the file:

    - a line longer than `limits.line_bytes` stops reading there;
    - so does a row spanning lines (line breaks in quoted cells) that grows
      past it: `done[0]`, the rows read so far (set by _csv_rows), has not
      moved while that much was read (FileProblem with no line: _csv_rows
      gives the row's);
    - a line that is not UTF-8 is reported with its own number, after the
      lines before it."""
    longest = limits.line_bytes
    size = max(1024, min(CHUNK, longest))
    number = 0  # lines given so far
    carry = b""  # the start of a line the last block cut
    rows_seen, open_bytes, last = done[0], 0, 0
    while True:
        deadline.check()
        chunk = binary.read(size)
        if done[0] == rows_seen:  # no row ended in the last block: the open row grew by all of it
            open_bytes += last
            if open_bytes > longest:
                raise FileProblem(None, limits.row_message())
        else:
            rows_seen, open_bytes = done[0], 0
        last = len(chunk)
        if number == 0 and not carry and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        if not chunk:
            if not carry:
                return
            raws, carry = [carry], b""
        else:
            data = carry + chunk if carry else chunk
            end = len(data) - 1 if data.endswith(b"\r") else len(data)  # its \n may follow
            cut = max(data.rfind(b"\n", 0, end), data.rfind(b"\r", 0, end)) + 1
            raws, carry = data[:cut].splitlines(keepends=True), data[cut:]
            if raws and len(raws[0]) > longest:
                raise FileProblem(number + 1, limits.line_message())
        if number == 0 and raws:
            _check_first_line(raws[0])
        try:
            lines = [raw.decode("utf-8") for raw in raws]
        except UnicodeDecodeError:
            lines = []
            for raw in raws:  # the lines before the one that is not UTF-8, then its number
                try:
                    lines.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    yield lines
                    raise _not_utf8(number + len(lines) + 1) from None
        number += len(lines)
        yield lines
        if len(carry) > longest:
            raise FileProblem(number + 1, limits.line_message())


def _lines(binary, limits, deadline, done):
    """The lines of _blocks one by one."""
    return itertools.chain.from_iterable(_blocks(binary, limits, deadline, done))


def _csv_rows(binary, limits, deadline):
    """Rows of a CSV byte stream: UTF-8 (an Excel byte-order mark is
    skipped), each row and cell within the limits."""
    done = [0]
    csv.field_size_limit(limits.cell_chars)  # the csv module's own, for the whole process
    reader = csv.reader(_lines(binary, limits, deadline, done), strict=False)
    line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except FileProblem as problem:
            if problem.line is None:
                problem.line = line + 1
            raise
        except UnicodeDecodeError:
            raise _not_utf8(line + 1) from None
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise FileProblem(line + 1, limits.cell_message()) from None
            raise FileProblem(line + 1, _("the CSV cannot be read here: %(error)s") % {"error": exc}) from None
        except zipfile.BadZipFile as exc:
            raise Unusable(_("The zip archive is damaged: %(error)s") % {"error": exc}) from None
        line += 1
        done[0] = line
        yield row


def _count_lines(binary) -> int:
    count = 0
    for chunk in iter(lambda: binary.read(1 << 20), b""):
        count += chunk.count(b"\n")
    return count


SAMPLE = 4 << 20


def _estimate_lines(binary, size) -> int:
    """The lines of a zip member of `size` bytes unpacked: counted in its
    first SAMPLE bytes and scaled, so that the estimate does not unpack a
    large member a second time."""
    sample = binary.read(SAMPLE)
    lines = sample.count(b"\n")
    if len(sample) < SAMPLE or not lines:
        return lines
    return round(lines * size / len(sample))


class BundleFile:
    """One file of a bundle: its spec name, where it came from, and its rows."""

    def __init__(self, name, origin, open_rows, estimate):
        self.name = name  # e.g. "surgeries.csv"
        self.origin = origin  # what the user sees: the path inside the bundle
        self._open_rows = open_rows
        self._estimate = estimate
        self._estimated = None

    def rows(self):
        return self._open_rows()

    def estimate_rows(self) -> int:
        """The number of lines after the header (rows, unless cells hold line
        breaks); counted once."""
        if self._estimated is None:
            try:
                self._estimated = max(0, self._estimate() - 1)
            except Exception:  # an estimate only drives the progress bar and the choice of a bulk load
                self._estimated = 0
        return self._estimated


class Bundle:
    """The files of a bundle by spec name, plus names that are no spec file."""

    def __init__(self, limits=None):
        self.files: dict[str, BundleFile] = {}
        self.unknown: list[str] = []
        # (origin, what is wrong) of files that cannot be read at all
        self.problems: list[tuple[str, str]] = []
        self._closers = []
        self.limits = limits or Limits.from_settings()
        # Started by the importer once it may run (interchange/limits.py).
        self.deadline = Deadline()

    def close(self):
        for close in self._closers:
            close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def add(self, origin, name, open_rows, estimate):
        key = name.lower()
        if key not in FILE_NAMES:
            self.unknown.append(origin)
        elif key in self.files:
            # Names are matched without regard to case (and a zip may even
            # hold one name twice): two files for one would otherwise leave
            # the rows of one of them unread, silently.
            self.problems.append((origin, _(
                "a second file for %(name)s (%(first)s is one already; names are compared "
                "without regard to case): keep one of them"
            ) % {"name": key, "first": self.files[key].origin}))
        else:
            self.files[key] = BundleFile(key, origin, open_rows, estimate)


def open_bundle(path, limits=None) -> Bundle:
    """Open `path` as a bundle, or raise Unusable saying why it is none."""
    path = Path(path)
    if not path.exists():
        raise Unusable(_("No such file or folder: %(path)s") % {"path": path})
    bundle = Bundle(limits)
    suffix = path.suffix.lower()
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.is_file() and entry.suffix.lower() == ".csv":
                bundle.add(entry.name, entry.name, _file_rows(entry, bundle), _file_estimate(entry))
    elif suffix == ".zip":
        _open_zip(path, bundle)
    elif suffix in (".xlsx", ".xlsm"):
        _open_xlsx(path, bundle)
    elif suffix == ".csv":
        if path.name.lower() not in FILE_NAMES:
            raise Unusable(
                _("%(name)s is not a file of the interchange format; a single CSV must be named one of: %(names)s")
                % {"name": path.name, "names": ", ".join(FILE_NAMES)}
            )
        bundle.add(path.name, path.name, _file_rows(path, bundle), _file_estimate(path))
    else:
        raise Unusable(
            _("%(name)s is not a bundle: give a folder, a .zip, an .xlsx workbook or one .csv file.")
            % {"name": path.name}
        )
    if not bundle.files and not bundle.problems:
        bundle.close()
        raise Unusable(
            _("%(name)s holds none of the interchange files (%(names)s).")
            % {"name": path.name, "names": ", ".join(FILE_NAMES)}
        )
    return bundle


def _file_rows(path, bundle):
    def rows():
        with open(path, "rb") as binary:
            yield from _csv_rows(binary, bundle.limits, bundle.deadline)

    return rows


def _file_estimate(path):
    def estimate():
        with open(path, "rb") as binary:
            return _count_lines(binary)

    return estimate


def _open_zip(path, bundle):
    try:
        archive = zipfile.ZipFile(path)
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and info.filename.lower().endswith(".csv")
            and not info.filename.startswith("__MACOSX/")
        ]
        names = [info.filename for info in members]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise Unusable(_("%(name)s is not a readable zip archive: %(error)s") % {"name": path.name, "error": exc}) from None
    bundle._closers.append(archive.close)
    tops = {name.split("/")[0] if "/" in name else "" for name in names}
    depth_ok = all(name.count("/") <= 1 for name in names)
    if len(tops) > 1 or not depth_ok:
        raise Unusable(
            _("The files of a zip bundle must lie at its root or in one top folder.")
        )
    unpacked = sum(info.file_size for info in members)
    if unpacked > bundle.limits.uncompressed_bytes:
        raise Unusable(f"{path.name}: {bundle.limits.uncompressed_message(unpacked)}")

    def member_rows(member):
        def rows():
            try:
                with archive.open(member) as binary:
                    yield from _csv_rows(binary, bundle.limits, bundle.deadline)
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise Unusable(_("The zip archive is damaged: %(error)s") % {"name": path.name, "error": exc}) from None

        return rows

    def member_estimate(member):
        def estimate():
            with archive.open(member) as binary:
                return _estimate_lines(binary, member.file_size)

        return estimate

    for info in sorted(members, key=lambda info: info.filename):
        name = info.filename
        problem = member_problem(info) or ratio_problem(info, bundle.limits)
        if problem is not None:
            bundle.problems.append((name, problem))
            continue
        bundle.add(name, name.rsplit("/", 1)[-1], member_rows(info), member_estimate(info))


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return workbooks.ooxml_unescape(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _open_xlsx(path, bundle):
    """The sheets of a workbook as files of the bundle, read within the
    limits (interchange/workbooks.py)."""
    try:
        workbook = workbooks.Workbook(path, bundle.limits, bundle.deadline)
    except workbooks.WorkbookProblem as problem:
        raise Unusable(
            _("%(name)s is not a readable xlsx workbook: %(error)s") % {"name": path.name, "error": problem.message}
        ) from None
    bundle._closers.append(workbook.close)

    def sheet_rows(sheet_name):
        def rows():
            try:
                for row in workbook.rows(sheet_name):
                    yield [_cell_text(value) for value in row]
            except workbooks.WorkbookProblem as problem:
                raise FileProblem(problem.row, problem.message) from None

        return rows

    def sheet_estimate(sheet_name):
        def estimate():
            return min((workbook.declared(sheet_name) or (0, 0))[1], workbooks.SHEET_MAX_ROWS)

        return estimate

    def blank(sheet_name):
        try:
            for row in workbook.rows(sheet_name):
                if any(value not in (None, "") for value in row):
                    return False
        except workbooks.WorkbookProblem:
            return False
        return True

    for sheet in workbook.sheetnames:
        name = sheet.strip() + ".csv"
        try:
            absurd = workbook.declared_problem(sheet)
        except Exception as exc:  # a sheet whose beginning cannot be read
            absurd = _("the sheet cannot be read (the workbook is damaged: %(error)s)") % {
                "error": getattr(exc, "message", exc.__class__.__name__)
            }
        if absurd is not None:
            bundle.problems.append((sheet, absurd))
        elif name.lower() not in FILE_NAMES and (sheet.strip().lower() in TEMPLATE_SHEETS or blank(sheet)):
            # An empty sheet Excel made ("Sheet1"), or the template's example
            # or lists: nothing to read or report.
            continue
        else:
            bundle.add(sheet, name, sheet_rows(sheet), sheet_estimate(sheet))


def sha256_of(path) -> str:
    """SHA-256 of a file, or of a folder's files in name order."""
    import hashlib

    digest = hashlib.sha256()
    path = Path(path)
    paths = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for p in paths:
        with open(p, "rb") as binary:
            for chunk in iter(lambda: binary.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


