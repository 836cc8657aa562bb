from django.urls import path

from . import views

app_name = "interchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("<pk:pk>/", views.batch, name="batch"),
    path("<pk:pk>/confirm/", views.confirm, name="confirm"),
    path("<pk:pk>/restart/", views.restart, name="restart"),
    path("<pk:pk>/cancel/", views.cancel, name="cancel"),
    path("template.xlsx", views.template, name="template"),
    path("export.<str:fmt>", views.export, name="export"),
]
