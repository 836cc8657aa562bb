"""The workbook a coordinator fills offline (`/import/template.xlsx`): one
sheet per file of their records, built from the files' specs (specs.py), so
that a template filled in Excel or LibreOffice imports unchanged.

- The sheets are named like the files without `.csv` and hold only their
  header: no row to delete before importing.
- Each header cell has a note in the reader's language: the column's label,
  whether it is required, what a value must be (the importer's own words,
  cells.py and values.py) and an example.
- Drop-down lists (data validation): every code list of the spec (a
  column's choices, surgery grades, yes/no), and the hospitals, teams,
  programs and specialties the user may write (for one program: that
  program's, with its specialties first). A code list is strict; a list of
  hospitals, teams or programs warns but lets another code through, which
  the importer then checks. Lists too long for a cell's 255 characters lie
  on the hidden "lists" sheet, each under a defined name.
- Date columns are formatted YYYY-MM-DD (a typed date is a date cell, which
  the importer reads); month and text columns are formatted as text, so
  that a typed 2025-03 stays a month and a code stays as typed.
- The "example" sheet shows one example row per file. The importer passes
  over the "example" and "lists" sheets (sources.TEMPLATE_SHEETS).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.scope import COORDINATOR, editable_programs, get_scope
from deployments.models import TEAM_BATCH_POSITIVE_MESSAGE, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Specialty
from outcomes.models import SURGERY_GRADE_MESSAGE

from .cells import PATTERNS, REF_EXPECTED
from .sources import EXAMPLE_SHEET, LISTS_SHEET
from .specs import SPECS
from .values import TRUE

# The files a coordinator fills, in the bundle's order: one sheet each.
TEMPLATE_FILES = (
    "rotations.csv",
    "surgeries.csv",
    "trainings.csv",
    "techniques.csv",
    "referrals.csv",
    "consultations.csv",
    "indicators.csv",
)

# Excel keeps a list typed into a validation to 255 characters.
INLINE_LIST_MAX = 255
LAST_ROW = 1_048_576  # Excel's last row: a validation covers the whole column below the header
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
BOOL_VALUES = ("yes", "no")
GRADES = ("1", "2", "3", "4")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")

# Example values by column name; other columns take theirs from their kind
# and the lists (`_example`).
EXAMPLES = {
    "person_id": "P-0001",
    "person_name": "Zhang Wei",
    "trainee_id": "T-0001",
    "trainee_name": "Tashi Dorje",
    "procedure": "Laparoscopic cholecystectomy",
    "name": "Hemodialysis",
    "skill": "Ultrasound-guided nerve block",
    "hours": "40",
    "value": "1200",
}


@dataclass
class Lists:
    """The codes the drop-down lists offer, for one user (and program)."""

    hospitals: list
    teams: list
    programs: list
    specialties: list

    def for_ref(self, target):
        return {
            "hospital": self.hospitals,
            "team": self.teams,
            "program": self.programs,
            "specialty": self.specialties,
        }[target]


def template_lists(user, program=None):
    """The codes `user` may write (all for an admin), or those of `program`.

    Hospitals: the recipient hospitals of the programs (first), the donor
    hospitals they twin with and the home hospitals of their teams' experts.
    Teams: theirs, the latest first. Programs: theirs. Specialties: the whole spec list, those the programs
    twin or rotate first."""
    everything = program is None and get_scope(user).role != COORDINATOR
    programs = Program.objects.filter(pk=program.pk) if program else editable_programs(user)
    program_codes = list(programs.order_by("code").values_list("code", flat=True))
    all_specialties = list(Specialty.objects.order_by("code").values_list("code", flat=True))
    if everything:
        return Lists(
            hospitals=list(Hospital.objects.order_by("code").values_list("code", flat=True)),
            teams=list(Team.objects.order_by("-start_date", "code").values_list("code", flat=True)),
            programs=program_codes,
            specialties=all_specialties,
        )
    recipients = Program.objects.filter(code__in=program_codes)
    donors = Twinning.objects.filter(program__code__in=program_codes).values("donor_hospital")
    homes = Rotation.objects.filter(team__program__code__in=program_codes).values("person__home_hospital")
    hospitals = Hospital.objects.filter(
        Q(pk__in=recipients.values("recipient_hospital")) | Q(pk__in=donors) | Q(pk__in=homes)
    ).annotate(  # the recipient hospitals first: most records are theirs
        recipient=Exists(recipients.filter(recipient_hospital=OuterRef("pk")))
    )
    own = set(Twinning.objects.filter(program__code__in=program_codes).values_list("specialty", flat=True))
    own |= set(Rotation.objects.filter(team__program__code__in=program_codes).values_list("specialty", flat=True))
    return Lists(
        hospitals=list(hospitals.order_by("-recipient", "code").values_list("code", flat=True)),
        teams=list(Team.objects.filter(program__code__in=program_codes).order_by("-start_date", "code")
                   .values_list("code", flat=True)),
        programs=program_codes,
        specialties=[c for c in all_specialties if c in own] + [c for c in all_specialties if c not in own],
    )


def _label(spec, column):
    """The column's label in the active language: the verbose name of the
    field its value comes from ("Date", "Home hospital"), else its name."""
    declared = next(c for c in spec.declared if c.name == column.name)
    source = declared.source
    if not isinstance(source, str):  # an expression: a referral's origin or destination
        return capfirst(column.name.replace("_", " "))
    model, field, parts = spec.model, None, source.split("__")
    names = []
    for part in parts:
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            try:
                field = model._meta.get_field(part.removesuffix("_id"))
            except FieldDoesNotExist:
                return capfirst(column.name.replace("_", " "))
        names.append(str(field.verbose_name))
        if field.is_relation:
            model = field.related_model
    if len(names) > 1:  # "person" + "name": the person's name
        return capfirst(_("%(of)s: %(field)s") % {"of": names[-2], "field": names[-1]})
    return capfirst(names[-1])


def expected(column):
    """What a value of `column` must be, in the importer's words."""
    kind = column.kind
    if kind == "text":
        return _("text of at most %(n)d characters") % {"n": column.max_length}
    if kind in PATTERNS:  # a key or a code of a pattern
        return str(PATTERNS[kind][1])
    if kind == "choice":
        return _("one of: %(values)s") % {"values": ", ".join(c for c in column.choices if c)}
    if kind.startswith("ref:"):
        return str(REF_EXPECTED[kind[4:]]())
    if kind == "grade":
        return str(SURGERY_GRADE_MESSAGE)
    if kind == "int":
        if column.minimum >= 1:
            return str(TEAM_BATCH_POSITIVE_MESSAGE)
        return _("a whole number without separators")
    if kind == "decimal":
        return _("a number with '.' as decimal separator and no thousands separator")
    if kind == "date":
        text = _("a date written YYYY-MM-DD")
        if column.not_after_today:
            text += "; " + _("not after today")
        return text
    if kind == "period":
        return _("a month written YYYY-MM") + "; " + _("not after this month")
    if kind == "bool":
        return _("yes or no (also true/false, 1/0, y/n; empty means no)")
    if kind == "end":
        return _(
            "a hospital code, a region code or (for an international referral's origin) "
            "a two-letter country code"
        )
    raise ValueError(kind)


