"""Remove leftovers of imports under DJANGO_MEDIA_ROOT/imports/."""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from interchange import service

UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def duration(text):
    """'2d', '12h', '30m' -> timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text or "")
    if not match:
        raise ValueError(text)
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Command(BaseCommand):
    help = (
        "Remove what imports left under DJANGO_MEDIA_ROOT/imports/: uploaded files older than "
        "--older-than that no running import uses (a checked bundle not confirmed by then "
        "expires; an interrupted one can no longer be started again), and the progress, log "
        "and lock files of finished imports. Marks imports whose process died as interrupted. "
        "Finished imports remove their own upload; run this daily from cron for the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", default="2d",
            help="age of the leftovers to remove: 2d (default), 12h, 30m",
        )
        parser.add_argument("--dry-run", action="store_true", help="list what would go, remove nothing")

    def handle(self, *args, older_than, dry_run, **options):
        try:
            age = duration(older_than)
        except ValueError:
            raise CommandError(
                f"--older-than {older_than!r}: give a number and a unit, e.g. 2d, 12h or 30m.",
                returncode=2,
            ) from None
        removed = service.clean_uploads(age, dry_run=dry_run)
        verb, passive = ("would remove", "would be removed") if dry_run else ("removed", "removed")
        for path in removed:
            self.stdout.write(f"{verb} {path}")
        self.stdout.write(f"{len(removed)} {'item' if len(removed) == 1 else 'items'} {passive}.")
