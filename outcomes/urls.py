"""URLs of the outcomes app (namespace "outcomes")."""

from outcomes import views_records

app_name = "outcomes"

urlpatterns = [
    # Record pages: <kind>, <kind>_create, _update, _delete, _history.
    *views_records.urlpatterns,
]
