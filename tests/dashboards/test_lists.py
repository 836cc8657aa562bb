"""Record lists: filters, sorting, pagination and the CSV export."""

import csv
import io

import pytest

from outcomes.models import Surgery

SURGERY_COLUMNS = [
    "ref", "date", "hospital_code", "specialty", "procedure", "grade", "approach", "lead",
    "team_code", "demonstration", "first_in_region", "outcome", "blood_loss_ml",
]


def read_csv(response):
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())  # a byte-order mark: Excel reads Chinese
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_surgery_csv_has_the_spec_columns_and_exactly_the_filtered_rows(signed_in, dash):
    url = "/surgeries/?region=540200&date_after=2024-03-01&date_before=2024-06-30&lead=local"
    rows = read_csv(signed_in.get(url + "&format=csv"))
    assert rows[0] == SURGERY_COLUMNS
    expected = Surgery.objects.filter(
        hospital__region__code="540200", date__range=("2024-03-01", "2024-06-30"), lead="local"
    )
    assert sorted(r[0] for r in rows[1:]) == sorted(expected.values_list("ref", flat=True))
    assert len(rows) - 1 == signed_in.get(url).context["totals"]["rows"] > 0
    first = dict(zip(rows[0], rows[1]))
    assert first["hospital_code"] == "XG-PEOPLES" and first["team_code"] == "SH-XIGAZE-10"
    assert first["demonstration"] in ("yes", "no") and first["blood_loss_ml"] == ""
    # The same export at its own address.
    again = read_csv(signed_in.get(url.replace("/surgeries/", "/surgeries/export.csv")))
    assert again == rows


@pytest.mark.parametrize("url, header", [
    ("/trainings/export.csv", ["ref", "trainee_id", "trainee_name", "hospital_code", "specialty", "role",
                               "kind", "host_hospital_code", "program_code", "start_date", "end_date",
                               "hours", "status", "independent_on", "skill"]),
    ("/rotations/export.csv", ["team_code", "person_id", "person_name", "home_hospital_code", "specialty",
                               "title", "role", "start_date", "end_date"]),
    ("/techniques/export.csv", ["ref", "hospital_code", "specialty", "name", "introduced_on",
                                "program_code", "first_in_region"]),
    ("/referrals/export.csv", ["ref", "date", "kind", "origin", "destination", "age_group",
                               "distance_km", "duration_hours", "outcome"]),
    ("/consultations/export.csv", ["ref", "date", "requesting_hospital_code", "consulting_hospital_code",
                                   "specialty", "mode"]),
    ("/programs/export.csv", ["code", "name", "name_zh", "kind", "donor_region_code",
                              "recipient_hospital_code", "start_date", "end_date"]),
    ("/hospitals/export.csv", ["code", "name", "name_zh", "region_code", "grade", "kind"]),
])
def test_every_export_uses_the_spec_column_names(signed_in, dash, url, header):
    rows = read_csv(signed_in.get(url))
    assert rows[0] == header
    assert len(rows) > 1


def test_referral_export_writes_origin_and_destination_codes(signed_in, dash):
    rows = read_csv(signed_in.get("/referrals/export.csv?sort=ref"))
    by_kind = {r[2]: r for r in rows[1:]}
    assert by_kind["transfer_in"][3:5] == ["542500", "LS-PEOPLES"]
    assert by_kind["referral_out"][3:5] == ["LS-PEOPLES", "110000"]
    assert by_kind["international"][3:5] == ["NP", "LS-PEOPLES"]
    # A stored 1650.0 (one decimal place) is written as the bundle export
    # writes it: 1650, no trailing zeros (aidtracker/lib/columns.py).
    assert by_kind["transfer_in"][6] == "1650"


def test_region_filter_includes_prefecture_and_county_hospitals(signed_in, dash):
    tibet = signed_in.get("/surgeries/?region=540000").context["totals"]["rows"]
    ngari = signed_in.get("/surgeries/?region=542500").context["totals"]["rows"]  # Pulan county lies below
    assert tibet == Surgery.objects.in_region("540000").count() == 31
    assert ngari == Surgery.objects.filter(hospital__code="PL-COUNTY").count() == 10


def test_sorting_is_whitelisted_and_flips(signed_in, dash):
    ascending = signed_in.get("/surgeries/?sort=date")
    descending = signed_in.get("/surgeries/?sort=-date")
    dates = [s.date for s in ascending.context["rows"]]
    assert dates == sorted(dates)
    assert descending.context["rows"][0].date >= descending.context["rows"][1].date
    assert 'aria-sort="ascending"' in ascending.content.decode()
    # An unknown column falls back to the default order instead of failing.
    response = signed_in.get("/surgeries/?sort=hospital__region__code;drop")
    assert response.status_code == 200 and response.context["sorting"].key == "-date"


