"""`loaddata` that leaves the rollups (surgeries per month, trainee spans and
starts per month, trainee spans per program and host, expert spans and experts per month) exact.

Django's loaddata saves each surgery and training on its own (one rollup
rebuild each) and would load the rollup rows of a `dumpdata outcomes`
fixture on top of the ones those saves wrote. This one ignores rollup rows
in fixtures (derived data), loads with the per-save rebuilds off, and
recomputes the rollups once at the end, all in one transaction.
"""

from django.core.management.commands import loaddata
from django.db import transaction

from aidtracker.lib.bulk_writes import muted_upkeep
from outcomes import rollups

ROLLUP_LABELS = [
    "outcomes.SurgeryMonth", "outcomes.TraineeSpanMonth", "outcomes.TraineeGroupSpanMonth",
    "outcomes.TrainingCountMonth", "deployments.ExpertMonth",
    "deployments.ExpertSpanMonth",
]


class Command(loaddata.Command):
    help = loaddata.Command.help + " Recomputes the rollups of surgeries, trainees and experts afterwards."

    def handle(self, *fixture_labels, **options):
        options["exclude"] = [*(options.get("exclude") or []), *ROLLUP_LABELS]
        using = options["database"]
        with transaction.atomic(using=using), muted_upkeep():
            super().handle(*fixture_labels, **options)
            rollups.rebuild_all(using=using)
