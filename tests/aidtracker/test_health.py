"""/healthz: public, one real database round trip, JSON."""

from importlib import import_module

from django.test import Client


def test_healthz_answers_ok_after_one_database_round_trip(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_sign_in_and_only_reads(db):
    assert getattr(import_module("aidtracker.lib.health").healthz, "login_required", True) is False
    assert Client().post("/healthz").status_code == 405