def test_pagination_shows_the_total_and_keeps_the_filters(signed_in, db):
    from tests.dashboards.data import build

    build(scale=4)  # 122 surgeries
    response = signed_in.get("/surgeries/?region=540000&page=2")
    assert response.context["totals"]["rows"] == 121
    page = response.context["page_obj"]
    assert (page.number, page.paginator.num_pages, len(page.object_list)) == (2, 3, 50)
    html = response.content.decode()
    assert "121 rows" in html
    assert 'href="?region=540000&amp;page=3"' in html
    assert signed_in.get("/surgeries/?page=999").context["page_obj"].number == 3
    assert signed_in.get("/surgeries/?page=x").context["page_obj"].number == 1


def test_a_bad_filter_value_lists_nothing_and_says_why(signed_in, dash):
    response = signed_in.get("/surgeries/?date_after=2024-05-01&date_before=2024-01-01")
    assert response.context["totals"]["rows"] == 0
    assert "is before its start" in response.content.decode()
    response = signed_in.get("/surgeries/?region=123456")
    assert "Select a valid choice" in response.content.decode()
    # The program page's twinned departments: a program code that does not
    # exist is named as wrong, not answered with an empty list.
    response = signed_in.get("/surgeries/?twinned_in=NO-SUCH")
    assert response.context["totals"]["rows"] == 0
    assert "Select a valid choice" in response.content.decode()
    assert signed_in.get("/surgeries/?twinned_in=BJ-LHASA").context["totals"]["rows"] == (
        Surgery.objects.of_departments_twinned_in("BJ-LHASA").count()
    )


def test_list_filters_by_flags_program_and_kind(signed_in, dash):
    def rows(url):
        return signed_in.get(url).context["totals"]["rows"]

    assert rows("/surgeries/?minimally_invasive=true") + rows("/surgeries/?minimally_invasive=false") == 32
    assert rows("/surgeries/?program=BJ-LHASA") == Surgery.objects.filter(team__program="BJ-LHASA").count()
    assert rows("/referrals/?region=540000&kind=referral_out") == 2
    assert rows("/rotations/?on_site=2024-07-10") == 3
    assert rows("/programs/?region=540000&donor=310000") == 1
    assert rows("/hospitals/?region=540000") == 3
    assert rows("/hospitals/?role=donor") == 2


def test_rows_link_to_their_record_pages(signed_in, dash):
    html = signed_in.get("/surgeries/?sort=ref").content.decode()
    first = Surgery.objects.order_by("ref").first()
    assert f'href="/surgeries/{first.pk}/"' in html


@pytest.mark.parametrize("path", ["/surgeries/", "/rotations/"])
def test_the_team_select_lists_the_teams_of_one_program(signed_in, dash, path, monkeypatch):
    import re

    from django.core.cache import cache

    from deployments import filters

    def team_options(query):
        response = signed_in.get(path + query)
        select = re.search(r'<select name="team".*?</select>', response.content.decode(), re.S).group(0)
        return re.findall(r'<option value="([^"]*)"', select), response

    # A few teams: all of them.
    assert team_options("")[0] == ["", "BJ-LHASA-9", "SH-XIGAZE-10"]
    # More than are listed: none of them, but how to get them.
    monkeypatch.setattr(filters, "TEAMS_LISTED", 1)
    cache.clear()  # the page as cached above listed them
    options, response = team_options("")
    assert options == [""] and ">choose a program</option>" in response.content.decode()
    options, response = team_options("?program=BJ-LHASA")
    assert options == ["", "BJ-LHASA-9"]
    # A team page's link names the team alone: its program's teams, it selected.
    options, response = team_options("?team=SH-XIGAZE-10")
    assert options == ["", "SH-XIGAZE-10"] and '<option value="SH-XIGAZE-10" selected>' in response.content.decode()
    assert response.context["totals"]["rows"] == (
        Surgery.objects.filter(team="SH-XIGAZE-10").count() if path == "/surgeries/" else 2
    )
    # A team outside the chosen program is refused, as any unknown choice.
    options, response = team_options("?program=BJ-LHASA&team=SH-XIGAZE-10")
    assert response.context["totals"]["rows"] == 0 and "Select a valid choice" in response.content.decode()


def test_the_programs_list_counts_each_programs_teams_and_twinnings(signed_in, dash):
    from deployments.models import Program
    from tests import factories

    # Teams and twinnings of one program both more than one: counted through
    # one join, each would be their product.
    busy = Program.objects.get(code="BJ-LHASA")
    factories.TeamFactory.create_batch(2, program=busy)
    factories.TwinningFactory.create_batch(2, program=busy)
    rows = signed_in.get("/programs/?sort=-teams").context["rows"]
    listed = {row.code: (row.team_count, row.twinning_count) for row in rows}
    assert listed == {p.code: (p.teams.count(), p.twinnings.count()) for p in Program.objects.filter(code__in=listed)}
    assert listed["BJ-LHASA"][0] >= 3 and listed["BJ-LHASA"][1] >= 2
    teams = [row.team_count for row in rows]
    assert teams == sorted(teams, reverse=True)
