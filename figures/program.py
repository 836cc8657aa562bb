"""What came of a program: the summary's figures restricted to one program
(the program page, /programs/<code>/).

`program_summary(program, period, specialty=None)` counts, with the very
definitions the region and donor summaries use (figures/definitions.py,
narrowed by `program` or by its recipient `hospital` there, figures/summary.py
reading them):

- `surgeries`: the surgeries at the program's recipient hospital dated
  within the period, whoever led them (local surgeons' own operations carry
  no team), by who led them and by grade: the region summary's `surgeries`
  for that one hospital;
- `twinned_department_surgeries`: the surgeries of the departments the
  program twins, whoever led them (the donor summary's definition, for this
  program's twinnings alone), with the share led by local surgeons alone;
- `twinned_departments`, `teams`, `experts`, `expert_days`: its twinnings,
  teams and the rotations in its teams, by their own dates;
- `trainees`, `techniques`: the trainings and techniques that name it;
- `consultations`: its remote support (ConsultationQuerySet.of_program).

`specialty` narrows every figure with a specialty of its own, as on the
region dashboard (teams have none). A fixed number of queries whatever the
data size: 9 (8 when the program twins nothing in the period).
"""

from aidtracker.lib.periods import Period
from figures import definitions as rules
from figures.series import closed_chart_period, safety_figures, share_percent
from figures.summary import (
    code_of,
    counts_by_month,
    experts_and_days,
    surgery_figures,
    surgery_groups,
    technique_figures,
    trainee_figures,
    twinned_surgery_groups,
)


def program_summary(program, period: Period = Period(), specialty=None, today=None) -> dict:
    """The figures of `program` (a Program) for the period: {"program":
    {"code", "name"}, "period", "remote", "twinned_departments", "teams",
    "experts", "expert_days", "surgeries" (as the region summary's),
    "twinned_department_surgeries" ({"total", "by_lead",
    "local_share_percent"}), "trainees" (as the region summary's),
    "techniques" ({"total", "first_in_region"}), "consultations", "safety"
    (series.safety_figures of the surgeries at the recipient hospital; `today`,
    default the system's date, decides its partial year)}."""
    specialty = code_of(specialty)
    mine = {"specialty": specialty, "program": program.pk}
    experts = experts_and_days(period, **mine)
    at_hospital = surgery_groups(None, period, specialty=specialty, hospital=program.recipient_hospital_id)
    surgeries = surgery_figures(at_hospital)
    twinned = surgery_figures(
        twinned_surgery_groups(program.donor_region_id, period, specialty=specialty, program=program.pk)
    )
    return {
        "program": {"code": program.pk, "name": program.name},
        "period": period.as_dict(),
        "remote": program.is_remote_support,
        "twinned_departments": rules.twinnings(None, period, **mine).count(),
        "teams": rules.teams(None, period, program=program.pk).count(),
        "experts": experts["all"]["experts"],
        "expert_days": experts["all"]["days"],
        "surgeries": surgeries,
        "twinned_department_surgeries": {
            "total": twinned["total"],
            "by_lead": twinned["by_lead"],
            "local_share_percent": share_percent(twinned["by_lead"]["local"], twinned["total"]),
        },
        "trainees": trainee_figures(None, period, **mine),
        "techniques": technique_figures(None, period, **mine),
        "consultations": rules.consultations(None, period, specialty=specialty, program=program).count(),
        # Complication and death rates by who led, of the surgeries at its
        # recipient hospital; per year from the program's start (or the
        # period's) to the period's end (or today).
        "safety": safety_figures(
            counts_by_month(at_hospital), period,
            closed_chart_period(period, program.start_date, today=today), today,
        ),
    }
