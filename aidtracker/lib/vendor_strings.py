"""Strings of our dependencies that their own zh-hans catalogues lack.

Never imported: `make messages` (xgettext) reads this file so that these
msgids stay in locale/zh_Hans/LC_MESSAGES/django.po, whose translations take
precedence over the dependencies' catalogues (LOCALE_PATHS come first).

- Django 5.2: strings changed or added since its zh_Hans catalogue was last
  updated (the admin's app list, login page and user form; the password
  length message; a foreign key's invalid-choice message).
- django-filter: ships zh_CN only, which Django never reads for zh-hans;
  translations taken from that catalogue.
- django-axes: ships no Chinese catalogue.
- django-simple-history: four strings newer than its zh_Hans catalogue.

tests/aidtracker/test_vendor_strings.py shows each in a page or message.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "n",
    ),
)

DJANGO_FILTER = (
    gettext_noop("week day"), gettext_noop("hour"), gettext_noop("minute"), gettext_noop("second"),
    gettext_noop("contains"), gettext_noop("is in"), gettext_noop("is greater than"),
    gettext_noop("is greater than or equal to"), gettext_noop("is less than"),
    gettext_noop("is less than or equal to"), gettext_noop("starts with"), gettext_noop("ends with"),
    gettext_noop("is in range"), gettext_noop("is null"), gettext_noop("matches regex"),
    gettext_noop("search"), gettext_noop("is contained by"), gettext_noop("overlaps"),
    gettext_noop("has key"), gettext_noop("has keys"), gettext_noop("has any keys"),
    gettext_noop("Select a lookup."), gettext_noop("Range query expects two values."),
    gettext_noop("Today"), gettext_noop("Yesterday"), gettext_noop("Past 7 days"),
    gettext_noop("This month"), gettext_noop("This year"),
    gettext_noop("Multiple values may be separated by commas."), gettext_noop("%s (descending)"),
    gettext_noop("Ordering"), gettext_noop("Submit"), gettext_noop("Field filters"),
    gettext_noop("exclude"), gettext_noop("All"), gettext_noop("Unknown"), gettext_noop("Yes"),
    gettext_noop("No"), gettext_noop("year"), gettext_noop("day"),
)

DJANGO_AXES = (
    gettext_noop("Locked Out"), gettext_noop("Form Data"), gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Cleaned up {count} expired access attempts."), gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("Username"),
    gettext_noop("HTTP Accept"), gettext_noop("Path"), gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"), gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("GET Data"), gettext_noop("POST Data"), gettext_noop("Failed Logins"),
    gettext_noop("access attempt"), gettext_noop("access attempts"), gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"), gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"), gettext_noop("access logs"),
)

SIMPLE_HISTORY = (
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop("View on site"),
    ngettext_lazy("entry", "entries", "n"),
)
