"""Record pages of the outcomes (detail, create, edit, delete, history), built
from records.views with the scope rules of accounts.scope."""

from records.views import RecordKind, record_urlpatterns
from outcomes.forms import ConsultationForm, ReferralForm, SurgeryForm, TechniqueForm, TrainingForm
from outcomes.models import Consultation, Referral, Surgery, Technique, Training

SURGERY = RecordKind(
    model=Surgery, form_class=SurgeryForm, name="surgery", namespace="outcomes",
    select_related=["hospital__region__parent__parent", "specialty", "team"],
    form_template="outcomes/surgery_form.html",
    counts_at=("hospital", "date"),
    after_save=SurgeryForm.remember,
)
TRAINING = RecordKind(
    model=Training, form_class=TrainingForm, name="training", namespace="outcomes",
    select_related=["trainee__hospital__region__parent__parent", "specialty", "host_hospital", "program"],
    counts_at=("trainee__hospital", "start_date"),
)
TECHNIQUE = RecordKind(
    model=Technique, form_class=TechniqueForm, name="technique", namespace="outcomes",
    select_related=["hospital__region__parent__parent", "specialty", "program"],
    counts_at=("hospital", "introduced_on"),
)
REFERRAL = RecordKind(
    model=Referral, form_class=ReferralForm, name="referral", namespace="outcomes",
    select_related=[
        "origin_hospital__region__parent__parent", "origin_region",
        "destination_hospital__region__parent__parent", "destination_region",
    ],
    # Transfers in and international patients count at their destination,
    # referrals out at their origin (interchange spec, section 5).
    counts_at=(("destination_hospital", "origin_hospital"), "date"),
)
CONSULTATION = RecordKind(
    model=Consultation, form_class=ConsultationForm, name="consultation", namespace="outcomes",
    select_related=["requesting_hospital__region__parent__parent", "consulting_hospital", "specialty"],
    counts_at=("requesting_hospital", "date"),
)

urlpatterns = [
    *record_urlpatterns(SURGERY, "surgeries"),
    *record_urlpatterns(TRAINING, "trainings"),
    *record_urlpatterns(TECHNIQUE, "techniques"),
    *record_urlpatterns(REFERRAL, "referrals"),
    *record_urlpatterns(CONSULTATION, "consultations"),
]
