"""Memory is bounded by the import's limits, not by the file: each hostile
shape is refused with an error naming the file, the line where there is
one, and the limit; the import that refuses it runs in a process of its own
whose peak RSS stays under 200 MB. The files are written in tmp_path with
streaming writes (they compress to little)."""

import os
import sqlite3
import subprocess
import sys
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection

from outcomes.models import Surgery

from .conftest import EXAMPLE, only_error, run, write

pytestmark = pytest.mark.django_db

ROOT = EXAMPLE.parents[1]
HEAD = b"ref,date,hospital_code,specialty,procedure,grade,approach,lead,outcome\n"
MAX_RSS_MB = 200


@pytest.fixture(scope="module")
def database(django_db_setup, django_db_blocker, tmp_path_factory):
    """DATABASE_URL of a migrated database for the imports in processes of
    their own (a dry run writes nothing): the test database on PostgreSQL;
    on SQLite, whose test database is in memory, a copy of it in a file."""
    with django_db_blocker.unblock():
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        path = tmp_path_factory.mktemp("db") / "db.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{path}"


def import_in_a_process(database, path, **settings):
    """(peak RSS in MB, exit status, output) of `import_bundle path --dry-run`
    run by a wrapper process, so that its RUSAGE_CHILDREN is that import's alone."""
    wrapper = (
        "import resource, subprocess, sys; "
        "result = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, result.returncode); "
        "print(result.stdout + result.stderr)"
    )
    env = {**os.environ, "DATABASE_URL": database, **{k: str(v) for k, v in settings.items()}}
    result = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "manage.py", "import_bundle", str(path),
         "--dry-run", "--no-progress"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    head, output = result.stdout.split("\n", 1)
    rss, status = map(int, head.split())
    return rss, status, output


def deflated(name):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # fast: these files are all one byte repeated
    return info


def zip_member(path, name, *pieces, repeat=1, tail=b""):
    """A zip holding `name`: the pieces, the last one repeated `repeat` times, then `tail`."""
    with zipfile.ZipFile(path, "w") as archive, archive.open(deflated(name), "w", force_zip64=True) as out:
        for piece in pieces[:-1]:
            out.write(piece)
        for _ in range(repeat):
            out.write(pieces[-1])
        out.write(tail)
    return path


@pytest.fixture(scope="module")
def one_gib_line(tmp_path_factory):
    """A zip of a few MB holding surgeries.csv: its header, then one line of 1 GiB."""
    path = tmp_path_factory.mktemp("line") / "line.zip"
    return zip_member(path, "surgeries.csv", HEAD, b"x" * (1 << 20), repeat=1024)


def test_a_zip_member_unpacking_to_a_thousand_times_its_size_is_refused_before_it_is_read(database, one_gib_line):
    rss, status, output = import_in_a_process(database, one_gib_line)
    assert status == 1, output
    assert "surgeries.csv unpacks to 1,024 MB from" in output
    assert "an import unpacks at most 100 times (IMPORT_MAX_COMPRESSION_RATIO)" in output
    assert rss < MAX_RSS_MB


def test_a_line_of_a_gigabyte_stops_reading_at_the_line_limit(database, one_gib_line):
    rss, status, output = import_in_a_process(database, one_gib_line, IMPORT_MAX_COMPRESSION_RATIO=1_000_000)
    assert status == 1, output
    assert "surgeries.csv:2 a line of at most 1,024 KB (IMPORT_MAX_LINE_KB)" in output
    assert rss < MAX_RSS_MB


def test_a_quote_never_closed_stops_reading_at_the_cell_limit(database, tmp_path):
    path = zip_member(
        tmp_path / "quote.zip", "surgeries.csv",
        HEAD + b'S-1,2024-01-01,LS-PEOPLES,general_surgery,"never closed\n', b"a,b,c\n" * 100_000, repeat=400,
    )
    rss, status, output = import_in_a_process(database, path, IMPORT_MAX_COMPRESSION_RATIO=1_000_000)
    assert status == 1, output
    assert "surgeries.csv:2 a cell of at most 32,767 characters (IMPORT_MAX_CELL_CHARS)" in output
    assert rss < MAX_RSS_MB


def test_a_row_of_many_cells_with_line_breaks_stops_reading_at_the_line_limit(database, tmp_path):
    path = zip_member(tmp_path / "row.zip", "surgeries.csv", HEAD, b'"x\ny",' * 100_000, repeat=400)
    rss, status, output = import_in_a_process(database, path, IMPORT_MAX_COMPRESSION_RATIO=1_000_000)
    assert status == 1, output
    assert "surgeries.csv:2 a row of at most 1,024 KB (IMPORT_MAX_LINE_KB); this one, with the line breaks" in output
    assert rss < MAX_RSS_MB


# Workbooks: the parts of an .xlsx written by hand, the sheet and shared strings streamed.

SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"


def workbook(path, sheet, strings=None):
    """An .xlsx with one sheet "surgeries": `sheet` and `strings` are lists of
    (bytes, times) written one after the other into the sheet's XML and the
    shared-strings table."""
    types = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = f'<Override PartName="/xl/workbook.xml" ContentType="{types}.sheet.main+xml"/>'
    overrides += f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{types}.worksheet+xml"/>'
    relations = f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    if strings:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{types}.sharedStrings+xml"/>'
        relations += f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PACKAGE}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        ))
        archive.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
            f'</Relationships>'
        ))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
            f'<sheets><sheet name="surgeries" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/relationships">'
            f'{relations}</Relationships>'
        ))
        for name, pieces in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            if pieces:
                with archive.open(deflated(name), "w", force_zip64=True) as out:
                    for piece, times in pieces:
                        for _ in range(times):
                            out.write(piece)
    return path


