"""The importer of interchange-format bundles (spec sections 1–4).

`import_bundle(path, ...)` reads every file of a bundle in dependency order,
checks every row (values, codes, references, rules that span rows) and
reports every error with file, line, column, value and what was expected.
Only a bundle without a single error is written, in one transaction, with the
history of each created or changed row linked to the import batch. A dry run
runs the same checks and counts exactly what the import would create, update
and leave unchanged with read-only queries against the staged rows, then
rolls back: no record table is written or locked.

Rows stream: each valid row goes to a staging table at once and is not kept
in memory; only the small reference sets (codes of regions, hospitals,
programs, teams, specialties) and the people and trainees of the bundle are.
"""

import re
import time
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aidtracker.lib.cache import bump_data_version
from deployments import rollups as expert_rollup
from outcomes import rollups
from deployments.models import (
    DATES_ORDER_MESSAGE,
    DONOR_REGION_MESSAGE,
    KEY_MESSAGE,
    ROTATION_OVERLAP_MESSAGE,
    TEAM_BATCH_POSITIVE_MESSAGE,
    TEAM_BATCH_UNIQUE_MESSAGE,
    Program,
    Team,
)
from hospitals.models import (
    HOSPITAL_CODE_MESSAGE,
    REGION_CODE_MESSAGE,
    REGION_PARENT_LEVEL_MESSAGE,
    REGION_PARENT_MESSAGE,
    Hospital,
    Region,
    Specialty,
)
from outcomes.models import (
    NOT_NEGATIVE_MESSAGE,
    REFERRAL_ENDS_MESSAGE,
    SURGERY_GRADE_MESSAGE,
    TRAINING_HOST_MESSAGE,
    Surgery,
    SurgeryMonth,
    Trainee,
    Training,
)

from . import values as V
from .sources import FileProblem, Unusable, open_bundle
from .specs import FILES, PERSON_COLUMNS, PERSON_MODEL, TRAINEE_COLUMNS, TRAINEE_MODEL
from .staging import Stage

ERROR_CAP = 1000  # errors kept for the report; all are counted
# Keys of rows with errors kept to find a key twice among them (bad rows are
# not staged); beyond this many, only the staged rows' keys are compared.
BAD_KEYS_KEPT = 10_000
LOCK_KEY = 0x41494454  # pg_advisory_xact_lock key shared by every import ("AIDT")

KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
HOSPITAL_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
REGION_RE = re.compile(r"^[0-9]{6}$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")

PATTERNS = {  # column kind -> (pattern, what was expected)
    "key": (KEY_RE, KEY_MESSAGE),
    "hospital_code": (HOSPITAL_RE, HOSPITAL_CODE_MESSAGE),
    "region_code": (REGION_RE, REGION_CODE_MESSAGE),
    "parent": (REGION_RE, REGION_CODE_MESSAGE),
}


@dataclass
class ImportError_:
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
        value = f" {self.value!r}:" if self.value else ""
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

    @property
    def ok(self):
        return not self.unusable and self.error_count == 0

    @property
    def exit_code(self):
        return 2 if self.unusable else (1 if self.error_count else 0)

    def add(self, file, line, column, value, message):
        self.error_count += 1
        if len(self.errors) < ERROR_CAP:
            self.errors.append(ImportError_(file, line, column, str(value or ""), str(message)))


class _Rollback(Exception):
    pass


class Progress:
    """Calls `callback(done, total, file_name)` about every `every` rows."""

    def __init__(self, callback, total, every=20_000):
        self.callback = callback
        self.total = total
        self.done = 0
        self.every = every

    def step(self, n, name):
        self.done += n
        if self.callback:
            self.callback(self.done, self.total, name)


# -- reference sets -------------------------------------------------------------


class Context:
    """Codes that rows may refer to: the database's plus the bundle's so far."""

    def __init__(self):
        self.regions = {code: (level, name) for code, level, name in Region.objects.values_list("code", "level", "name")}
        self.hospitals = set(Hospital.objects.values_list("code", flat=True))
        self.programs = set(Program.objects.values_list("code", flat=True))
        self.teams = set(Team.objects.values_list("code", flat=True))
        self.specialties = set(Specialty.objects.values_list("code", flat=True))

    def set_for(self, target):
        return {
            "region": self.regions,
            "hospital": self.hospitals,
            "program": self.programs,
            "team": self.teams,
            "specialty": self.specialties,
        }[target]


REF_EXPECTED = {
    "region": lambda: _("the code of a region in regions.csv or in the database"),
    "hospital": lambda: _("the code of a hospital in hospitals.csv or in the database"),
    "program": lambda: _("the code of a program in programs.csv or in the database"),
    "team": lambda: _("the code of a team in teams.csv or in the database"),
    "specialty": lambda: _("a specialty code of the spec's list (e.g. general_surgery)"),
}


