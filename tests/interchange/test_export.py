"""Export is deterministic: export -> import into an empty database -> export
again gives byte-identical files (folder, zip and xlsx)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from interchange.exporter import export_bundle
from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Trainee,
    Training,
)

from .conftest import EXAMPLE, run

pytestmark = pytest.mark.django_db

DELETE_ORDER = [IndicatorValue, Consultation, Referral, Technique, Training, Trainee, Surgery,
                Rotation, Person, Team, Twinning, Program, Hospital]


def empty_database():
    for model in DELETE_ORDER:
        model.objects.all().delete()
    Region.objects.exclude(parent=None).exclude(level="prefecture").delete()
    Region.objects.exclude(parent=None).delete()
    Region.objects.all().delete()


@pytest.mark.parametrize("name", ["bundle", "bundle.zip", "bundle.xlsx"])
def test_round_trip_is_byte_identical(tmp_path, name):
    assert run(EXAMPLE).ok
    first = export_bundle(tmp_path / "one" / name) if name != "bundle" else export_bundle(tmp_path / "one")
    empty_database()
    assert not Surgery.objects.exists()
    report = run(first)
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["surgeries.csv"]["created"] == 4
    second = export_bundle(tmp_path / "two" / name) if name != "bundle" else export_bundle(tmp_path / "two")
    if first.is_dir():
        names = sorted(p.name for p in first.iterdir())
        assert names == sorted(p.name for p in second.iterdir()) and len(names) == 12
        for n in names:
            assert (first / n).read_bytes() == (second / n).read_bytes(), n
    else:
        assert first.read_bytes() == second.read_bytes()


def test_exported_csv_follows_the_spec_columns_and_formats(tmp_path):
    run(EXAMPLE)
    call_command("export_bundle", str(tmp_path / "out"))
    for path in (tmp_path / "out").glob("*.csv"):  # a byte-order mark: Excel reads Chinese
        assert path.read_bytes().startswith("\ufeff".encode()), path.name
    surgeries = (tmp_path / "out" / "surgeries.csv").read_text(encoding="utf-8-sig").splitlines()
    assert surgeries[0] == (
        "ref,date,hospital_code,specialty,procedure,grade,approach,lead,team_code,"
        "demonstration,first_in_region,outcome,blood_loss_ml"
    )
    assert surgeries[4] == (
        "S-2024-0004,2024-05-20,XG-PEOPLES,urology,Percutaneous nephrolithotomy,3,endoscopic,"
        "joint,SH-XIGAZE-3,no,no,complication,120"
    )
    indicators = (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    assert indicators[1] == "LS-PEOPLES,2024-01,outpatient_visits,41250"
    referrals = (tmp_path / "out" / "referrals.csv").read_text(encoding="utf-8-sig").splitlines()
    assert referrals[1:] == [
        "RF-0001,2024-02-03,transfer_in,540200,LS-PEOPLES,neonate,270,5.5,recovered",
        "RF-0002,2024-06-11,referral_out,LS-PEOPLES,110000,adult,3700,,improved",
        "RF-0003,2024-08-19,international,NP,XG-PEOPLES,child,,,",
    ]


def test_fixtures_keep_working_beside_bundles(tmp_path):
    run(EXAMPLE)
    path = tmp_path / "dump.json"
    call_command("dumpdata", "hospitals.region", "hospitals.hospital", "deployments", "outcomes",
                 "--natural-foreign", output=str(path))
    empty_database()
    call_command("loaddata", str(path), verbosity=0)
    assert Surgery.objects.count() == 4 and Rotation.objects.count() == 4


def test_the_zip_download_is_the_exported_zip_sent_as_it_is_written(tmp_path, client, admin_user):
    assert run(EXAMPLE).ok
    client.force_login(admin_user)
    response = client.get(reverse("interchange:export", args=["zip"]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="aidtracker-bundle.zip"'
    sent = b"".join(response.streaming_content)
    assert sent == export_bundle(tmp_path / "bundle.zip").read_bytes()
    # ... and it imports again as it is.
    empty_database()
    (tmp_path / "sent.zip").write_bytes(sent)
    report = run(tmp_path / "sent.zip")
    assert report.ok and report.counts["surgeries.csv"]["created"] == 4


def test_an_xlsx_export_too_big_for_a_worksheet_is_refused_with_a_message(tmp_path, client, admin_user, monkeypatch):
    from django.core.management.base import CommandError

    from interchange import exporter

    assert run(EXAMPLE).ok
    # The example's regions.csv has 7 rows: a worksheet of 4 rows (header + 3) is too small.
    monkeypatch.setattr(exporter, "XLSX_MAX_ROWS", 4)
    with pytest.raises(CommandError, match=r"regions.csv has 7 rows, more than an .xlsx worksheet holds \(3 with the header\): export a .zip"):
        call_command("export_bundle", str(tmp_path / "big.xlsx"))
    assert not (tmp_path / "big.xlsx").exists()
    client.force_login(admin_user)
    response = client.get(reverse("interchange:export", args=["xlsx"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("interchange:index")
    assert "export a .zip of CSV files instead" in response.content.decode()
    monkeypatch.setattr(exporter, "XLSX_MAX_ROWS", 8)
    call_command("export_bundle", str(tmp_path / "fits.xlsx"))
    assert (tmp_path / "fits.xlsx").exists()


def test_an_export_never_mixes_with_other_files(tmp_path):
    """A folder export writes every file of the format, so exporting again into
    the same folder replaces the last export; a folder holding anything else
    is refused (an import of it would read those files too), and so is a
    name that promises a single CSV."""
    from django.core.management.base import CommandError

    assert run(EXAMPLE).ok
    out = tmp_path / "export"
    call_command("export_bundle", str(out))
    call_command("export_bundle", str(out))  # again, over the last export
    assert run(out).ok
    (out / "old_hospitals.csv").write_text("code\n", encoding="utf-8")
    before = (out / "surgeries.csv").stat().st_mtime_ns
    with pytest.raises(CommandError, match=r"holds files that are not part of a bundle \(old_hospitals.csv\)"):
        call_command("export_bundle", str(out))
    assert (out / "surgeries.csv").stat().st_mtime_ns == before
    with pytest.raises(CommandError, match="a bundle is several files; give a folder, a .zip or an .xlsx"):
        call_command("export_bundle", str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_a_lists_csv_download_imports_again_as_it_was(tmp_path, client, admin_user):
    """A record list's CSV starts with a byte-order mark (for Excel); the
    importer reads it as before: every row unchanged, Chinese names intact."""
    assert run(EXAMPLE).ok
    Surgery.objects.filter(ref="S-2024-0001").update(procedure="腹腔镜胆囊切除术")
    client.force_login(admin_user)
    for url, name in [("/surgeries/export.csv", "surgeries.csv"), ("/hospitals/export.csv", "hospitals.csv")]:
        data = b"".join(client.get(url).streaming_content)
        assert data.startswith("\ufeff".encode()) and not data.startswith("\ufeff\ufeff".encode())
        (tmp_path / name).write_bytes(data)
    surgeries = run(tmp_path / "surgeries.csv")
    assert surgeries.ok, [str(e) for e in surgeries.errors]
    assert surgeries.counts["surgeries.csv"] == {"created": 0, "updated": 0, "unchanged": 4}
    hospitals = run(tmp_path / "hospitals.csv")
    assert hospitals.ok and hospitals.counts["hospitals.csv"]["created"] == 0
    assert hospitals.counts["hospitals.csv"]["updated"] == 0
    assert Surgery.objects.get(ref="S-2024-0001").procedure == "腹腔镜胆囊切除术"
