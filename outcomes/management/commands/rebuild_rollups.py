"""Recompute the rollups (outcomes.SurgeryMonth from the surgeries, TraineeSpanMonth,
TrainingCountMonth and TraineeGroupSpanMonth from the trainings, deployments.ExpertSpanMonth and ExpertMonth from the
rotations)."""

import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from deployments.models import ExpertMonth, ExpertSpanMonth
from outcomes import rollups
from outcomes.models import SurgeryMonth, TraineeGroupSpanMonth, TraineeSpanMonth, TrainingCountMonth


class Command(BaseCommand):
    help = (
        "Recompute the rollups that the summary and dashboards read (surgeries per "
        "month, trainee spans (also per program and host) and trainings per month, expert spans and experts per month), in one transaction. Every write keeps them exact; this is "
        "for after writes that bypassed the models (raw SQL) or a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        started = time.monotonic()
        with transaction.atomic(using=database):
            rollups.rebuild_all(using=database)
        models = (SurgeryMonth, TraineeSpanMonth, TraineeGroupSpanMonth, TrainingCountMonth, ExpertSpanMonth, ExpertMonth)
        counts = [model.objects.using(database).count() for model in models]
        self.stdout.write(
            "Rollups rebuilt in {:.1f} s: surgeries {:,} rows, trainee spans {:,} rows, "
            "trainee spans of programs and hosts {:,} rows, "
            "trainings {:,} rows, expert spans {:,} rows, experts per month {:,} rows.".format(
                time.monotonic() - started, *counts
            )
        )
