"""The handlers of the bundle's files: one FileImport per kind of file.

A FileImport reads one file row by row: the header against the file's spec
(interchange/specs.py), each cell through its converter (interchange/cells.py),
then the rules of one row (dates in order, ...). Valid rows go to a staging
table at once (interchange/staging.py) and are not kept in memory; errors go
to the report. After every file is staged, `checks()` runs the rules that
span rows with set-based SQL on the staged rows (a key twice in the bundle,
overlapping rotations, ...).

The subclasses add what their file needs beyond that: regions refer to each
other, a program's donor is a province, a team's batch is unique within its
program, rotations and trainings describe people that must agree across
rows, and a referral's ends are hospitals, regions or countries by its kind.
"""

import logging

from django.db import DatabaseError
from django.utils.translation import gettext as _

from aidtracker.lib.columns import QUOTE
from deployments.models import (
    DATES_ORDER_MESSAGE,
    DONOR_REGION_MESSAGE,
    ROTATION_OVERLAP_MESSAGE,
    TEAM_BATCH_UNIQUE_MESSAGE,
    Program,
    Team,
)
from hospitals.models import REGION_PARENT_LEVEL_MESSAGE, REGION_PARENT_MESSAGE, Hospital, Region
from outcomes.models import REFERRAL_ENDS_MESSAGE, TRAINING_HOST_MESSAGE

from .cells import COUNTRY_RE, REF_EXPECTED, converter, fast_row_function
from .limits import CheckTimeExceeded, Limits
from .quality import rotation_warnings, surgery_warnings
from .report import ERRORS_PER_FILE
from .sources import FileProblem, Unusable
from .specs import PERSON_COLUMNS, PERSON_MODEL, TRAINEE_COLUMNS, TRAINEE_MODEL
from .staging import Stage
from .values import Invalid

logger = logging.getLogger(__name__)

# Keys of rows with errors kept to find a key twice among them (bad rows are
# not staged); beyond this many, only the staged rows' keys are compared.
BAD_KEYS_KEPT = 10_000


def _line(number):
    return _("line %(n)d") % {"n": number}


def _level_label(level):
    try:
        return str(Region.Level(level).label)
    except ValueError:
        return level


