"""The outcome tables and their history tables carry only the indexes a query
needs (the importer's bulk writes pay for every one), and the history's links
without database constraints still protect and clear as their on_delete says."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import ProtectedError

from audit.models import ImportBatch
from outcomes.models import Surgery
from tests.factories import SurgeryFactory


def _indexes(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0].split(" USING ")[1] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_surgery_tables_have_exactly_the_indexes_queries_use():
    if connection.vendor != "postgresql":
        pytest.skip("index definitions are read from PostgreSQL's catalogue")
    assert _indexes("outcomes_surgery") == {
        "btree (id)", "btree (ref)", "btree (date)", "btree (team_id)",
        # covering on PostgreSQL (outcomes/0002_surgery_index_covering_on_postgres)
        "btree (hospital_id, date) INCLUDE (lead, grade, approach, demonstration, "
        "first_in_region, team_id, specialty_id)",
    }
    assert _indexes("outcomes_historicalsurgery") == {
        "btree (history_id)", "btree (id)", "btree (history_date)", "btree (history_user_id)",
        "btree (import_batch_id)",
    }
    # No history table of an outcome keeps a `_like` index but the one Django
    # adds beside the index of a code-valued record key (trainee's history by
    # trainee).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'outcomes\\_historical%%' "
            "AND indexdef LIKE '%%pattern_ops%%'"
        )
        assert [name for (name,) in cursor.fetchall()] == ["outcomes_historicaltrainee_code_10359042_like"]


@pytest.mark.django_db
def test_history_links_still_protect_the_batch_and_clear_the_user(world):
    user = get_user_model().objects.create(username="importer")
    batch = ImportBatch.objects.create(user=user, file_name="b.zip", sha256="0" * 64)
    surgery = SurgeryFactory(hospital=world.lhasa_peoples)
    surgery.history.update(import_batch=batch, history_user=user)
    with pytest.raises(ProtectedError):
        batch.delete()
    ImportBatch.objects.filter(pk=batch.pk).update(user=None)
    user.delete()
    row = Surgery.history.get(id=surgery.pk)
    assert (row.history_user_id, row.import_batch_id) == (None, batch.pk)