def _example(spec, column, lists, today, used):
    """One example value of `column` (text, as the importer reads it);
    `used` holds the hospitals of the row's earlier columns, so that a
    consultation's two hospitals, or a referral's ends, differ."""
    kind = column.kind
    if column.name in EXAMPLES:
        return EXAMPLES[column.name]
    if kind in ("ref:hospital", "end"):
        fresh = [code for code in lists.hospitals if code not in used] or lists.hospitals
        if fresh:
            used.add(fresh[0])
        return fresh[0] if fresh else ""
    if kind == "key":
        return f"{spec.name.removesuffix('.csv')[:4].upper()}-{today.year}-0001"
    if kind == "choice":
        return next(c for c in column.choices if c)
    if kind.startswith("ref:"):
        codes = lists.for_ref(kind[4:])
        return codes[0] if codes else ""
    if kind == "grade":
        return "3"
    if kind == "int":
        return "1" if column.minimum >= 1 else "50"
    if kind == "decimal":
        return "2.5"
    if kind == "date":
        return today.isoformat()
    if kind == "period":
        return (today.replace(day=1) - datetime.timedelta(days=1)).isoformat()[:7]
    if kind == "bool":
        return "no"
    return ""


def _sentence(text):
    text = capfirst(text)
    return text if text.endswith(".") else text + "."


def _note(spec, column, example):
    required = _("Required.") if column.required else _("Optional; leave empty when not known.")
    lines = [
        f"{_label(spec, column)} ({column.name})",
        required,
        _sentence(expected(column)),
    ]
    if example:
        lines.append(_("Example: %(value)s") % {"value": example})
    return "\n".join(lines)


