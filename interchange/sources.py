"""Opening a bundle (spec section 1): a folder, a .zip, an .xlsx workbook or
one CSV file. Each file of the bundle is offered as an iterator of rows (lists
of strings, the header first) so that rows stream and memory stays flat."""

import csv
import itertools
import stat
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from django.utils.translation import gettext as _

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


def _blocks(binary, size=1 << 16):
    """Decoded lines of a byte stream, a block of lines (about `size` bytes)
    at a time; a leading byte-order mark is dropped. A line that is not
    UTF-8 is reported with its own number, after the lines before it."""
    number = 0
    while True:
        raws = binary.readlines(size)
        if not raws:
            return
        if number == 0:
            _check_first_line(raws[0])
        try:
            block = [raw.decode("utf-8") for raw in raws]
        except UnicodeDecodeError:
            block = []
            for raw in raws:
                try:
                    block.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    break
            if number == 0 and block and block[0].startswith("\ufeff"):
                block[0] = block[0][1:]
            yield block
            raise _not_utf8(number + len(block) + 1) from None
        if number == 0 and block[0].startswith("\ufeff"):
            block[0] = block[0][1:]
        number += len(block)
        yield block


def _lines(binary):
    """Decoded lines of a byte stream (see _blocks)."""
    return itertools.chain.from_iterable(_blocks(binary))


def _csv_rows(binary):
    """Rows of a CSV byte stream: UTF-8 (an Excel byte-order mark is skipped)."""
    reader = csv.reader(_lines(binary), strict=False)
    line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise _not_utf8(line + 1) from None
        except csv.Error as exc:
            raise FileProblem(line + 1, _("the CSV cannot be read here: %(error)s") % {"error": exc}) from None
        except zipfile.BadZipFile as exc:
            raise Unusable(_("The zip archive is damaged: %(error)s") % {"error": exc}) from None
        line += 1
        yield row


def _count_lines(binary) -> int:
    count = 0
    for chunk in iter(lambda: binary.read(1 << 20), b""):
        count += chunk.count(b"\n")
    return count


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

    def __init__(self):
        self.files: dict[str, BundleFile] = {}
        self.unknown: list[str] = []
        # (origin, what is wrong) of files that cannot be read at all
        self.problems: list[tuple[str, str]] = []
        self._closers = []

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


def open_bundle(path) -> Bundle:
    """Open `path` as a bundle, or raise Unusable saying why it is none."""
    path = Path(path)
    if not path.exists():
        raise Unusable(_("No such file or folder: %(path)s") % {"path": path})
    bundle = Bundle()
    suffix = path.suffix.lower()
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.is_file() and entry.suffix.lower() == ".csv":
                bundle.add(entry.name, entry.name, _file_rows(entry), _file_estimate(entry))
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
        bundle.add(path.name, path.name, _file_rows(path), _file_estimate(path))
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


def _file_rows(path):
    def rows():
        with open(path, "rb") as binary:
            yield from _csv_rows(binary)

    return rows


def _file_estimate(path):
    def estimate():
        with open(path, "rb") as binary:
            return _count_lines(binary)

    return estimate


# Compression methods zipfile unpacks (bzip2 and LZMA when Python has them).
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
for _method, _module in ((zipfile.ZIP_BZIP2, "bz2"), (zipfile.ZIP_LZMA, "lzma")):
    try:
        __import__(_module)
    except ImportError:
        continue
    _METHODS.add(_method)


def member_problem(info):
    """Why the zip member `info` cannot be read as a file, or None."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("a symbolic link, not a file: zip the file itself")
    if info.flag_bits & 0x1:
        return _("encrypted (protected by a password): zip the file without a password")
    if info.compress_type not in _METHODS:
        return _(
            "packed with a compression method this importer cannot unpack (method %(method)d): "
            "zip it with the usual method (deflate)"
        ) % {"method": info.compress_type}
    return None


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

    def member_rows(member):
        def rows():
            try:
                with archive.open(member) as binary:
                    yield from _csv_rows(binary)
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise Unusable(_("The zip archive is damaged: %(error)s") % {"name": path.name, "error": exc}) from None

        return rows

    def member_estimate(member):
        def estimate():
            with archive.open(member) as binary:
                return _count_lines(binary)

        return estimate

    for info in sorted(members, key=lambda info: info.filename):
        name = info.filename
        problem = member_problem(info)
        if problem is not None:
            bundle.problems.append((name, problem))
            continue
        bundle.add(name, name.rsplit("/", 1)[-1], member_rows(info), member_estimate(info))


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
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
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheets = list(workbook.sheetnames)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise Unusable(
            _("%(name)s is not a readable xlsx workbook: %(error)s")
            % {"name": path.name, "error": exc.__class__.__name__}
        ) from None
    bundle._closers.append(workbook.close)

    def sheet_rows(sheet_name):
        def rows():
            line = 0
            try:
                for row in workbook[sheet_name].iter_rows(values_only=True):
                    line += 1
                    yield [_cell_text(value) for value in row]
            except Exception as exc:  # openpyxl raises many kinds for a damaged sheet
                raise FileProblem(
                    line + 1,
                    _("the sheet cannot be read from this row on (the workbook is damaged: %(error)s); "
                      "reading stopped here")
                    % {"error": exc.__class__.__name__},
                ) from None

        return rows

    def sheet_estimate(sheet_name):
        def estimate():
            return workbook[sheet_name].max_row or 0

        return estimate

    def blank(sheet_name):
        for row in workbook[sheet_name].iter_rows(values_only=True):
            if any(value not in (None, "") for value in row):
                return False
        return True

    for sheet in sheets:
        name = sheet.strip() + ".csv"
        if name.lower() not in FILE_NAMES and blank(sheet):
            continue  # an empty sheet Excel made ("Sheet1"): nothing to read or report
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


