"""Fill the current database with synthetic data at a chosen scale (benchmarks)."""

import resource
import time
from collections import defaultdict

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max
from tqdm import tqdm

from demo import synthetic
from aidtracker.lib.cache import bump_data_version
from demo.bulk import insert_rows
from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from outcomes import rollups
from outcomes.models import Surgery, Trainee, Training

REFERENCE = [
    (Region, "regions", "code"),
    (Hospital, "hospitals", "code"),
    (Program, "programs", "code"),
    (Twinning, "twinnings", ("program_id", "specialty_id", "donor_hospital_id")),
    (Team, "teams", "code"),
    (Person, "people", "code"),
    (Rotation, "rotations", ("team_id", "person_id")),
]


class Command(BaseCommand):
    help = (
        "Add synthetic surgeries, trainings and rotations to the current database, for "
        "benchmarks. Creates the reference world (the demo's regions, hospitals, programs, "
        "teams and people) where it is missing, then adds exactly the requested numbers "
        "of rows, valid by the models' rules, in one transaction (COPY on PostgreSQL). "
        "Trainees, short-term teams and people are added as those rows need them. "
        "Runs again add more rows under new refs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--surgeries", type=int, default=0, metavar="N")
        parser.add_argument("--trainings", type=int, default=0, metavar="M")
        parser.add_argument("--rotations", type=int, default=0, metavar="K")
        parser.add_argument("--seed", type=int, default=0, metavar="S")
        parser.add_argument("--batch-size", type=int, default=20_000,
                            help="rows per insert batch (memory is bounded by this)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, surgeries, trainings, rotations, seed, batch_size, database, **options):
        for name, value in (("--surgeries", surgeries), ("--trainings", trainings),
                            ("--rotations", rotations)):
            if value < 0:
                raise CommandError(f"{name} must be 0 or more, not {value}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.using = database
        self.batch_size = batch_size
        self.progress = options["verbosity"] >= 1
        self.created = defaultdict(int)
        began = time.monotonic()
        world = synthetic.build_world()
        with transaction.atomic(using=database):
            self.ensure_world(world)
            tag = self.run_tag(seed)
            if rotations:
                self.add_rotations(world, rotations, seed, tag)
            if surgeries:
                self.add_surgeries(world, surgeries, seed, tag)
            if trainings:
                self.add_trainings(world, trainings, seed, tag)
            # COPY writes no rollup rows: recompute them (set-based, all of them).
            rollups.rebuild_all(using=database)
            # COPY and bulk inserts send no model signals: move cached figures on.
            bump_data_version(database)
        elapsed = time.monotonic() - began
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Created (run {tag}, {connections[database].vendor}):")
        for label, count in self.created.items():
            self.stdout.write(f"  {label:<12} {count:>10,}")
        self.stdout.write(f"in {elapsed:.1f} s; peak memory {peak_mb:.0f} MB.")

    # -- the reference world ------------------------------------------------

    def ensure_world(self, world):
        """Insert the rows of the reference world that the database lacks."""
        for model, attr, key in REFERENCE:
            rows = getattr(world, attr)
            if isinstance(key, tuple):
                existing = set(model.objects.using(self.using).values_list(*key))
                missing = [r for r in rows if tuple(r[k] for k in key) not in existing]
            else:
                existing = set(model.objects.using(self.using).values_list("pk", flat=True))
                missing = [r for r in rows if r[key] not in existing]
            if model is Team:
                # a batch number the database already uses in that program stays theirs
                taken = set(Team.objects.using(self.using).values_list("program_id", "batch"))
                missing = [r for r in missing if (r["program_id"], r["batch"]) not in taken]
            if model is Rotation:
                teams = set(Team.objects.using(self.using).values_list("pk", flat=True))
                missing = self.without_clashes([r for r in missing if r["team_id"] in teams])
            if missing:
                self.created[attr] += insert_rows(model, missing, self.using)

    def without_clashes(self, rotations):
        """Leave out reference rotations that would overlap one already in the database."""
        people = {r["person_id"] for r in rotations}
        taken = defaultdict(list)
        for person, start, end in Rotation.objects.using(self.using).filter(
            person__in=people
        ).values_list("person_id", "start_date", "end_date"):
            taken[person].append((start, end))
        return [
            r for r in rotations
            if not any(s <= r["end_date"] and r["start_date"] <= e for s, e in taken[r["person_id"]])
        ]

    def run_tag(self, seed):
        """`G{seed}R{n}`: the first run number whose refs and codes are all unused."""
        n = 1
        while True:
            tag = f"G{seed}R{n}"
            if not (
                Surgery.objects.using(self.using).filter(ref__startswith=f"{tag}-").exists()
                or Training.objects.using(self.using).filter(ref__startswith=f"{tag}-").exists()
                or Team.objects.using(self.using).filter(code__contains=f"-{tag}-").exists()
                or Trainee.objects.using(self.using).filter(code__contains=f"-{tag}-").exists()
            ):
                return tag
            n += 1

    # -- the scaled rows ----------------------------------------------------

    def bar(self, total, what):
        return tqdm(total=total, desc=what, unit=" rows", disable=not self.progress,
                    mininterval=1.0, file=self.stderr._out)

    def flush(self, buffers, order):
        for label in order:
            rows = buffers[label]
            if rows:
                self.created[label] += insert_rows(apps.get_model(label), rows, self.using)
                rows.clear()

    def add_rotations(self, world, k, seed, tag):
        next_batch = {
            code: (top or 0) + 1
            for code, top in Program.objects.using(self.using)
            .annotate(top=Max("teams__batch")).values_list("code", "top")
        }
        order = ("deployments.person", "deployments.team", "deployments.rotation")
        buffers = {label: [] for label in order}
        names = {"person": order[0], "team": order[1], "rotation": order[2]}
        try:
            with self.bar(k, "rotations") as bar:
                for kind, row in synthetic.extra_rotations(world, k, seed, tag, next_batch):
                    buffers[names[kind]].append(row)
                    if kind == "rotation":
                        bar.update(1)
                        if len(buffers[order[2]]) >= self.batch_size:
                            self.flush(buffers, order)
                self.flush(buffers, order)
        except ValueError as error:
            raise CommandError(str(error))
        self.rename({"deployments.person": "people", "deployments.team": "teams",
                     "deployments.rotation": "rotations"})

    def add_surgeries(self, world, n, seed, tag):
        teams = set(Team.objects.using(self.using).values_list("pk", flat=True))
        batch = []
        with self.bar(n, "surgeries") as bar:
            for row in synthetic.surgeries(world, n, seed, ref_prefix=f"{tag}-S"):
                if row["team_id"] not in teams:
                    row["team_id"] = None  # a reference team the database did not take
                batch.append(row)
                if len(batch) >= self.batch_size:
                    self.created["surgeries"] += insert_rows(Surgery, batch, self.using)
                    bar.update(len(batch))
                    batch.clear()
            self.created["surgeries"] += insert_rows(Surgery, batch, self.using)
            bar.update(len(batch))

    def add_trainings(self, world, m, seed, tag):
        order = ("outcomes.trainee", "outcomes.training")
        buffers = {label: [] for label in order}
        with self.bar(m, "trainings") as bar:
            for kind, row in synthetic.trainees_and_trainings(
                world, m, seed, ref_prefix=f"{tag}-T", trainee_prefix=f"{tag}-"
            ):
                buffers[f"outcomes.{kind}"].append(row)
                if kind == "training":
                    bar.update(1)
                    if len(buffers["outcomes.training"]) >= self.batch_size:
                        self.flush(buffers, order)
            self.flush(buffers, order)
        self.rename({"outcomes.trainee": "trainees", "outcomes.training": "trainings"})

    def rename(self, labels):
        for label, name in labels.items():
            if label in self.created:
                self.created[name] += self.created.pop(label)
