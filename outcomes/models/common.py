"""What every outcome record shares: its reference (`ref`), the rule that
numbers are not negative, and the messages that the models' constraints and
the importer (interchange/) speak with."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deployments.models import KEY_VALIDATOR

NOT_NEGATIVE = [MinValueValidator(0)]

# Messages shared by the models' constraints and the importer (interchange/).
NOT_NEGATIVE_MESSAGE = _("Numbers must not be negative.")
SURGERY_GRADE_MESSAGE = _("The surgery grade is 1, 2, 3 or 4.")
TRAINING_HOST_MESSAGE = _(
    "A host hospital is required for further study, and only for further study."
)
REFERRAL_ENDS_MESSAGE = _(
    "Origin and destination do not fit the kind: a transfer in goes to a hospital "
    "from a region or hospital; a referral out leaves a hospital for a region or "
    "hospital; an international patient comes from a country to a hospital."
)
INDICATOR_PERIOD_MESSAGE = _("An indicator's period is a month (YYYY-MM).")
FUTURE_DATE_MESSAGE = _(
    "Not after today (%(today)s): only what has happened is recorded "
    "(planned rotations, teams and trainings may lie ahead)."
)


def event_date_limit():
    """The last day an event may be dated: today in the installation's time
    zone (spec section 2). The importer compares its ISO text with a cell's."""
    return timezone.localdate()


def future_dates(instance, today=None) -> dict:
    """{field: message} for each date of `instance` that records something
    that has happened (`event_date_fields`: a surgery's date, an indicator's
    period, ...) and lies after today: the spec refuses it."""
    today = today or event_date_limit()
    found = {}
    for name in instance.event_date_fields:
        day = getattr(instance, name, None)
        if hasattr(day, "isoformat") and day > today:
            found[name] = FUTURE_DATE_MESSAGE % {"today": today.isoformat()}
    return found


class EventDatesRule:
    """`clean()` refuses the dates of `event_date_fields` after today (forms
    and the admin run it through full_clean; the importer reads the same
    fields with interchange.cells and the same message)."""

    event_date_fields: tuple = ()

    def clean(self):
        super().clean()
        found = future_dates(self)
        if found:
            raise ValidationError(found)


def not_negative_constraint(field, name):
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=NOT_NEGATIVE_MESSAGE,
    )


class RefManager(models.Manager):
    def get_by_natural_key(self, ref):
        return self.get(ref=ref)


def ref_unique(name):
    """`ref` unique, as a constraint: the natural key and the importer's
    ON CONFLICT target. Declared as a UniqueConstraint rather than
    `unique=True`, which on PostgreSQL would add a `varchar_pattern_ops`
    (`_like`) index beside the unique one (no query searches refs by prefix)
    and an index on the history table's copy of `ref`."""
    return models.UniqueConstraint(fields=["ref"], name=name)


class RefModel(EventDatesRule, models.Model):
    """A record whose identity is the data owner's `ref` (each subclass
    declares `ref_unique(...)` among its constraints)."""

    ref = models.CharField(_("reference"), max_length=64, validators=[KEY_VALIDATOR])

    class Meta:
        abstract = True

    def __str__(self):
        return self.ref

    def natural_key(self):
        return (self.ref,)


