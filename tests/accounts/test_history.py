"""History: form edits and admin edits are recorded with their author and
shown before → after; import batches are named on the entries they wrote;
the admin's recent changes list spans every kind."""

import pytest
from django.urls import reverse

from audit.models import ImportBatch
from outcomes.models import Surgery
from tests import factories as f


@pytest.fixture
def surgery(world):
    return f.SurgeryFactory(ref="S-1", hospital=world.lhasa_peoples, grade=2, procedure="Appendectomy")


def edit_data(surgery, **changes):
    data = {
        "procedure": surgery.procedure, "grade": surgery.grade, "approach": surgery.approach,
        "lead": surgery.lead, "outcome": surgery.outcome, "date": surgery.date.isoformat(),
        "hospital": surgery.hospital_id, "specialty": surgery.specialty_id, "team": "",
        "blood_loss_ml": "", "ref": surgery.ref,
    }
    data.update(changes)
    return data


def test_form_edit_is_recorded_with_author_and_shown(surgery, coordinator, client):
    client.force_login(coordinator)
    client.post(reverse("outcomes:surgery_update", args=[surgery.pk]), edit_data(surgery, grade="4", lead="visiting"))
    latest = surgery.history.first()
    assert (latest.history_type, latest.history_user) == ("~", coordinator)
    page = client.get(reverse("outcomes:surgery_history", args=[surgery.pk])).content.decode()
    assert "coord" in page
    assert "<del>grade 2</del> → <ins>grade 4</ins>" in page
    assert "<del>jointly</del> → <ins>visiting expert</ins>" in page


def test_admin_edit_is_recorded_with_author(surgery, admin_user, client):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:outcomes_surgery_change", args=[surgery.pk]),
        {**edit_data(surgery, procedure="Cholecystectomy"), "demonstration": "", "first_in_region": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = surgery.history.first()
    assert (latest.history_user, latest.procedure) == (admin_user, "Cholecystectomy")
    page = client.get(reverse("outcomes:surgery_history", args=[surgery.pk])).content.decode()
    assert "<del>Appendectomy</del> → <ins>Cholecystectomy</ins>" in page


def test_history_names_the_import_batch(world, admin_user, client):
    """What the importer does: rows written in bulk with their history rows,
    each carrying the batch (django-simple-history's bulk_create_with_history)."""
    from simple_history.utils import bulk_create_with_history

    batch = ImportBatch.objects.create(user=admin_user, file_name="bundle.xlsx", sha256="ab" * 32)
    rows = [f.SurgeryFactory.build(hospital=world.lhasa_peoples) for _ in range(3)]
    bulk_create_with_history(
        rows, Surgery, default_user=admin_user, custom_historical_attrs={"import_batch": batch}
    )
    surgery = Surgery.objects.get(ref=rows[0].ref)
    client.force_login(admin_user)
    page = client.get(reverse("outcomes:surgery_history", args=[surgery.pk])).content.decode()
    assert "import of bundle.xlsx" in page and "created" in page
    changes = client.get(reverse("recent_changes"), {"batch": batch.pk}).content.decode()
    assert changes.count("bundle.xlsx") == 3 and f"/surgeries/{surgery.pk}/history/" in changes


def test_history_page_query_count_does_not_grow(surgery, admin_user, client, django_assert_max_num_queries):
    client.force_login(admin_user)
    url = reverse("outcomes:surgery_history", args=[surgery.pk])
    client.get(url)
    for grade in (1, 2, 3, 4, 1, 2):
        surgery.grade = grade
        surgery.save()
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count('class="history-entry"') == 7


def test_recent_changes_spans_kinds_and_deletions(world, coordinator, admin_user, client):
    client.force_login(coordinator)
    data = {"name": "PCNL", "hospital": "LS-PEOPLES", "specialty": "general_surgery",
            "introduced_on": "2024-05-01", "program": "BJ-LHASA", "ref": "TQ-1"}
    client.post(reverse("outcomes:technique_create"), data)
    doomed = f.SurgeryFactory(ref="S-DEL", hospital=world.lhasa_peoples)
    client.post(reverse("outcomes:surgery_delete", args=[doomed.pk]))
    assert not Surgery.objects.filter(ref="S-DEL").exists()
    client.force_login(admin_user)
    page = client.get(reverse("recent_changes")).content.decode()
    assert "technique" in page and "deleted" in page and "coord" in page
    only = client.get(reverse("recent_changes"), {"kind": "outcomes.technique"}).content.decode()
    assert "deleted" not in only


def test_recent_changes_is_one_query_for_the_rows(world, admin_user, client, django_assert_num_queries):
    client.force_login(admin_user)
    for n in range(3):
        f.SurgeryFactory(hospital=world.lhasa_peoples)
    client.get(reverse("recent_changes"))
    # session, user, count of the union, the union page (no authors or batches
    # among these rows, so no look-up of them): the same for any number of rows.
    with django_assert_num_queries(4):
        response = client.get(reverse("recent_changes"))
    assert response.status_code == 200


def test_admin_index_links_to_recent_changes(admin_user, client):
    client.force_login(admin_user)
    assert reverse("recent_changes") in client.get(reverse("admin:index")).content.decode()