class _ListSheet:
    """The hidden "lists" sheet: one column per long list, each under a
    defined name that validations refer to."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.sheet = None
        self.names = {}

    def formula(self, key, values):
        """The validation formula of a list: inline when short, else a
        defined name on the lists sheet."""
        inline = ",".join(values)
        if len(inline) + 2 <= INLINE_LIST_MAX and not any("," in v or '"' in v for v in values):
            return f'"{inline}"'
        if key not in self.names:
            if self.sheet is None:
                self.sheet = self.workbook.create_sheet(LISTS_SHEET)
                self.sheet.sheet_state = "hidden"
            index = len(self.names) + 1
            letter = get_column_letter(index)
            self.sheet.cell(row=1, column=index, value=key)
            for row, value in enumerate(values, start=2):
                self.sheet.cell(row=row, column=index, value=value).number_format = TEXT_FORMAT
            name = "list_" + key
            reference = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
            self.workbook.defined_names[name] = DefinedName(name, attr_text=reference)
            self.names[key] = name
        return self.names[key]


def _list_for(spec, column, lists):
    """(list key, values, strict) of the drop-down of `column`, or None."""
    kind = column.kind
    if kind == "choice":
        return f"{spec.name.removesuffix('.csv')}_{column.name}", [c for c in column.choices if c], True
    if kind == "grade":
        return "grade", list(GRADES), True
    if kind == "bool":
        return "yes_no", list(BOOL_VALUES), True
    if kind.startswith("ref:"):
        target = kind[4:]
        values = lists.for_ref(target)
        # The spec's specialty list is a code list; the user's hospitals,
        # teams and programs are a choice among codes the importer checks.
        return target, values, target == "specialty"
    if kind == "end":
        return "hospital", lists.hospitals, False
    return None


def build_template(user, program=None):
    """The template workbook (openpyxl), labelled in the active language."""
    assert set(BOOL_VALUES) <= set(TRUE)
    today = timezone.localdate()
    lists = template_lists(user, program)
    workbook = Workbook()
    workbook.remove(workbook.active)
    list_sheet = _ListSheet(workbook)
    examples = []
    for file_name in TEMPLATE_FILES:
        spec = SPECS[file_name]
        sheet = workbook.create_sheet(file_name.removesuffix(".csv"))
        sheet.freeze_panes = "A2"
        row, used = [], set()
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            example = _example(spec, column, lists, today, used)
            row.append(example)
            header = sheet.cell(row=1, column=index, value=column.name)
            header.font = HEADER_FONT
            header.fill = HEADER_FILL
            comment = Comment(_note(spec, column, example), "Aidtracker")
            comment.width, comment.height = 320, 150
            header.comment = comment
            dimension = sheet.column_dimensions[letter]
            dimension.width = max(14, len(column.name) + 4)
            if column.kind == "date":
                dimension.number_format = DATE_FORMAT
            elif column.kind not in ("int", "decimal"):
                dimension.number_format = TEXT_FORMAT
            drop_down = _list_for(spec, column, lists)
            if drop_down is None or not drop_down[1]:
                continue
            key, values, strict = drop_down
            validation = DataValidation(
                type="list",
                formula1=list_sheet.formula(key, values),
                allow_blank=not column.required,
                showErrorMessage=True,
                errorStyle="stop" if strict else "warning",
                errorTitle=column.name,
                error=_sentence(expected(column)),
            )
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(validation)
        examples.append((spec, row))
    _example_sheet(workbook, examples)
    if list_sheet.sheet is not None:
        workbook.move_sheet(list_sheet.sheet, offset=len(workbook.sheetnames))
    workbook.active = 0
    return workbook


def _example_sheet(workbook, examples):
    """The "example" sheet: what the sheets are, then each file's header and
    one example row. The importer passes over it."""
    sheet = workbook.create_sheet(EXAMPLE_SHEET)
    lines = [
        _("How to fill this workbook"),
        _(
            "Fill the sheets named after the files (rotations, surgeries, ...) from their second row: "
            "one record a row, under the header as it is. A note on each header says what the column holds."
        ),
        _("Leave empty the sheets and columns you have nothing for; do not rename sheets or headers."),
        _(
            "This sheet shows one example row of each file; the import passes over it and over the "
            "hidden \"lists\" sheet of the drop-down lists, so nothing needs deleting before the upload."
        ),
    ]
    for number, line in enumerate(lines, start=1):
        sheet.cell(row=number, column=1, value=line).font = HEADER_FONT if number == 1 else Font()
    row = len(lines) + 2
    widths = {}
    for spec, values in examples:
        for index, (column, value) in enumerate(zip(spec.column_names, values), start=1):
            widths[index] = max(widths.get(index, 0), len(column), len(value))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    for spec, values in examples:
        sheet.cell(row=row, column=1, value=spec.name.removesuffix(".csv")).font = Font(bold=True, size=12)
        for index, column in enumerate(spec.columns, start=1):
            sheet.cell(row=row + 1, column=index, value=column.name).font = HEADER_FONT
            sheet.cell(row=row + 2, column=index, value=values[index - 1]).number_format = TEXT_FORMAT
        row += 4
