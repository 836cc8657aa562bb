"""A rule of the record forms that spans rows: a person's name, once recorded,
is not changed by a form that names the person again.

The importer does not share it: a bundle describes its people, and importing
it updates their names (an upsert, interchange spec section 2); it checks
only that every row of one person in the bundle gives the same name
(interchange/handlers.py, DescribedImport)."""

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
