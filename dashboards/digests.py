"""The coordinators' digest by e-mail: their coverage gaps ahead and what is
missing from their log (figures/worklist.py), for `send_digests` (cron).

One plain-text mail per coordinator with an e-mail address and something to
say: a coverage gap within the next 90 days, or a month of the last twelve
in which a team was on site and nothing was logged. When each record kind
was last logged comes with it, as context; alone it is not worth a mail.
Written in the coordinator's language (their profile's, else the default),
sent through Django's e-mail framework (settings.EMAIL_BACKEND).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Role
from figures.worklist import HORIZON_DAYS, SILENT_MONTHS, coverage_gaps_ahead, last_logged, silent_months


@dataclass
class Digest:
    user: object
    language: str
    subject: str
    body: str


def coordinators():
    """Active coordinators with an e-mail address and at least one program,
    with their programs (and those programs' recipient hospitals)."""
    return (
        get_user_model().objects.filter(is_active=True, profile__role=Role.COORDINATOR)
        .exclude(email="")
        .filter(profile__programs__isnull=False)
        .distinct()
        .select_related("profile")
        .order_by("username")
    )


def digest_for(user, today) -> Digest | None:
    """The digest of coordinator `user` for `today`, or None when there is
    nothing to say."""
    profile = user.profile
    language = profile.language or settings.LANGUAGE_CODE
    programs = list(profile.programs.select_related("recipient_hospital").order_by("code"))
    if not programs:
        return None
    with translation.override(language):
        gaps = coverage_gaps_ahead(programs, today)
        silent = silent_months(programs, today)
        if not gaps and not silent:
            return None
        context = {
            "user": user,
            "today": today,
            "programs": programs,
            "gaps": gaps,
            "silent": silent,
            "logged": last_logged(programs, today),
            "horizon_days": HORIZON_DAYS,
            "silent_months": SILENT_MONTHS,
        }
        subject = render_to_string("email/digest_subject.txt", context).strip()
        body = render_to_string("email/digest.txt", context)
    return Digest(user, language, " ".join(subject.split()), body)


def send_digests(today=None, *, dry_run=False) -> tuple[list, int]:
    """Send each coordinator their digest; return (the digests sent, or that
    would be sent with `dry_run`; how many coordinators had nothing to say)."""
    today = today or timezone.localdate()
    digests, quiet = [], 0
    for user in coordinators():
        digest = digest_for(user, today)
        if digest is None:
            quiet += 1
        else:
            digests.append(digest)
    if not dry_run and digests:
        with get_connection() as connection:
            connection.send_messages([
                EmailMessage(
                    d.subject, d.body, settings.DEFAULT_FROM_EMAIL, [d.user.email], connection=connection
                )
                for d in digests
            ])
    return digests, quiet
