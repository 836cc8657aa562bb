from django.urls import path

from deployments import views

app_name = "deployments"

urlpatterns = [
    path("rotations/", views.RotationListView.as_view(), name="rotation_list"),
    path(
        "rotations/export.csv", views.RotationListView.as_view(), {"export": True},
        name="rotation_list_csv",
    ),
]
