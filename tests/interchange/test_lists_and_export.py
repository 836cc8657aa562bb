"""A record list's CSV download and the bundle export write the same file:
the columns its app declares (aidtracker/lib/columns.py), each value written
the same way, so a list's download imports like a file of a bundle."""

import pytest

from interchange.exporter import export_bundle

from .conftest import append, run

pytestmark = pytest.mark.django_db

LIST_FILES = {  # a list's CSV download -> the file of the bundle with its rows
    "/surgeries/export.csv": "surgeries.csv",
    "/trainings/export.csv": "trainings.csv",
    "/techniques/export.csv": "techniques.csv",
    "/referrals/export.csv": "referrals.csv",
    "/consultations/export.csv": "consultations.csv",
    "/rotations/export.csv": "rotations.csv",
    "/programs/export.csv": "programs.csv",
    "/hospitals/export.csv": "hospitals.csv",
}


@pytest.fixture
def imported(example):
    """The example bundle, plus decimals stored with decimal places they do
    not need (12 typed as 12, and as 12.0) and ones that need them (12.5)."""
    append(
        example, "referrals.csv",
        "RF-0004,2024-09-02,transfer_in,540200,LS-PEOPLES,adult,12,12.5,recovered",
        "RF-0005,2024-09-03,transfer_in,540200,LS-PEOPLES,adult,12.0,12.50,",
    )
    append(
        example, "trainings.csv",
        "TR-0004,LS-D-020,Dawa,LS-PEOPLES,general_surgery,doctor,onsite_course,,BJ-LHASA,"
        "2024-03-01,2024-03-05,12,completed,,Suturing",
        "TR-0005,LS-D-020,Dawa,LS-PEOPLES,general_surgery,doctor,onsite_course,,BJ-LHASA,"
        "2024-04-01,2024-04-05,12.5,completed,,Knots",
    )
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]


def lines(data: bytes):
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    return text[:-2].split("\r\n")


@pytest.mark.parametrize("url, name", LIST_FILES.items())
def test_a_list_download_writes_the_bundle_files_header_and_cells(admin_client, imported, tmp_path, url, name):
    response = admin_client.get(url)
    assert response.status_code == 200
    listed = lines(b"".join(response.streaming_content))
    exported = lines((export_bundle(tmp_path / "bundle") / name).read_bytes())
    assert listed[0] == exported[0]
    # The list's order is its own sort; the rows are the same, byte for byte.
    assert len(listed) > 2 and sorted(listed[1:]) == sorted(exported[1:])


def test_decimals_are_written_without_trailing_zeros_and_empty_when_not_given(admin_client, imported, tmp_path):
    folder = export_bundle(tmp_path / "bundle")
    referrals = lines(b"".join(admin_client.get("/referrals/export.csv?sort=ref").streaming_content))
    assert referrals[1:] == lines((folder / "referrals.csv").read_bytes())[1:] == [
        "RF-0001,2024-02-03,transfer_in,540200,LS-PEOPLES,neonate,270,5.5,recovered",
        "RF-0002,2024-06-11,referral_out,LS-PEOPLES,110000,adult,3700,,improved",
        "RF-0003,2024-08-19,international,NP,XG-PEOPLES,child,,,",
        "RF-0004,2024-09-02,transfer_in,540200,LS-PEOPLES,adult,12,12.5,recovered",
        "RF-0005,2024-09-03,transfer_in,540200,LS-PEOPLES,adult,12,12.5,",
    ]
    trainings = lines(b"".join(admin_client.get("/trainings/export.csv?sort=ref").streaming_content))
    hours = trainings[0].split(",").index("hours")
    assert [row.split(",")[hours] for row in trainings[1:]] == ["320", "", "32.5", "12", "12.5"]
