"""English formats: Django's, with ISO dates and 24-hour times (see
aidtracker/lib/formats/__init__.py) instead of "Nov. 28, 2026" and
"11/28/2026 2:30 p.m."."""

from django.conf.locale.en.formats import *  # noqa: F403

from aidtracker.lib.formats import ISO_DATE, ISO_DATETIME, ISO_TIME

DATE_FORMAT = SHORT_DATE_FORMAT = ISO_DATE
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = ISO_DATETIME
TIME_FORMAT = ISO_TIME