def _line(number):
    return _("line %(n)d") % {"n": number}


def _level_label(level):
    try:
        return str(Region.Level(level).label)
    except ValueError:
        return level


def _copy_escape(text):
    """`text` as a value of PostgreSQL's COPY text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _converter(column, ctx):
    """A function cell -> stored text, raising values.Invalid with what was expected."""
    kind = column.kind
    Invalid = V.Invalid
    if kind == "text":
        limit = column.max_length

        def conv(v):
            if len(v) > limit:
                raise Invalid(
                    _("at most %(limit)d characters (it has %(n)d)") % {"limit": limit, "n": len(v)}
                )
            return v

        return conv
    if kind in ("key", "hospital_code", "region_code", "parent"):
        pattern, message = PATTERNS[kind]
        match = pattern.match
        message = str(message)

        def conv(v):
            if match(v) is None:
                raise Invalid(message)
            return v

        return conv
    if kind == "choice":
        allowed = frozenset(column.choices)
        message = _("one of: %(values)s") % {"values": ", ".join(c for c in column.choices if c)}

        def conv(v):
            if v in allowed:
                return v
            raise Invalid(message)

        return conv
    if kind.startswith("ref:"):
        target = kind[4:]
        known = ctx.set_for(target)
        message = str(REF_EXPECTED[target]())

        def conv(v):
            if v in known:
                return v
            raise Invalid(message)

        return conv
    if kind == "grade":
        grades = {"1", "2", "3", "4"}
        message = str(SURGERY_GRADE_MESSAGE)

        def conv(v):
            if v in grades:
                return v
            raise Invalid(message)

        return conv
    if kind == "int":
        parse = V.integer_parser(minimum=-(2**31), maximum=column.maximum)
        if column.minimum >= 1:
            message = str(TEAM_BATCH_POSITIVE_MESSAGE)

            def conv(v):
                try:
                    number = parse(v)
                except Invalid:
                    raise Invalid(message) from None
                if int(number) < column.minimum:
                    raise Invalid(message)
                return number

            return conv
        negative = str(NOT_NEGATIVE_MESSAGE)

        def conv(v):
            number = parse(v)
            if number[0] == "-":
                raise Invalid(negative)
            return number

        return conv
    if kind == "decimal":
        parse = V.decimal_parser(*column.digits)
        negative = str(NOT_NEGATIVE_MESSAGE)

        def conv(v):
            if v[:1] == "-" and v[1:2].isdigit():
                raise Invalid(negative)
            return parse(v)

        return conv
    if kind == "date":
        return V.parse_date
    if kind == "period":
        return V.parse_period
    if kind == "bool":
        return V.parse_bool
    if kind == "end":
        return lambda v: v
    raise ValueError(kind)


# -- one file ----------------------------------------------------------------------


class FileImport:
    """Reads, checks and stages one file of the bundle."""

    def __init__(self, spec, bundle_file, ctx, report, progress, dry_run=False):
        self.spec = spec
        self.dry_run = dry_run
        self.file = bundle_file
        self.ctx = ctx
        self.report = report
        self.progress = progress
        self.name = spec.name
        self.stages = []
        self.stage = None
        self.text_columns = {c.db for c in spec.columns if c.kind == "text" and c.db}

    def error(self, line, column, value, message):
        self.report.add(self.name, line, column, value, message)

    def read_header(self, header):
        spec = self.spec
        names = [h.strip().lower() for h in header]
        positions = {}
        for i, name in enumerate(names):
            if not name and all(not h.strip() for h in header[i:]):
                break  # trailing empty header cells (spreadsheets leave them)
            if name not in spec.column_names:
                self.error(
                    1, header[i], header[i],
                    _("a column of %(file)s: %(names)s") % {"file": self.name, "names": ", ".join(spec.column_names)},
                )
            elif name in positions:
                self.error(1, header[i], header[i], _("each column once; this one is there twice"))
            else:
                positions[name] = i
        for column in spec.columns:
            if column.required and column.name not in positions:
                self.error(1, column.name, "", _("the required column %(name)s is missing") % {"name": column.name})
        return positions

    def run(self):
        spec = self.spec
        rows = self.file.rows()
        try:
            header = next(rows, None)
        except FileProblem as problem:
            self.error(problem.line, "", "", problem.message)
            return
        if header is None or not any(h.strip() for h in header):
            self.error(1, "", "", _("a header row naming the columns; the file is empty"))
            return
        positions = self.read_header(header)
        self.positions = positions
        # The columns the file has, and a row of defaults (an absent column
        # gives its default; a missing required column is reported once, in
        # the header). Every position is below `width`: shorter rows are
        # padded to it.
        plan = []
        defaults = [column.default for column in spec.columns]
        for j, column in enumerate(spec.columns):
            pos = positions.get(column.name)
            if pos is not None:
                plan.append((j, pos, _converter(column, self.ctx), column.required, column.name))
        width = len(header)
        while width and not header[width - 1].strip():
            width -= 1
        self._prepare()
        line = 1
        pending = 0
        Invalid = V.Invalid
        add = self.report.add
        name = self.name
        missing = _("a value (this column is required)")
        too_many = _("no more cells than the header has columns")
        handle = self.handle
        fast = self._fast_row(plan, defaults)
        stage_prepared = self.stage.add_prepared
        try:
            for row in rows:
                line += 1
                pending += 1
                if pending >= 20_000:
                    self.progress.step(pending, name)
                    pending = 0
                n = len(row)
                if not n or (not row[0] and not any(c.strip() for c in row)):
                    continue  # a blank line
                if n > width and any(c.strip() for c in row[width:]):
                    add(name, line, "", row[width], too_many)
                    continue
                if n < width:
                    row += [""] * (width - n)
                if fast is not None:
                    prepared = fast(row, line)
                    if prepared is not None:
                        stage_prepared(prepared)
                        continue
                vals = defaults.copy()
                ok = True
                for j, pos, conv, required, cname in plan:
                    v = row[pos].strip()
                    if v:
                        try:
                            vals[j] = conv(v)
                        except Invalid as exc:
                            ok = False
                            vals[j] = None
                            add(name, line, cname, v, exc.args[0])
                    elif required:
                        ok = False
                        vals[j] = None
                        add(name, line, cname, "", missing)
                handle(line, vals, ok)
        except FileProblem as problem:
            self.error(problem.line, "", "", problem.message)
        finally:
            self.progress.step(pending, name)
            for stage in self.stages:
                stage.close()
        self._finish()

    def _fast_row(self, plan, defaults):
        """A function (row, line) -> the staged form of a valid row, or None
        when the row has any problem (or when unsure): that row then takes
        the general path below, which reports every problem it has.

        The function is generated for the file's columns, one step per
        column without a loop, a call or a try per cell: about a third of
        the Python time of reading and checking 1,000,000 surgeries went to
        that per-cell machinery. Only for files whose rows need nothing
        beyond their cells' checks (FileImport.handle unchanged, no date
        pairs, no codes that later files refer to)."""
        if type(self).handle is not FileImport.handle or self.key_set is not None or self.pairs:
            return None
        spec = self.spec
        postgres = self.stage.postgres
        env = {"Invalid": V.Invalid, "escape": _copy_escape}
        body = []
        for j, pos, conv, required, _cname in plan:
            column = spec.columns[j]
            kind = column.kind
            v = f"c{j}"
            body.append(f"    {v} = row[{pos}].strip()")
            body.append(f"    if {v}:")
            if kind == "text":
                body.append(f"        if len({v}) > {column.max_length}: return None")
                if postgres and column.db:
                    body.append(
                        f"        if '\\\\' in {v} or '\\t' in {v} or '\\n' in {v} or '\\r' in {v}: "
                        f"{v} = escape({v})"
                    )
            elif kind in ("choice", "grade") or kind.startswith("ref:"):
                known = frozenset(column.choices) if kind == "choice" else (
                    frozenset(("1", "2", "3", "4")) if kind == "grade" else self.ctx.set_for(kind[4:])
                )
                env[f"k{j}"] = known  # a reference set is the live one: codes of earlier files count
                body.append(f"        if {v} not in k{j}: return None")
            elif kind in PATTERNS:
                env[f"m{j}"] = PATTERNS[kind][0].match
                body.append(f"        if m{j}({v}) is None: return None")
            elif kind == "bool":
                env[f"b{j}"] = V.TRUE
                body.append(f"        {v} = b{j}.get({v}.lower())")
                body.append(f"        if {v} is None: return None")
            elif kind == "date":
                env[f"d{j}"] = V.DATES_SEEN
                env[f"f{j}"] = conv  # raises Invalid, caught below
                body.append(f"        if {v} not in d{j}: {v} = f{j}({v})")
            elif kind == "int" and column.minimum < 1:
                # Digits without a leading zero, fewer than the maximum has,
                # are already the stored text; anything else goes through
                # the parser (which raises Invalid or gives the stored text).
                env[f"f{j}"] = conv
                body.append(
                    f"        if not ({v}.isdigit() and {v}.isascii() and len({v}) < {len(str(column.maximum))} "
                    f"and ({v}[0] != '0' or {v} == '0')): {v} = f{j}({v})"
                )
            else:
                env[f"f{j}"] = conv  # raises Invalid, caught below
                body.append(f"        {v} = f{j}({v})")
            if required:
                body.append("    else: return None")
            else:
                default = defaults[j]
                if default is not None and not isinstance(default, str):
                    return None
                if postgres:
                    default = "\\N" if default is None else _copy_escape(default)
                body.append(f"    else: {v} = {default!r}")
        present = {j for j, *_rest in plan}
        out = []
        for j, column in enumerate(spec.columns):
            if not column.db:
                continue
            if j in present:
                out.append(f"c{j}")
            else:  # a column the file lacks: its default
                default = defaults[j]
                if default is not None and not isinstance(default, str):
                    return None
                if postgres:
                    out.append(repr("\\N" if default is None else _copy_escape(default)))
                else:
                    out.append(repr(default))
        if postgres:
            result = "'\\t'.join((" + ", ".join(out) + ", str(line))) + '\\n'"
        else:
            result = "[" + ", ".join(out) + ", line]"
        source = (
            "def fast(row, line):\n    try:\n"
            + "\n".join("    " + text for text in body)
            + "\n    except Invalid:\n        return None\n"
            + f"    return {result}\n"
        )
        exec(compile(source, f"<fast rows of {self.name}>", "exec"), env)
        return env["fast"]

    # Hooks that a file overrides: set-up, one row, end of file, set-based checks.

    def _prepare(self):
        spec = self.spec
        self.db_index = [i for i, c in enumerate(spec.columns) if c.db]
        self.all_db = self.db_index == list(range(len(spec.columns)))
        self.idx = {c.name: i for i, c in enumerate(spec.columns)}
        self.pairs = [(self.idx[a], self.idx[b], b) for a, b in spec.date_pairs]
        # A large file of a plain kind may be staged straight into its empty
        # table (Stage._start_direct_load): its rows need no checks that
        # compare them with the table's, and nothing else reads the table
        # before the write. Not in a dry run: that writes no record table.
        expected = 0 if self.dry_run or type(self) is not FileImport else self.file.estimate_rows()
        self.stage = Stage(spec.model, spec.db_columns, spec.conflict, self.name, self.text_columns, expected)
        # An optional column the file leaves out is kept as it is on the rows
        # it updates; an empty cell, by contrast, means "not given" and clears it.
        self.stage.kept = frozenset(
            c.db for c in spec.columns if c.db and not c.required and c.name not in self.positions
        )
        self.stages.append(self.stage)
        self.key_idx = [self.idx[k] for k in spec.key]
        self.bad_keys = {}  # key of a row with errors -> its line
        self.key_set = None
        if spec.key == ("code",) and spec.model in (Hospital, Program, Team):
            self.key_set = self.ctx.set_for({Hospital: "hospital", Program: "program", Team: "team"}[spec.model])

    def check_dates(self, line, vals):
        ok = True
        for a, b, bname in self.pairs:
            start, end = vals[a], vals[b]
            if start is not None and end is not None and end < start:
                self.error(line, bname, end, DATES_ORDER_MESSAGE)
                ok = False
        return ok

    def handle(self, line, vals, ok):
        if self.key_set is not None and vals[0] is not None:
            self.key_set.add(vals[0])  # later files may refer to it, even if this row is bad
        if self.pairs and not self.check_dates(line, vals):
            ok = False
        if ok:
            self.stage.add(line, vals if self.all_db else [vals[i] for i in self.db_index])
        else:
            self._remember_bad_key(line, vals)

    def _remember_bad_key(self, line, vals):
        """A row with errors is not staged, but its key, if readable, still
        counts: a key twice is reported whether or not the rows have other
        errors (every error, as the spec asks)."""
        key = tuple(vals[i] for i in self.key_idx)
        if None in key:
            return
        first = self.bad_keys.get(key)
        if first is not None:
            self._key_twice(line, key, first)
        elif len(self.bad_keys) < BAD_KEYS_KEPT:
            self.bad_keys[key] = line

    def _key_twice(self, line, key, first):
        self.error(
            line, "+".join(self.spec.key), " + ".join(str(k) for k in key),
            _("a key that appears once per bundle; line %(first)d has it already") % {"first": first},
        )

    def _finish(self):
        pass

    def checks(self):
        """Set-based checks on the staged rows (after every file is staged)."""
        if self.stage is None:
            return  # the file could not be read past its header
        for row in self.stage.duplicate_keys(ERROR_CAP):
            line, *key, first = row
            self._key_twice(line, key, first)
        # Keys of rows with errors that staged rows have too (the database
        # gives dates as dates: compare as text).
        bad_lines = {tuple(map(str, key)): line for key, line in self.bad_keys.items()}
        for line, *key in self.stage.rows_with_keys(self.bad_keys):
            bad_line = bad_lines[tuple(map(str, key))]
            self._key_twice(max(line, bad_line), key, min(line, bad_line))


class RegionsImport(FileImport):
    """Regions refer to each other (parent); the tree is checked at the end of the file."""

    def _prepare(self):
        super()._prepare()
        self.rows = []

    def handle(self, line, vals, ok):
        code, name, _zh, level, _parent = vals
        if code is not None:  # known even if its row is bad, so that no error cascades
            self.ctx.regions[code] = (level, name or "")
        self.rows.append((line, vals, ok))

    def _finish(self):
        regions = self.ctx.regions
        expected_parent = {"prefecture": "province", "county": "prefecture"}
        for line, vals, ok in self.rows:
            code, name, _zh, level, parent = vals
            if level is not None:
                if (level == "province") != (parent is None):
                    self.error(line, "parent_code", parent or "", REGION_PARENT_MESSAGE)
                    ok = False
                elif parent is not None:
                    if parent not in regions:
                        self.error(line, "parent_code", parent, REF_EXPECTED["region"]())
                        ok = False
                    elif regions[parent][0] not in (None, expected_parent[level]):
                        parent_level, parent_name = regions[parent]
                        self.error(
                            line, "parent_code", parent,
                            REGION_PARENT_LEVEL_MESSAGE % {
                                "level": _level_label(level),
                                "expected": _level_label(expected_parent[level]),
                                "parent": f"{parent} {parent_name}",
                                "parent_level": _level_label(parent_level),
                            },
                        )
                        ok = False
            if ok:
                self.stage.add(line, list(vals))
        self.stage.close()
        self.rows = []


class ProgramsImport(FileImport):
    def handle(self, line, vals, ok):
        donor = vals[self.idx["donor_region_code"]]
        if donor is not None and self.ctx.regions.get(donor, ("province",))[0] not in ("province", None):
            level, name = self.ctx.regions[donor]
            self.error(
                line, "donor_region_code", donor,
                DONOR_REGION_MESSAGE % {"region": f"{donor} {name}", "level": _level_label(level)},
            )
            ok = False
        super().handle(line, vals, ok)


class TeamsImport(FileImport):
    def checks(self):
        super().checks()
        if self.stage is None:
            return
        # A batch number is unique within a program: inside the bundle ...
        for line, program, batch, first in self.stage.query(
            "SELECT s._line, s.program_id, s.batch, d.first FROM {stg} s JOIN "
            "(SELECT program_id, batch, min(_line) AS first FROM {stg} GROUP BY program_id, batch "
            "HAVING count(*) > 1) d ON s.program_id = d.program_id AND s.batch = d.batch "
            "WHERE s._line <> d.first ORDER BY s._line"
        ):
            self.error(line, "batch", batch, f"{TEAM_BATCH_UNIQUE_MESSAGE} ({_line(first)})")
        # ... and against the teams already in the database.
        for line, batch, code in self.stage.query(
            "SELECT s._line, s.batch, t.code FROM {stg} s JOIN deployments_team t "
            "ON t.program_id = s.program_id AND t.batch = s.batch AND t.code <> s.code "
            "WHERE NOT EXISTS (SELECT 1 FROM {stg} o WHERE o.code = t.code) ORDER BY s._line"
        ):
            self.error(line, "batch", batch, f"{TEAM_BATCH_UNIQUE_MESSAGE} ({code})")


class DescribedImport(FileImport):
    """rotations and trainings: some columns describe a person (trainee) that
    must be the same on every row of that person; they are written to Person
    (Trainee) once."""

    id_column = ""
    described = ()  # (csv column, index in the person row)
    person_model = None
    person_columns = ()
    label_suffix = ""

    def _prepare(self):
        super()._prepare()
        self.people = {}  # id -> (values..., first line)
        self.describe_idx = [self.idx[c] for c in self.described]

    def handle(self, line, vals, ok):
        pid = vals[self.idx[self.id_column]]
        if pid is not None:
            desc = [vals[i] for i in self.describe_idx]
            seen = self.people.get(pid)
            if seen is None:
                if None not in desc:
                    self.people[pid] = (*desc, line)
            else:
                for column, i, value in zip(self.described, range(len(desc)), desc):
                    if value is not None and value != seen[i]:
                        self.error(
                            line, column, value,
                            _("the same %(column)s on every row of %(id)s; line %(first)d has %(other)s")
                            % {"column": column, "id": pid, "first": seen[-1], "other": seen[i]},
                        )
                        ok = False
        super().handle(line, vals, ok)

    def _finish(self):
        stage = Stage(self.person_model, self.person_columns, ("code",), self.name + self.label_suffix, {"code", "name"})
        for pid, (*desc, line) in self.people.items():
            stage.add(line, [pid, *desc])
        stage.close()
        self.people_stage = stage
        self.people = {}


class RotationsImport(DescribedImport):
    id_column = "person_id"
    described = ("person_name", "home_hospital_code")
    person_model = PERSON_MODEL
    person_columns = PERSON_COLUMNS
    label_suffix = " (people)"

    def checks(self):
        super().checks()
        if self.stage is None:
            return
        message = ROTATION_OVERLAP_MESSAGE
        # Two rotations of one person in the bundle overlap ...
        # The value shown is the row's own start date, the cell the error is on.
        for line, own_start, person, start, end, team, other_line in self.stage.query(
            "SELECT a._line, a.start_date, a.person_id, b.start_date, b.end_date, b.team_id, b._line "
            "FROM {stg} a JOIN {stg} b ON a.person_id = b.person_id AND b._line < a._line "
            "AND b.start_date <= a.end_date AND b.end_date >= a.start_date ORDER BY a._line"
        ):
            self.error(
                line, "start_date", str(own_start),
                message % {"person": person, "start": str(start), "end": str(end), "team": f"{team} ({_line(other_line)})"},
            )
        # ... or one of them overlaps a rotation in the database that the bundle keeps.
        in_database = _("already in the database")  # outside the f-string, for xgettext
        for line, own_start, person, start, end, team in self.stage.query(
            "SELECT a._line, a.start_date, a.person_id, r.start_date, r.end_date, r.team_id "
            "FROM {stg} a JOIN deployments_rotation r ON r.person_id = a.person_id "
            "AND r.team_id <> a.team_id AND r.start_date <= a.end_date AND r.end_date >= a.start_date "
            "WHERE NOT EXISTS (SELECT 1 FROM {stg} b WHERE b.team_id = r.team_id AND b.person_id = r.person_id) "
            "ORDER BY a._line"
        ):
            self.error(
                line, "start_date", str(own_start),
                message % {
                    "person": person, "start": str(start), "end": str(end),
                    "team": f"{team} ({in_database})",
                },
            )


class TrainingsImport(DescribedImport):
    id_column = "trainee_id"
    described = ("trainee_name", "hospital_code", "role")
    person_model = TRAINEE_MODEL
    person_columns = TRAINEE_COLUMNS
    label_suffix = " (trainees)"

    def handle(self, line, vals, ok):
        kind = vals[self.idx["kind"]]
        host = vals[self.idx["host_hospital_code"]]
        if kind is not None and (kind == "further_study") != (host is not None):
            self.error(line, "host_hospital_code", host or "", TRAINING_HOST_MESSAGE)
            ok = False
        super().handle(line, vals, ok)


class ReferralsImport(FileImport):
    """origin and destination map onto hospital, region or country by kind."""

    def _prepare(self):
        super()._prepare()
        self.kind_i = self.idx["kind"]
        self.origin_i = self.idx["origin"]
        self.dest_i = self.idx["destination"]

    def _place(self, code, allow_region):
        """(hospital, region) for a code: a hospital's code wins over a region's."""
        if code in self.ctx.hospitals:
            return code, None
        if allow_region and code in self.ctx.regions:
            return None, code
        return None

    def handle(self, line, vals, ok):
        kind, origin, dest = vals[self.kind_i], vals[self.origin_i], vals[self.dest_i]
        ends = [None, None, "", None, None]
        if kind is not None and origin is not None and dest is not None:
            if kind == "international":
                if COUNTRY_RE.match(origin):
                    ends[2] = origin.upper()
                else:
                    self.error(line, "origin", origin, _("an ISO 3166-1 alpha-2 country code, e.g. NP") + "; " + str(REFERRAL_ENDS_MESSAGE))
                    ok = False
                place = self._place(dest, allow_region=False)
                if place is None:
                    self.error(line, "destination", dest, REF_EXPECTED["hospital"]() + "; " + str(REFERRAL_ENDS_MESSAGE))
                    ok = False
                else:
                    ends[3] = place[0]
            else:
                origin_place = self._place(origin, allow_region=(kind == "transfer_in"))
                dest_place = self._place(dest, allow_region=(kind == "referral_out"))
                for column, value, place, regions_ok in (
                    ("origin", origin, origin_place, kind == "transfer_in"),
                    ("destination", dest, dest_place, kind == "referral_out"),
                ):
                    if place is None:
                        expected = (
                            _("the code of a hospital or region in the bundle or the database")
                            if regions_ok else REF_EXPECTED["hospital"]()
                        )
                        self.error(line, column, value, f"{expected}; {REFERRAL_ENDS_MESSAGE}")
                        ok = False
                if origin_place and dest_place:
                    ends = [origin_place[0], origin_place[1], "", dest_place[0], dest_place[1]]
        elif kind is None or origin is None or dest is None:
            ok = False
        if ok:
            row = [vals[i] for i in self.db_index]
            row.extend(ends)
            self.stage.add(line, row)


HANDLERS = {
    "regions.csv": RegionsImport,
    "programs.csv": ProgramsImport,
    "teams.csv": TeamsImport,
    "rotations.csv": RotationsImport,
    "trainings.csv": TrainingsImport,
    "referrals.csv": ReferralsImport,
}

# Order of the writes: people before their rotations, trainees before trainings.
WRITE_ORDER = [
    "regions.csv", "hospitals.csv", "programs.csv", "twinnings.csv", "teams.csv",
    "rotations.csv (people)", "rotations.csv", "surgeries.csv", "trainings.csv (trainees)",
    "trainings.csv", "techniques.csv", "referrals.csv", "consultations.csv", "indicators.csv",
]


# -- the whole bundle -------------------------------------------------------------


def import_bundle(path, *, dry_run=False, user=None, batch=None, progress=None) -> Report:
    """Import the bundle at `path`; return the Report. Writes nothing unless
    the bundle has no error at all and `dry_run` is false."""
    started = time.monotonic()
    report = Report(dry_run=dry_run)
    try:
        bundle = open_bundle(path)
    except Unusable as exc:
        report.unusable = str(exc)
        return report
    with bundle:
        for origin in bundle.unknown:
            report.add(origin, None, "", origin, _("a file of the interchange format (%(names)s)") % {
                "names": ", ".join(spec.name for spec in FILES)
            })
        total = sum(f.estimate_rows() for f in bundle.files.values())
        tracker = Progress(progress, total)
        try:
            _run(bundle, report, tracker, dry_run=dry_run, user=user, batch=batch)
            if "commit" in report.timings:  # deferred foreign-key checks run at the commit
                report.timings["commit"] = time.monotonic() - report.timings["commit"]
        except Unusable as exc:
            report.unusable = str(exc)
        except _Rollback:
            pass
    # Row checks and set-based checks found errors at different times: the
    # report lists them file by file (in the spec's order), line by line.
    order = {spec.name: i for i, spec in enumerate(FILES)}
    report.errors.sort(key=lambda e: (order.get(e.file, -1), e.line or 0))
    report.seconds = time.monotonic() - started
    return report


def _surgery_groups(stage):
    """(hospital codes, first date, last date) of the staged surgeries and of
    the surgeries already there with the same refs (an update may move one),
    or None when nothing is staged. One query."""
    if stage.rows == 0:
        return None
    stage.analyze()
    table = Surgery._meta.db_table
    with connection.cursor() as cursor:
        if stage.direct:  # the table holds the staged rows and nothing else
            cursor.execute(f"SELECT hospital_id, MIN(date), MAX(date) FROM {table} GROUP BY hospital_id")
        else:
            cursor.execute(
                f"SELECT g.hospital_id, MIN(g.date), MAX(g.date) FROM ("
                f"SELECT s.hospital_id, s.date FROM {stage.name} s UNION ALL "
                f"SELECT t.hospital_id, t.date FROM {table} t INNER JOIN {stage.name} s ON t.ref = s.ref"
                f") g GROUP BY g.hospital_id"
            )
        rows = cursor.fetchall()
    if not rows:
        return None
    return {r[0] for r in rows}, min(r[1] for r in rows), max(r[2] for r in rows)


class _TraineeRollups:
    """Keeps the trainee rollups (outcomes/rollups.py) exact across the writes
    of the trainees and trainings stages, which send no model signals: for a
    few trainees their contributions are read before and after and the
    difference added; for many, the hospitals they were in or are in now are
    rebuilt from the trainings (set-based, in this transaction)."""

    TRAINEES, TRAININGS = "trainings.csv (trainees)", "trainings.csv"

    def __init__(self, stages):
        self.trainees = stages.get(self.TRAINEES)
        self.trainings = stages.get(self.TRAININGS)
        self.delta = None
        self.hospitals = None

    def _touched_sql(self):
        """Trainee codes of the staged rows and of the trainings they replace."""
        parts = []
        if self.trainees is not None:
            parts.append(f"SELECT code FROM {self.trainees.name}")
        if self.trainings is not None:
            parts.append(f"SELECT trainee_id FROM {self.trainings.name}")
            parts.append(
                f"SELECT t.trainee_id FROM {Training._meta.db_table} t "
                f"INNER JOIN {self.trainings.name} s ON t.ref = s.ref"
            )
        return " UNION ".join(parts)

    def before(self):
        if not any(stage is not None and stage.rows for stage in (self.trainees, self.trainings)):
            return
        touched = self._touched_sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code FROM ({touched}) c LIMIT %s", [rollups.DELTA_MAX_TRAINEES + 1])
            codes = [row[0] for row in cursor.fetchall()]
            if len(codes) <= rollups.DELTA_MAX_TRAINEES:
                self.delta = rollups.TraineeDelta(codes).before()
                return
            cursor.execute(
                f"SELECT DISTINCT hospital_id FROM {Trainee._meta.db_table} WHERE code IN ({touched})"
            )
            self.hospitals = {row[0] for row in cursor.fetchall()}

    def after(self):
        if self.delta is not None:
            self.delta.after()
        elif self.hospitals is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT DISTINCT hospital_id FROM {Trainee._meta.db_table} "
                    f"WHERE code IN ({self._touched_sql()})"
                )
                self.hospitals |= {row[0] for row in cursor.fetchall()}
            rollups.rebuild_trainees(self.hospitals)


def _refused(report, label, exc):
    """Report what the database refused (its first line), not a traceback."""
    report.add(
        label, None, "", "",
        _("the database refused these rows: %(error)s") % {"error": str(exc).strip().splitlines()[0]},
    )


def _run(bundle, report, tracker, *, dry_run, user, batch):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two imports at once would each check against a database the
            # other is changing: the second waits for the first to finish.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                # Memory for this transaction's sorts and hashes (the check
                # for keys twice groups every staged key; the rollup groups
                # every written surgery) and for rebuilding indexes after a
                # bulk load: PostgreSQL's defaults (4 MB, 64 MB) spill to disk.
                cursor.execute("SET LOCAL work_mem = '128MB'")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        t0 = time.monotonic()
        ctx = Context()
        imports = []
        stages = {}
        try:
            for spec in FILES:
                bundle_file = bundle.files.get(spec.name)
                if bundle_file is None:
                    continue
                handler = HANDLERS.get(spec.name, FileImport)(
                    spec, bundle_file, ctx, report, tracker, dry_run=dry_run
                )
                imports.append(handler)
                handler.run()
                for stage in handler.stages:
                    stages[stage.label] = stage
                if hasattr(handler, "people_stage"):
                    stages[handler.people_stage.label] = handler.people_stage
        except BaseException as exc:
            for handler in imports:
                for stage in handler.stages:
                    stage.abort()
            if isinstance(exc, DatabaseError):
                # A row staged straight into its table (a first load) that
                # the database refuses: reported as at the write below.
                _refused(report, spec.name, exc)
                raise _Rollback from None
            raise
        report.timings["read+stage"] = time.monotonic() - t0
        t0 = time.monotonic()
        for handler in imports:
            handler.checks()
        report.timings["checks"] = time.monotonic() - t0
        report.rows = sum(stage.rows for label, stage in stages.items() if "(" not in label)
        if report.error_count:
            raise _Rollback
        when = timezone.now()
        user_id = getattr(user, "pk", None)
        batch_id = getattr(batch, "pk", None)
        trainee_rollups = _TraineeRollups(stages)
        try:
            with transaction.atomic():
                if not dry_run:
                    trainee_rollups.before()
                for label in WRITE_ORDER:
                    stage = stages.get(label)
                    if stage is None:
                        continue
                    t0 = time.monotonic()
                    if dry_run:
                        created, updated = stage.classify()
                    else:
                        touched = _surgery_groups(stage) if stage.model is Surgery else None
                        created, updated = stage.upsert(when=when, user_id=user_id, batch_id=batch_id)
                        if touched and (created or updated):
                            # Bulk upserts send no signals: recompute the monthly
                            # rollup of the hospitals and months the rows were in
                            # or are in now, set-based, in this transaction.
                            with stage.derived_write(SurgeryMonth._meta.db_table):
                                rollups.rebuild_surgery_months(*touched)
                    report.timings[f"write {label}"] = time.monotonic() - t0
                    report.counts[label] = {
                        "created": created,
                        "updated": updated,
                        "unchanged": stage.rows - created - updated,
                    }
                if not dry_run:
                    trainee_rollups.after()
                    if any(
                        report.counts.get(label, {}).get(key)
                        for label in ("programs.csv", "teams.csv", "rotations.csv")
                        for key in ("created", "updated")
                    ):
                        # Rotations may have moved in or out of any province.
                        expert_rollup.rebuild_expert_months()
                if not dry_run and any(c["created"] or c["updated"] for c in report.counts.values()):
                    # Bulk upserts send no model signals: raise the data version
                    # in this transaction, so cached figures (aidtracker/cache.py)
                    # move on exactly when these rows become visible.
                    bump_data_version()
                if connection.vendor == "sqlite":
                    connection.check_constraints()  # SQLite defers foreign keys to the commit
        except DatabaseError as exc:
            # The checks above should leave nothing for the database to refuse;
            # if it still does, say so plainly instead of a traceback.
            _refused(report, label, exc)
            raise _Rollback from None
        for stage in stages.values():
            stage.drop()
        if dry_run:
            raise _Rollback
        report.timings["commit"] = time.monotonic()  # made a duration once committed
