"""Prepare the load-test database: 16 signed-in officials (all regions) and
print the recipient regions to hit. Run with the project's settings:

    DATABASE_URL=... python bench/prepare.py USERS PASSWORD
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidtracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402


def main(count: int, password: str) -> None:
    User = get_user_model()
    hashed = make_password(password)  # once: the hasher is slow on purpose
    names = [f"bench{i}" for i in range(1, count + 1)]
    for name in names:
        user, _ = User.objects.update_or_create(
            username=name, defaults={"password": hashed, "is_active": True}
        )
        try:  # roles come from the accounts app when it is installed
            from accounts.models import Profile, Role

            # An official of every region: since scope fails closed, an
            # official with no regions reads nothing.
            Profile.objects.update_or_create(user=user, defaults={"role": Role.OFFICIAL, "all_regions": True})
        except ImportError:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
    from figures.overview import recipient_regions

    regions = [r.code for r in recipient_regions()]
    print("BENCH_USERS=" + ",".join(f"{n}:{password}" for n in names))
    print("BENCH_REGIONS=" + ",".join(regions))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
