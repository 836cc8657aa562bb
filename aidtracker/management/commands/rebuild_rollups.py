"""Recompute the monthly surgery rollup (outcomes.SurgeryMonth) from the surgeries."""

import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from outcomes import rollups
from outcomes.models import SurgeryMonth


class Command(BaseCommand):
    help = (
        "Recompute the monthly surgery rollup that the summary and dashboards read, "
        "from the surgeries, in one transaction. Every write keeps it exact; this is "
        "for after writes that bypassed the models (raw SQL) or a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        started = time.monotonic()
        with transaction.atomic(using=database):
            rollups.rebuild(using=database)
        rows = SurgeryMonth.objects.using(database).count()
        self.stdout.write(f"Surgery rollup: {rows} rows rebuilt in {time.monotonic() - started:.1f} s.")
