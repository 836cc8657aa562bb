"""The quality warnings of an import: rows that follow the format's rules
but look wrong (docs/interchange.md, "Quality warnings"). They are listed
in the report with their file and line and do not stop the import.

Each rule is the model's (deployments.models, outcomes.models.surgeries),
where it is also a record's method (the forms ask to confirm) and a queryset
filter; here it is its SQL form, run set-based on the staged rows after the
checks, against the teams and programs as the import would leave them.
"""

from deployments.models import ROTATION_OUTSIDE_TEAM_SQL, ROTATION_OUTSIDE_TEAM_WARNING, Program, Team
from outcomes.models.surgeries import (
    SURGERY_TEAM_DATES_SQL,
    SURGERY_TEAM_DATES_WARNING,
    SURGERY_TEAM_HOSPITAL_SQL,
    SURGERY_TEAM_HOSPITAL_WARNING,
)

from .report import ERRORS_PER_FILE


def current_rows(stages, label, model, columns):
    """SQL selecting `columns` of `model`'s rows as the import would leave
    them: the staged rows of file `label` and the table's rows that none of
    them replaces (by code)."""
    table = model._meta.db_table
    cols = ", ".join(columns)
    stage = stages.get(label)
    if stage is None or not stage.rows:
        return f"SELECT {cols} FROM {table}"
    return (
        f"SELECT {cols} FROM {stage.source} UNION ALL SELECT {cols} FROM {table} t "
        f"WHERE NOT EXISTS (SELECT 1 FROM {stage.source} n WHERE n.code = t.code)"
    )


def _teams(stages):
    return current_rows(stages, "teams.csv", Team, ("code", "program_id", "start_date", "end_date"))


def _rows(handler, sql):
    """The first ERRORS_PER_FILE rows of a warning's `sql` on the handler's
    staged rows, by line; the others are counted."""
    rows, found = handler.stage.first_rows(sql, ERRORS_PER_FILE)
    handler.report.count_more_warnings(found - len(rows))
    return rows


def rotation_warnings(handler, stages):
    """Warn of each staged rotation outside its team's dates."""
    stage = handler.stage
    if stage is None or not stage.rows:
        return
    for line, start, end, team, team_start, team_end in _rows(
        handler,
        f"SELECT s.{stage.line_column}, s.start_date, s.end_date, s.team_id, t.start_date, t.end_date "
        f"FROM {{stg}} s JOIN ({_teams(stages)}) t ON t.code = s.team_id "
        f"WHERE {ROTATION_OUTSIDE_TEAM_SQL.format(row='s', team='t')}",
    ):
        message = ROTATION_OUTSIDE_TEAM_WARNING % {
            "start": str(start), "end": str(end), "team": team,
            "team_start": str(team_start), "team_end": str(team_end),
        }
        handler.report.warn(handler.name, line, "start_date", f"{start} – {end}", message)


def surgery_warnings(handler, stages):
    """Warn of each staged surgery whose team was not in the field that day,
    and of each whose team belongs to another recipient hospital."""
    stage = handler.stage
    if stage is None or not stage.rows:
        return
    line = f"s.{stage.line_column}"  # the row's line (its id after a direct load)
    teams = _teams(stages)
    for row_line, day, team, start, end in _rows(
        handler,
        f"SELECT {line}, s.date, s.team_id, t.start_date, t.end_date "
        f"FROM {{stg}} s JOIN ({teams}) t ON t.code = s.team_id "
        f"WHERE {SURGERY_TEAM_DATES_SQL.format(row='s', team='t')}",
    ):
        message = SURGERY_TEAM_DATES_WARNING % {
            "team": team, "date": str(day), "start": str(start), "end": str(end),
        }
        handler.report.warn(handler.name, row_line, "date", str(day), message)
    programs = current_rows(stages, "programs.csv", Program, ("code", "recipient_hospital_id"))
    for row_line, team, team_hospital, hospital in _rows(
        handler,
        f"SELECT {line}, s.team_id, p.recipient_hospital_id, s.hospital_id "
        f"FROM {{stg}} s JOIN ({teams}) t ON t.code = s.team_id "
        f"JOIN ({programs}) p ON p.code = t.program_id "
        f"WHERE {SURGERY_TEAM_HOSPITAL_SQL.format(row='s', program='p')}",
    ):
        message = SURGERY_TEAM_HOSPITAL_WARNING % {
            "team": team, "team_hospital": team_hospital, "hospital": hospital,
        }
        handler.report.warn(handler.name, row_line, "team_code", team, message)