ONE_ROW = [(SHEET_START + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>', 1)]


@pytest.fixture(scope="module")
def twenty_million_strings(tmp_path_factory):
    strings = [(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="' + MAIN.encode() + b'">', 1),
               (b"<si><t>a</t></si>" * 100_000, 200), (b"</sst>", 1)]
    return workbook(tmp_path_factory.mktemp("strings") / "strings.xlsx", ONE_ROW, strings)


def test_twenty_million_shared_strings_are_refused_before_they_are_read(database, twenty_million_strings):
    rss, status, output = import_in_a_process(database, twenty_million_strings)
    assert status == 2, output
    assert "strings.xlsx is not a readable xlsx workbook: xl/sharedStrings.xml: unpacks to 324 MB" in output
    assert rss < MAX_RSS_MB


def test_shared_strings_stop_at_their_limits(database, twenty_million_strings):
    rss, status, output = import_in_a_process(
        database, twenty_million_strings,
        IMPORT_MAX_COMPRESSION_RATIO=1_000_000, IMPORT_MAX_SHARED_STRINGS_MB=1000, IMPORT_MAX_SHARED_STRINGS=100_000,
    )
    assert status == 2, output
    assert "a shared-strings table of at most 100,000 strings (IMPORT_MAX_SHARED_STRINGS)" in output
    assert rss < MAX_RSS_MB
    rss, status, output = import_in_a_process(database, twenty_million_strings, IMPORT_MAX_COMPRESSION_RATIO=1_000_000)
    assert status == 2 and "unpacks to 324 MB; an import reads at most 48 MB (IMPORT_MAX_SHARED_STRINGS_MB)" in output


def test_a_cell_of_200_mb_in_a_sheet_stops_reading_at_the_cell_limit(database, tmp_path):
    sheet = [(SHEET_START + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>', 1),
             (b"a" * (1 << 20), 200), (b"</t></is></c></row></sheetData></worksheet>", 1)]
    path = workbook(tmp_path / "cell.xlsx", sheet)
    rss, status, output = import_in_a_process(database, path, IMPORT_MAX_COMPRESSION_RATIO=1_000_000)
    assert status == 1, output
    assert "surgeries.csv:1 a cell of at most 32,767 characters (IMPORT_MAX_CELL_CHARS)" in output
    assert rss < MAX_RSS_MB


def test_a_row_of_two_million_cells_stops_reading_at_excels_limit(database, tmp_path):
    sheet = [(SHEET_START + b'<sheetData><row r="1">', 1), (b"<c/>" * 100_000, 20), (b"</row></sheetData></worksheet>", 1)]
    path = workbook(tmp_path / "wide.xlsx", sheet)
    rss, status, output = import_in_a_process(database, path, IMPORT_MAX_COMPRESSION_RATIO=1_000_000)
    assert status == 1, output
    assert "surgeries.csv:1 a row of at most 16,384 cells, as in Excel" in output
    assert rss < MAX_RSS_MB


def test_a_million_rows_with_values_beyond_the_last_column_stop_at_the_first(database, tmp_path):
    rows = b"".join(b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i) for i in range(1, 1001))
    sheet = [(SHEET_START + b"<sheetData>", 1), (rows, 1000), (b"</sheetData></worksheet>", 1)]
    path = workbook(tmp_path / "far.xlsx", sheet)
    rss, status, output = import_in_a_process(database, path, IMPORT_MAX_COMPRESSION_RATIO=1_000_000)
    assert status == 1, output
    assert "surgeries.csv:1 no values after column IV (the 256th)" in output
    assert rss < MAX_RSS_MB


# The same limits, read in this process: the line of the error, the rows not written.

@pytest.fixture
def imported(specialties):
    call_command("import_bundle", str(EXAMPLE), "--no-progress")


def test_a_long_line_is_reported_at_its_line_and_the_lines_before_are_checked(tmp_path, settings, imported):
    settings.IMPORT_MAX_LINE_KB = 64
    lines = (EXAMPLE / "surgeries.csv").read_text(encoding="utf-8").splitlines()
    write(tmp_path, "surgeries.csv", "\n".join([*lines[:3], "S-9," + "x" * 70_000, *lines[3:]]) + "\n")
    e = only_error(run(tmp_path / "surgeries.csv"), file="surgeries.csv", line=4)
    assert e.message.startswith("a line of at most 64 KB (IMPORT_MAX_LINE_KB)")
    assert not Surgery.objects.filter(ref="S-9").exists()


def test_a_file_of_more_reference_rows_than_the_limit_stops_there(tmp_path, settings):
    settings.IMPORT_MAX_REFERENCE_ROWS = 3
    write(tmp_path, "regions.csv", "code,name,level,parent_code\n" + "".join(
        f"{540000 + i},Region {i},province,\n" for i in range(5)
    ))
    e = only_error(run(tmp_path / "regions.csv"), file="regions.csv", line=5)
    assert e.message.startswith("at most 3 rows (IMPORT_MAX_REFERENCE_ROWS)")


def test_more_trainees_than_the_limit_stop_reading_there(example, settings, imported):
    settings.IMPORT_MAX_REFERENCE_ROWS = 1
    e = only_error(run(example / "trainings.csv"), file="trainings.csv", line=4)
    assert e.message.startswith("at most 1 distinct trainee_id values (IMPORT_MAX_REFERENCE_ROWS)")
