"""`loaddata` that leaves the monthly surgery rollup exact.

Django's loaddata saves each surgery on its own (one rollup rebuild each)
and would load the rollup rows of a `dumpdata outcomes` fixture on top of
the ones those saves wrote. This one ignores rollup rows in fixtures
(derived data), loads with the per-save rebuilds off, and recomputes the
rollup once at the end, all in one transaction.
"""

from django.core.management.commands import loaddata
from django.db import transaction

from outcomes import rollups

ROLLUP_LABEL = "outcomes.SurgeryMonth"


class Command(loaddata.Command):
    help = loaddata.Command.help + " Recomputes the monthly surgery rollup afterwards."

    def handle(self, *fixture_labels, **options):
        options["exclude"] = [*(options.get("exclude") or []), ROLLUP_LABEL]
        using = options["database"]
        with transaction.atomic(using=using), rollups.suspended():
            super().handle(*fixture_labels, **options)
            rollups.rebuild(using=using)
