"""Two imports at once serialise on PostgreSQL: the second waits for the first."""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections

from interchange import service
from interchange.importer import LOCK_KEY
from outcomes.models import Surgery


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_while_another_holds_the_lock(example, specialties):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite serialises writers with its own lock)")
    s = connection.settings_dict
    other = psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"],
    )
    other.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])  # "another import" is running
    result = {}

    def second_import():
        try:
            result["report"], _batch = service.run(example, on_wait=lambda: result.setdefault("told", True))
        finally:
            connections.close_all()

    thread = threading.Thread(target=second_import)
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive() and not Surgery.objects.exists()  # waiting, nothing written
    other.commit()  # the first import ends
    other.close()
    thread.join(timeout=30)
    assert result["report"].ok and Surgery.objects.count() == 4
    assert result["told"]  # the command said "Waiting for another import to finish..."
