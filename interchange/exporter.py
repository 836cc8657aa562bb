"""The exporter: the whole database as an interchange-format bundle.

Deterministic by design, so that export -> import into an empty database ->
export gives byte-identical files: rows sorted by key (byte order, the same on
SQLite and PostgreSQL), columns in the spec's order, one canonical text per
value (dates YYYY-MM-DD, months YYYY-MM, yes/no, decimals without trailing
zeros), CSV with CRLF line ends (RFC 4180), and for .zip and .xlsx fixed
timestamps inside the archive.
"""

import csv
import io
import re
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from django.db import connection

from .specs import FILES
from .values import format_decimal

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries' timestamp: the content alone decides the bytes
XLSX_MAX_ROWS = 1_048_576  # rows of a worksheet (Excel's limit), the header included


class ExportError(Exception):
    """The export cannot be written as asked; the message says why and what to do."""


def _order(*columns):
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    return ", ".join(f"{c}{collate}" for c in columns)


def _queries():
    """file name -> (SQL selecting the spec's columns in order, formatters)."""
    D, B, N, T, P = "date", "bool", "num", "text", "period"
    return {
        "regions.csv": (
            f"SELECT code, name, name_zh, level, parent_id FROM hospitals_region ORDER BY {_order('code')}",
            (T, T, T, T, T),
        ),
        "hospitals.csv": (
            f"SELECT code, name, name_zh, region_id, grade, kind FROM hospitals_hospital ORDER BY {_order('code')}",
            (T,) * 6,
        ),
        "programs.csv": (
            "SELECT code, name, name_zh, kind, donor_region_id, recipient_hospital_id, start_date, end_date "
            f"FROM deployments_program ORDER BY {_order('code')}",
            (T, T, T, T, T, T, D, D),
        ),
        "twinnings.csv": (
            "SELECT program_id, specialty_id, donor_hospital_id, start_date, end_date FROM deployments_twinning "
            f"ORDER BY {_order('program_id', 'specialty_id', 'donor_hospital_id')}",
            (T, T, T, D, D),
        ),
        "teams.csv": (
            "SELECT code, program_id, name, batch, start_date, end_date FROM deployments_team "
            f"ORDER BY {_order('code')}",
            (T, T, T, N, D, D),
        ),
        "rotations.csv": (
            "SELECT r.team_id, r.person_id, p.name, p.home_hospital_id, r.specialty_id, r.title, r.role, "
            "r.start_date, r.end_date FROM deployments_rotation r "
            "JOIN deployments_person p ON p.code = r.person_id "
            f"ORDER BY {_order('r.team_id', 'r.person_id')}",
            (T, T, T, T, T, T, T, D, D),
        ),
        "surgeries.csv": (
            "SELECT ref, date, hospital_id, specialty_id, procedure, grade, approach, lead, team_id, "
            "demonstration, first_in_region, outcome, blood_loss_ml FROM outcomes_surgery "
            f"ORDER BY {_order('ref')}",
            (T, D, T, T, T, N, T, T, T, B, B, T, N),
        ),
        "trainings.csv": (
            "SELECT t.ref, t.trainee_id, e.name, e.hospital_id, t.specialty_id, e.role, t.kind, "
            "t.host_hospital_id, t.program_id, t.start_date, t.end_date, t.hours, t.status, "
            "t.independent_on, t.skill FROM outcomes_training t "
            "JOIN outcomes_trainee e ON e.code = t.trainee_id "
            f"ORDER BY {_order('t.ref')}",
            (T, T, T, T, T, T, T, T, T, D, D, N, T, D, T),
        ),
        "techniques.csv": (
            "SELECT ref, hospital_id, specialty_id, name, introduced_on, program_id, first_in_region "
            f"FROM outcomes_technique ORDER BY {_order('ref')}",
            (T, T, T, T, D, T, B),
        ),
        "referrals.csv": (
            "SELECT ref, date, kind, COALESCE(origin_hospital_id, origin_region_id, origin_country), "
            "COALESCE(destination_hospital_id, destination_region_id), age_group, distance_km, "
            f"duration_hours, outcome FROM outcomes_referral ORDER BY {_order('ref')}",
            (T, D, T, T, T, T, N, N, T),
        ),
        "consultations.csv": (
            "SELECT ref, date, requesting_hospital_id, consulting_hospital_id, specialty_id, mode "
            f"FROM outcomes_consultation ORDER BY {_order('ref')}",
            (T, D, T, T, T, T),
        ),
        "indicators.csv": (
            "SELECT hospital_id, period, indicator, value FROM outcomes_indicatorvalue "
            f"ORDER BY {_order('hospital_id')}, period, {_order('indicator')}",
            (T, P, T, N),
        ),
    }


def _fmt(kind, value):
    if value is None:
        return ""
    if kind == "text":
        return str(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)[:10]
    if kind == "period":
        return (value.isoformat() if isinstance(value, date) else str(value))[:7]
    if kind == "bool":
        return "yes" if value in (True, 1, "1", "t") else "no"
    return format_decimal(value)


def iter_rows(name):
    """The header, then every row of file `name`, as lists of strings."""
    spec = {s.name: s for s in FILES}[name]
    sql, kinds = _queries()[name]
    yield list(spec.column_names)
    # A server-side cursor on PostgreSQL: rows arrive 2,000 at a time
    # instead of the whole table at once (1,200,000 surgeries held 500 MB).
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while True:
            chunk = cursor.fetchmany(5000)
            if not chunk:
                break
            for row in chunk:
                yield [_fmt(k, v) for k, v in zip(kinds, row)]


def _csv_bytes_chunks(name):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for i, row in enumerate(iter_rows(name)):
        writer.writerow(row)
        if i % 5000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


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
        sql, _kinds = _queries()[spec.name]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) t")
            rows = cursor.fetchone()[0]
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
    """Every cell is written as text, exactly as the CSV would hold it; then the
    workbook's archive is rewritten with fixed timestamps (openpyxl stamps the
    current time into docProps/core.xml and into every zip entry)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for spec in FILES:
        sheet = workbook.create_sheet(spec.name[:-4])
        for row in iter_rows(spec.name):
            sheet.append(row)
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
