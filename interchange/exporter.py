"""The exporter: the whole database as an interchange-format bundle.

Deterministic by design, so that export -> import into an empty database ->
export gives byte-identical files: rows sorted by key (byte order, the same on
SQLite and PostgreSQL), the columns each app declares for the file (its
columns.py, which the importer reads and the record lists write too), one
canonical text per value (aidtracker/lib/columns.py: dates YYYY-MM-DD,
months YYYY-MM, yes/no, decimals without trailing zeros), CSV with CRLF line
ends (RFC 4180), and for .zip and .xlsx fixed timestamps inside the archive.
"""

import re
import tempfile
import zipfile
from pathlib import Path

from django.db import connection
from django.db.models import DateField
from django.db.models.functions import Collate

from .specs import FILES, SPECS
from .workbooks import ooxml_escape

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries' timestamp: the content alone decides the bytes
XLSX_MAX_ROWS = 1_048_576  # rows of a worksheet (Excel's limit), the header included


class ExportError(Exception):
    """The export cannot be written as asked; the message says why and what to do."""


def _rows_of(spec):
    """Every row of the file's model, ordered by the file's key in byte order
    (the same on SQLite and PostgreSQL, whatever the database's collation)."""
    order = []
    for column in spec.conflict:
        field = spec.model._meta.get_field(column)
        if connection.vendor == "postgresql" and not isinstance(field, DateField):
            order.append(Collate(field.attname, "C"))
        else:
            order.append(field.attname)  # SQLite compares text byte by byte
    return spec.model._default_manager.order_by(*order)


def iter_rows(name):
    """The header, then every row of file `name`, as lists of strings: the
    columns its app declares, each cell written by aidtracker.lib.columns
    (as the record lists' CSV downloads write them)."""
    spec = SPECS[name]
    yield list(spec.column_names)
    # A server-side cursor on PostgreSQL: rows arrive 5,000 at a time
    # instead of the whole table at once, so memory does not grow with it.
    yield from spec.declared.rows(_rows_of(spec), chunk_size=5000)


def _csv_bytes_chunks(name):
    spec = SPECS[name]
    lines = []
    for line in spec.declared.csv_lines(_rows_of(spec), chunk_size=5000):
        lines.append(line)
        if len(lines) >= 5000:
            yield "".join(lines).encode()
            lines = []
    yield "".join(lines).encode()


def export_bundle(out) -> Path:
    """Write the whole database to `out`: a folder, a .zip or an .xlsx.
    Raises ExportError (nothing written) when an .xlsx sheet would exceed
    the rows a worksheet holds."""
    from django.utils.translation import gettext as _

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix in {".csv", ".xls", ".txt", ".json"}:
        raise ExportError(
            _("%(path)s: a bundle is several files; give a folder, a .zip or an .xlsx name. "
              "Nothing was written.") % {"path": out}
        )
    if suffix not in {".zip", ".xlsx"} and out.is_dir():
        # The export writes every file of the format; another .csv in the
        # folder would be read as part of the bundle when it is imported.
        names = {spec.name for spec in FILES}
        others = sorted(
            p.name for p in out.glob("*") if p.suffix.lower() == ".csv" and p.name not in names
        )
        if others:
            raise ExportError(
                _("The folder %(path)s holds files that are not part of a bundle (%(names)s); "
                  "importing it would read them too. Give a new or empty folder. Nothing was written.")
                % {"path": out, "names": ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")}
            )
    if suffix == ".xlsx":
        check_xlsx_fits()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".zip":
        with open(out, "wb") as handle:
            for chunk in zip_chunks():
                handle.write(chunk)
    elif suffix == ".xlsx":
        _export_xlsx(out)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for spec in FILES:
            with open(out / spec.name, "wb") as handle:
                for chunk in _csv_bytes_chunks(spec.name):
                    handle.write(chunk)
    return out


class _Sink:
    """A write-only stream that hands out what was written: zipfile then
    writes each entry's sizes after its data (no seeking back), so the
    archive can be sent while it is being made, and a file gets exactly the
    same bytes."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.parts)
        self.parts = []
        return data


def zip_chunks():
    """The bundle as a .zip of CSV files, piece by piece (memory stays flat
    whatever the size of the tables)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in FILES:
            info = zipfile.ZipInfo(spec.name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as handle:
                for chunk in _csv_bytes_chunks(spec.name):
                    handle.write(chunk)
                    if len(sink.parts) > 16:
                        yield sink.take()
            yield sink.take()
    yield sink.take()


def check_xlsx_fits():
    """Raise ExportError when a file has more rows than a worksheet holds."""
    from django.utils.translation import gettext as _

    for spec in FILES:
        rows = spec.model._default_manager.count()
        if rows + 1 > XLSX_MAX_ROWS:
            raise ExportError(
                _(
                    "%(file)s has %(rows)s rows, more than an .xlsx worksheet holds (%(max)s "
                    "with the header): export a .zip of CSV files instead."
                )
                % {"file": spec.name, "rows": f"{rows:,}", "max": f"{XLSX_MAX_ROWS - 1:,}"}
            )


_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _export_xlsx(out):
    """Every cell is written as text, exactly as the CSV would hold it (so text
    that begins like a formula has its apostrophe: no cell is a formula), in
    OOXML's escapes where XML cannot carry a character (workbooks.ooxml_escape:
    a carriage return, other control characters); then the workbook's archive
    is rewritten with fixed timestamps (openpyxl stamps the current time into
    docProps/core.xml and into every zip entry)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for spec in FILES:
        sheet = workbook.create_sheet(spec.name[:-4])
        for row in iter_rows(spec.name):
            sheet.append([ooxml_escape(value) for value in row])
    raw = tempfile.TemporaryFile()  # on disk, not in memory: a workbook can be large
    workbook.save(raw)
    raw.seek(0)
    with raw, zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<3>", data)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
