"""Mail each coordinator their coverage gaps ahead and missing logs (for cron)."""

from django.core.management.base import BaseCommand

from dashboards.digests import send_digests


class Command(BaseCommand):
    help = (
        "Mail each coordinator (with an e-mail address) their digest: the coverage gaps of "
        "their programs' twinned departments within the next 90 days, when each record kind "
        "was last logged, and the months of the last twelve with a team on site and no "
        "surgery or training logged. Nothing is sent to a coordinator with nothing to say. "
        "Through EMAIL_BACKEND (the console by default; SMTP when EMAIL_HOST is set). Run daily "
        "or weekly from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="print who would get a digest, send nothing"
        )

    def handle(self, *args, dry_run, **options):
        digests, quiet = send_digests(dry_run=dry_run)
        done = "would send" if dry_run else "sent"
        for digest in digests:
            self.stdout.write(f"{done}: {digest.user.email} ({digest.language})")
        self.stdout.write(
            f"{len(digests)} digest(s) {done}; {quiet} coordinator(s) with nothing to say."
        )
