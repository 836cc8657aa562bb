"""URLs of the deployments app (namespace "deployments")."""

from django.urls import path

from deployments import views, views_records

app_name = "deployments"

urlpatterns = [
    path("rotations/", views.RotationListView.as_view(), name="rotation_list"),
    path(
        "rotations/export.csv", views.RotationListView.as_view(), {"export": True},
        name="rotation_list_csv",
    ),
    # Rotation pages: rotation, rotation_create, _update, _delete, _history.
    *views_records.urlpatterns,
]
