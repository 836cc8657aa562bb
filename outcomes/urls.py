"""URLs of the outcomes app (namespace "outcomes")."""

from django.urls import path

from outcomes import views, views_indicators, views_records

app_name = "outcomes"

urlpatterns = []
for _prefix, _name, _view in [
    ("surgeries", "surgery_list", views.SurgeryListView),
    ("trainings", "training_list", views.TrainingListView),
    ("techniques", "technique_list", views.TechniqueListView),
    ("referrals", "referral_list", views.ReferralListView),
    ("consultations", "consultation_list", views.ConsultationListView),
]:
    urlpatterns += [
        path(f"{_prefix}/", _view.as_view(), name=_name),
        path(f"{_prefix}/export.csv", _view.as_view(), {"export": True}, name=f"{_name}_csv"),
    ]
# A hospital's monthly indicators, one month at a time.
urlpatterns.append(
    path("hospitals/<str:code>/indicators/", views_indicators.indicator_month, name="indicator_month")
)
# Record pages: <kind>, <kind>_create, _update, _delete, _history.
urlpatterns += views_records.urlpatterns
