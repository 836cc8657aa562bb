"""The dashboard and the API read cached figures, and show a write at once."""

import datetime as dt
import io
import re

import pytest
from django.db import transaction

from aidtracker.lib.cache import bump_data_version
from outcomes.models import Surgery
from tests import factories as f

SUMMARY = "/api/v1/regions/540000/summary"


@pytest.fixture
def signed_in(client, admin_user, world):
    client.force_login(admin_user)
    f.SurgeryFactory(hospital=world.lhasa_peoples, date=dt.date(2024, 5, 1))
    return client


def total(client):
    return client.get(SUMMARY).json()["surgeries"]["total"]


def test_a_second_dashboard_view_reads_the_figures_from_the_cache(signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert signed_in.get("/regions/540000/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        page = signed_in.get("/regions/540000/")
    assert surgeries_card(page) == "1"
    # The whole page comes from the page cache (aidtracker/cache.py:
    # cached_page): region_dashboard()'s queries, the region's, the filter
    # choices' and the twinnings table's are gone; the session, the user and
    # the version read stay.
    assert len(first) >= 15
    assert len(second) == 3
    assert sum("aidtracker_dataversion" in q["sql"] for q in second.captured_queries) == 1


def surgeries_card(page) -> str:
    """The rendered value of the Surgeries card (from the cached fragment)."""
    return re.search(r'data-figure="6">(?:<a [^>]*>)?([^<]+)<', page.content.decode()).group(1)


def test_the_dashboard_shows_a_saved_surgery_at_once(signed_in, world):
    assert surgeries_card(signed_in.get("/regions/540000/")) == "1"
    assert surgeries_card(signed_in.get("/regions/540000/")) == "1"
    f.SurgeryFactory(hospital=world.xigaze_peoples, date=dt.date(2024, 6, 1))
    assert surgeries_card(signed_in.get("/regions/540000/")) == "2"
    overview = {row["code"]: row for row in signed_in.get("/").context["rows"]}
    assert overview["540000"]["surgeries"] == 2


def test_the_api_follows_edits_deletes_and_imports_at_once(signed_in, world):
    assert total(signed_in) == 1
    row = f.SurgeryFactory(hospital=world.pulan, date=dt.date(2024, 7, 1))
    assert total(signed_in) == 2
    row.delete()
    assert total(signed_in) == 1
    # The importer's path: bulk writes, no signals, one bump in the transaction.
    with transaction.atomic():
        Surgery.objects.bulk_create(
            [f.SurgeryFactory.build(hospital=world.pulan, date=dt.date(2024, 8, 1)) for _ in range(5)]
        )
        bump_data_version()
    assert total(signed_in) == 6


def test_a_list_counts_a_new_row_at_once(signed_in, world):
    url = "/surgeries/?region=540000"
    assert signed_in.get(url).context["totals"]["rows"] == 1
    assert signed_in.get(url + "&page=1&sort=date").context["totals"]["rows"] == 1
    new = f.SurgeryFactory(hospital=world.xigaze_peoples, date=dt.date(2024, 6, 1))
    page = signed_in.get(url)
    assert page.context["totals"]["rows"] == 2
    assert new.ref in page.content.decode()  # the cached table fragment too
    assert signed_in.get("/surgeries/?region=650000").context["totals"]["rows"] == 0


def write_surgeries(folder, hospital, refs):
    folder.mkdir(exist_ok=True)
    lines = ["ref,date,hospital_code,specialty,procedure,grade,approach,lead,outcome"]
    lines += [f"{ref},2024-09-01,{hospital.code},general_surgery,Appendectomy,2,open,local,success"
              for ref in refs]
    (folder / "surgeries.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_an_import_shows_at_once_and_a_dry_run_changes_nothing(signed_in, world, tmp_path):
    from django.core.management import call_command

    from aidtracker.lib.cache import current_data_version

    assert total(signed_in) == 1
    bundle = write_surgeries(tmp_path / "b", world.xigaze_peoples, [f"IMP-{i}" for i in range(7)])
    version = current_data_version()
    call_command("import_bundle", str(bundle), "--dry-run", "--no-progress", stdout=io.StringIO())
    assert current_data_version() == version
    assert total(signed_in) == 1
    call_command("import_bundle", str(bundle), "--no-progress", stdout=io.StringIO())
    assert total(signed_in) == 8
    # The same bundle again changes nothing, so the cached figures stay valid.
    version = current_data_version()
    call_command("import_bundle", str(bundle), "--no-progress", stdout=io.StringIO())
    assert current_data_version() == version