class FileImport:
    """Reads, checks and stages one file of the bundle."""

    def __init__(self, spec, bundle_file, known, report, progress, dry_run=False, limits=None):
        self.spec = spec
        self.dry_run = dry_run
        # Rows a file's handler keeps in memory (codes later files refer to,
        # regions, people): at most this many, so memory does not grow with it.
        self.kept_limit = (limits or Limits.from_settings()).reference_rows
        self.file = bundle_file
        self.known = known
        self.report = report
        self.progress = progress
        self.name = spec.name
        self.stages = []
        self.stage = None
        self.text_columns = {c.db for c in spec.columns if c.kind == "text" and c.db}

    def error(self, line, column, value, message, always=False):
        self.report.add(self.name, line, column, value, message, always)

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
        self.line = 1
        rows = self.file.rows()
        try:
            header = next(rows, None)
        except FileProblem as problem:
            self.error(problem.line, "", "", problem.message, always=True)
            return
        if header is None or not any(h.strip() for h in header):
            self.error(1, "", "", _("a header row naming the columns; the file is empty"))
            return
        try:
            self._read_rows(header, rows)
        except FileProblem as problem:
            self.error(problem.line, "", "", problem.message, always=True)
        except (DatabaseError, Unusable, CheckTimeExceeded):
            raise  # for the importer to say: what the database refused, an unusable bundle, the time up
        except Exception as exc:
            # A file that fails in a way not foreseen is still an error of
            # this file at this line, never a traceback for the user; the
            # log keeps the traceback for the developers.
            line = self.line
            logger.exception("Reading %s stopped at line %d", self.file.origin, line)
            self.error(
                line, "", "",
                _("this file cannot be read from this line on (%(error)s); reading stopped here")
                % {"error": exc.__class__.__name__},
                always=True,
            )
        finally:
            for stage in self.stages:
                stage.close()
        if self.stage is not None:
            self._finish()

    def _read_rows(self, header, rows):
        """Read the header and every row after it: check each row and stage
        it, or report its errors. `self.line` is the line being read when
        reading stops on something unforeseen."""
        spec = self.spec
        self.line = 1
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
                plan.append((j, pos, converter(column, self.known), column.required, column.name))
        width = len(header)
        while width and not header[width - 1].strip():
            width -= 1
        self._prepare()
        line = 1
        pending = 0
        add = self.report.add
        name = self.name
        missing = _("a value (this column is required)")
        too_many = _("no more cells than the header has columns")
        handle = self.handle
        columns = spec.columns
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
                            if v[0] == QUOTE and columns[j].quoted and self._unquoted(j, v, conv, vals):
                                continue  # a code written so that no spreadsheet takes it for a formula
                            ok = False
                            vals[j] = None
                            add(name, line, cname, v, exc.args[0])
                    elif required:
                        ok = False
                        vals[j] = None
                        add(name, line, cname, "", missing)
                handle(line, vals, ok)
        finally:
            self.line = line
            self.progress.step(pending, name)

    def _unquoted(self, j, v, conv, vals):
        """Whether cell `v` of column `j`, which its converter refused, is
        valid without its leading apostrophe (the export writes one before
        a code that begins like a formula, aidtracker.lib.columns); then its
        value goes to vals[j]. An apostrophe alone is an empty cell."""
        column = self.spec.columns[j]
        value = v[1:].strip()
        if not value:
            if column.required:
                return False
            vals[j] = column.default
            return True
        try:
            vals[j] = conv(value)
        except Invalid:
            return False
        return True

    def _fast_row(self, plan, defaults):
        """A function (row, line) -> the staged form of a valid row, or None
        when the row has any problem (or when unsure): that row then takes
        the general path above, which reports every problem it has
        (cells.fast_row_function). Only for files whose rows need nothing
        beyond their cells' checks (FileImport.handle unchanged, no date
        pairs, no codes that later files refer to)."""
        if type(self).handle is not FileImport.handle or self.key_set is not None or self.pairs:
            return None
        return fast_row_function(self.spec, plan, defaults, self.known, postgres=self.stage.postgres)

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
        # (Surgeries' warnings only read the rows once staged.)
        plain = type(self) in (FileImport, SurgeriesImport)
        expected = 0 if self.dry_run or not plain else self.file.estimate_rows()
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
            self.key_set = self.known.set_for({Hospital: "hospital", Program: "program", Team: "team"}[spec.model])

    def check_dates(self, line, vals):
        ok = True
        for a, b, bname in self.pairs:
            start, end = vals[a], vals[b]
            if start is not None and end is not None and end < start:
                self.error(line, bname, end, DATES_ORDER_MESSAGE)
                ok = False
        return ok

    def check_kept(self, line, kept):
        """Raise FileProblem when the handler keeps more than its limit of rows (`kept`)."""
        if kept > self.kept_limit:
            raise FileProblem(line, _(
                "at most %(n)s rows (IMPORT_MAX_REFERENCE_ROWS): the importer keeps the codes of this file "
                "in memory to check the rows that refer to them; import it in parts"
            ) % {"n": f"{self.kept_limit:,}"})

    def handle(self, line, vals, ok):
        if self.key_set is not None and vals[0] is not None:
            self.key_set.add(vals[0])  # later files may refer to it, even if this row is bad
            self.check_kept(line, line - 1)
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

    def first_rows(self, sql):
        """The rows of a set-based check's `sql` that the report keeps (the
        first ERRORS_PER_FILE by line); the others are counted."""
        rows, found = self.stage.first_rows(sql, ERRORS_PER_FILE)
        self.report.count_more(self.name, found - len(rows))
        return rows

    def checks(self):
        """Set-based checks on the staged rows (after every file is staged)."""
        if self.stage is None:
            return  # the file could not be read past its header
        rows, found = self.stage.duplicate_keys(ERRORS_PER_FILE)
        for row in rows:
            line, *key, first = row
            self._key_twice(line, key, first)
        self.report.count_more(self.name, found - len(rows))
        # Keys of rows with errors that staged rows have too (the database
        # gives dates as dates: compare as text).
        bad_lines = {tuple(map(str, key)): line for key, line in self.bad_keys.items()}
        for line, *key in self.stage.rows_with_keys(self.bad_keys):
            bad_line = bad_lines[tuple(map(str, key))]
            self._key_twice(max(line, bad_line), key, min(line, bad_line))

    def warnings(self, stages):
        """Quality warnings on the staged rows (interchange/quality.py): listed
        in the report, they do not stop the import. `stages`: every file's, by label."""


