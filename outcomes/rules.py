"""Rules that span rows, shared by the record forms and the importer (one set
of rules, one set of messages)."""

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
