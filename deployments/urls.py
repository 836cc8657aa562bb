"""URLs of the deployments app (namespace "deployments")."""

from deployments import views_records

app_name = "deployments"

urlpatterns = [
    # Rotation pages: rotation, rotation_create, _update, _delete, _history.
    *views_records.urlpatterns,
]