class RegionsImport(FileImport):
    """Regions refer to each other (parent); the tree is checked at the end of the file."""

    def _prepare(self):
        super()._prepare()
        self.rows = []

    def handle(self, line, vals, ok):
        code, name, _zh, level, _parent = vals
        if code is not None:  # known even if its row is bad, so that no error cascades
            self.known.regions[code] = (level, name or "")
        self.rows.append((line, vals, ok))
        self.check_kept(line, len(self.rows))

    def _finish(self):
        regions = self.known.regions
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
        if donor is not None and self.known.regions.get(donor, ("province",))[0] not in ("province", None):
            level, name = self.known.regions[donor]
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
        for line, program, batch, first in self.first_rows(
            "SELECT s._line, s.program_id, s.batch, d.first FROM {stg} s JOIN "
            "(SELECT program_id, batch, min(_line) AS first FROM {stg} GROUP BY program_id, batch "
            "HAVING count(*) > 1) d ON s.program_id = d.program_id AND s.batch = d.batch "
            "WHERE s._line <> d.first"
        ):
            self.error(line, "batch", batch, f"{TEAM_BATCH_UNIQUE_MESSAGE} ({_line(first)})")
        # ... and against the teams already in the database.
        for line, batch, code in self.first_rows(
            "SELECT s._line, s.batch, t.code FROM {stg} s JOIN deployments_team t "
            "ON t.program_id = s.program_id AND t.batch = s.batch AND t.code <> s.code "
            "WHERE NOT EXISTS (SELECT 1 FROM {stg} o WHERE o.code = t.code)"
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
                    if len(self.people) > self.kept_limit:
                        raise FileProblem(line, _(
                            "at most %(n)s distinct %(id)s values (IMPORT_MAX_REFERENCE_ROWS): the "
                            "importer keeps who they are in memory to check that every row describes "
                            "them alike; import the file in parts"
                        ) % {"n": f"{self.kept_limit:,}", "id": self.id_column})
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
        for line, own_start, person, start, end, team, other_line in self.first_rows(
            "SELECT a._line, a.start_date, a.person_id, b.start_date, b.end_date, b.team_id, b._line "
            "FROM {stg} a JOIN {stg} b ON a.person_id = b.person_id AND b._line < a._line "
            "AND b.start_date <= a.end_date AND b.end_date >= a.start_date"
        ):
            self.error(
                line, "start_date", str(own_start),
                message % {"person": person, "start": str(start), "end": str(end), "team": f"{team} ({_line(other_line)})"},
            )
        # ... or one of them overlaps a rotation in the database that the bundle keeps.
        in_database = _("already in the database")  # outside the f-string, for xgettext
        for line, own_start, person, start, end, team in self.first_rows(
            "SELECT a._line, a.start_date, a.person_id, r.start_date, r.end_date, r.team_id "
            "FROM {stg} a JOIN deployments_rotation r ON r.person_id = a.person_id "
            "AND r.team_id <> a.team_id AND r.start_date <= a.end_date AND r.end_date >= a.start_date "
            "WHERE NOT EXISTS (SELECT 1 FROM {stg} b WHERE b.team_id = r.team_id AND b.person_id = r.person_id)"
        ):
            self.error(
                line, "start_date", str(own_start),
                message % {
                    "person": person, "start": str(start), "end": str(end),
                    "team": f"{team} ({in_database})",
                },
            )


    def warnings(self, stages):
        rotation_warnings(self, stages)


class SurgeriesImport(FileImport):
    """A plain file; its quality warnings compare a surgery with its team."""

    def warnings(self, stages):
        surgery_warnings(self, stages)


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
        if code in self.known.hospitals:
            return code, None
        if allow_region and code in self.known.regions:
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
    "surgeries.csv": SurgeriesImport,
    "trainings.csv": TrainingsImport,
    "referrals.csv": ReferralsImport,
}



def handler_for(spec):
    """The FileImport class that reads the file of `spec`."""
    return HANDLERS.get(spec.name, FileImport)
