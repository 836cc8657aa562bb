"""Rules that span rows, shared by the record forms and the importer (one set
of rules, one set of messages)."""

from django.utils.translation import gettext_lazy as _

PERSON_NAME_DISAGREES = _(
    "Person %(code)s is recorded as “%(recorded)s”, not “%(given)s”; a person's name must "
    "agree across records. Correct the name, or use another person ID."
)


def person_name_disagrees(person, given_name):
    """The message when an existing person's name differs from `given_name`, else None."""
    if person is None or person.name == given_name:
        return None
    return PERSON_NAME_DISAGREES % {"code": person.code, "recorded": person.name, "given": given_name}
