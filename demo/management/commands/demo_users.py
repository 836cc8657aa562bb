"""Create one demo account per role (demo databases only)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from deployments.models import Program
from hospitals.models import Region

DEMO_PASSWORD = "aidtracker-demo"


class Command(BaseCommand):
    help = (
        "Create the demo accounts coordinator, official, official-donor, official-all and "
        f"viewer (password '{DEMO_PASSWORD}'), once: the coordinator of the first program, "
        "an official of that program's province and one of its donor province. For "
        "`make run` and demo databases only."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        program = Program.objects.select_related("recipient_hospital__region", "donor_region").order_by("code").first()
        province = donor = None
        if program is not None:
            province = Region.objects.filter(code=program.recipient_hospital.region.province_code).first()
            donor = program.donor_region
        accounts = [
            ("coordinator", "coordinator", [program] if program else [], [], False),
            ("official", "official", [], [province] if province else [], False),
            ("official-donor", "official", [], [donor] if donor else [], False),
            ("official-all", "official", [], [], True),
            ("viewer", "viewer", [], [], True),
        ]
        for username, role, programs, regions, all_regions in accounts:
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(username, f"{username}@example.org", DEMO_PASSWORD)
            user.profile.role = role
            user.profile.all_regions = all_regions
            user.profile.save()
            user.profile.programs.set(programs)
            user.profile.regions.set(regions)
            scope = ", ".join(str(x.pk) for x in [*programs, *regions]) or "everything"
            self.stdout.write(f"Demo {role}: {username} / {DEMO_PASSWORD} ({scope})")
