from django.urls import path

from . import views

app_name = "interchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/restart/", views.restart, name="restart"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("export.<str:fmt>", views.export, name="export"),
]
