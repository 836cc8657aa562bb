"""What came of the deployments: surgeries, trainings, techniques, referrals,
consultations and monthly indicators, a module each. No patient identifiers,
by design."""

from outcomes.models.common import (  # noqa: F401
    FUTURE_DATE_MESSAGE,
    INDICATOR_PERIOD_MESSAGE,
    NOT_NEGATIVE_MESSAGE,
    REFERRAL_ENDS_MESSAGE,
    SURGERY_GRADE_MESSAGE,
    TRAINING_HOST_MESSAGE,
)
from outcomes.models.consultations import Consultation  # noqa: F401
from outcomes.models.indicators import IndicatorValue  # noqa: F401
from outcomes.models.referrals import Referral  # noqa: F401
from outcomes.models.surgeries import MINIMALLY_INVASIVE, SURGERY_COUNTS, Surgery, SurgeryMonth  # noqa: F401
from outcomes.models.techniques import Technique  # noqa: F401
from outcomes.models.trainings import (  # noqa: F401
    ANY_KIND,
    INDEPENDENT,
    STARTED,
    Trainee,
    TraineeGroupSpanMonth,
    TraineeSpanMonth,
    Training,
    TrainingCountMonth,
    started,
)
