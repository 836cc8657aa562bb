"""Load the demo data the first time only, and create the demo admin."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from deployments.models import Program

DEMO_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "aidtracker-demo"


class Command(BaseCommand):
    help = (
        "Load fixtures/demo.json into an empty database (never twice) and create "
        f"the demo admin '{DEMO_USERNAME}' / '{DEMO_PASSWORD}'. For `make run` only."
    )

    def handle(self, *args, **options):
        if Program.objects.exists():
            self.stdout.write("Demo data: the database already holds programs; nothing loaded.")
        elif DEMO_FIXTURE.exists():
            call_command("loaddata", str(DEMO_FIXTURE), verbosity=0)
            self.stdout.write(f"Demo data: loaded {DEMO_FIXTURE.name}.")
        User = get_user_model()
        if not User.objects.filter(username=DEMO_USERNAME).exists():
            User.objects.create_superuser(DEMO_USERNAME, "admin@example.org", DEMO_PASSWORD)
            self.stdout.write(f"Demo admin: {DEMO_USERNAME} / {DEMO_PASSWORD}")
