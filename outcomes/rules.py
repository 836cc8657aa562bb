"""A rule of the record forms that spans rows: a trainee's name, once recorded,
is not changed by a form that names the trainee again.

The importer does not share it: a bundle describes its trainees, and importing
it updates their names (an upsert, interchange spec section 2); it checks
only that every row of one trainee in the bundle gives the same name
(interchange/handlers.py, DescribedImport)."""

from django.utils.translation import gettext_lazy as _

TRAINEE_NAME_DISAGREES = _(
    "Trainee %(code)s is recorded as “%(recorded)s”, not “%(given)s”; a trainee's name must "
    "agree across records. Correct the name, or use another trainee ID."
)


def trainee_name_disagrees(trainee, given_name):
    """The message when an existing trainee's name differs from `given_name`, else None."""
    if trainee is None or trainee.name == given_name:
        return None
    return TRAINEE_NAME_DISAGREES % {"code": trainee.code, "recorded": trainee.name, "given": given_name}
