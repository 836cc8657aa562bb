"""The region dashboard's "Patient movements and outcomes" (dashboards/movements.py):
the page shows figures/movements.py's numbers, each count links to a list
of as many rows, viewers and readers through a donor get what they may
read, and the figures download carries the same tables."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import _make_user
from tests.dashboards.test_pages import _count_of
from tests.figures.test_movements import w  # noqa: F401 (the hand-derived rows)

YEARS = {"date_after": "2022-01-01", "date_before": "2024-12-31"}


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def section(client, query=YEARS):
    response = client.get(reverse("dashboards:region", args=["540000"]), query)
    assert response.status_code == 200
    return response


def test_the_page_shows_the_figures(w, admin):  # noqa: F811
    response = section(admin)
    m = response.context["movements"]
    assert [(r["year"], r["count"]) for r in m["transfers_in"]] == [(2022, 3), (2023, 0), (2024, 5)]
    html = response.content.decode()
    assert "Patient movements and outcomes" in html
    # Lhasa's 2024-11 and Xigaze's 2024-05 (its 2025-01 lies after the period): 120 + 80.
    assert "the latest month of each hospital, from 2024-05 to 2024-11" in html
    assert m["conditions_treatable"]["total"] == 200
    assert "7.5" in html  # 2024's neonatal rate
    assert "no live births reported" in html  # 2022 and 2023: none reported


def test_every_count_links_to_a_list_of_as_many_rows(w, admin):  # noqa: F811
    m = section(admin).context["movements"]
    checked = 0
    for rows in (m["transfers_in"], m["referrals_out"]):
        for row in rows:
            assert _count_of(admin, row["url"]) == row["count"], row["url"]
            for cell in row["outcome_cells"]:
                assert _count_of(admin, cell["url"]) == cell["n"], cell["url"]
                checked += 1
    # 2 tables × 3 years × 5 outcomes, among them referrals with no outcome given.
    assert checked == 30
    none_2022 = next(c for c in m["transfers_in"][0]["outcome_cells"] if c["code"] == "none")
    assert none_2022["n"] == 1 and "outcome=none" in none_2022["url"]


def test_a_period_cut_inside_a_year_links_to_that_part(w, admin):  # noqa: F811
    m = section(admin, {"date_after": "2024-01-01", "date_before": "2024-06-30"}).context["movements"]
    (out,) = m["referrals_out"]
    assert out["count"] == 1 and "date_before=2024-06-30" in out["url"]
    assert _count_of(admin, out["url"]) == 1


def test_a_viewer_sees_numbers_without_list_links(w, client, django_user_model):  # noqa: F811
    client.force_login(_make_user(django_user_model, "viewer", "viewer", all_regions=True))
    m = section(client).context["movements"]
    assert m["transfers_in"][0]["count"] == 3
    assert all(r["url"] is None for r in m["transfers_in"] + m["referrals_out"])


def test_a_reader_through_a_donor_gets_no_region_wide_movements(w, client, django_user_model):  # noqa: F811
    client.force_login(_make_user(django_user_model, "shanghai", "official", regions=["310000"]))
    response = client.get(reverse("dashboards:region", args=["540000"]), {"donor": "310000"})
    assert response.status_code == 200
    assert response.context["movements"] is None
    assert "Patient movements and outcomes" not in response.content.decode()


def test_the_figures_download_has_the_tables(w, admin):  # noqa: F811
    response = admin.get(reverse("dashboards:region_figures", args=["540000", "xlsx"]), YEARS)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Transfers in per year"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("Year", "Referrals", "recovered")
    by_year = {r[0]: r for r in rows[1:]}
    # 2024: 5 transfers, median distance 50 of the 4 with one, no duration.
    assert by_year[2024][1] == 5 and by_year[2024][7:11] == (50.0, 4, None, 0)
    neonatal = {r[0]: r for r in book["Neonatal mortality per year"].iter_rows(min_row=3, values_only=True)}
    assert neonatal[2024][1:4] == (3.0, 400.0, 7.5) and neonatal[2023][3] is None
    treatable = list(book["Conditions treatable"].iter_rows(min_row=3, values_only=True))
    assert treatable[-1][0] == "Total" and treatable[-1][3] == 200.0


def test_the_program_page_shows_its_recipient_hospitals_own(w, admin):  # noqa: F811
    response = admin.get(reverse("dashboards:program", args=["BJ-LHASA"]), YEARS)
    m = response.context["movements"]
    # Lhasa's own: transfers in to it (2022: 2; 2024: 5), not the one from it
    # to Xinjiang's hospital, nor the referral out of Xinjiang to it.
    assert [(r["year"], r["count"]) for r in m["transfers_in"]] == [(2022, 2), (2023, 0), (2024, 5)]
    assert [r["count"] for r in m["referrals_out"]] == [0, 0, 0]
    for row in m["transfers_in"]:
        assert "for_hospital=LS-PEOPLES" in row["url"]
        assert _count_of(admin, row["url"]) == row["count"]
    assert m["conditions_treatable"]["total"] == 120
    assert m["neonatal"]["years"][-1]["rate"] == 7.5  # Lhasa's months of 2024: 3 × 1000 / 400
    assert "Patient movements and outcomes at" in response.content.decode()


def test_a_donor_official_reads_the_program_but_not_the_hospitals_movements(w, client, django_user_model):  # noqa: F811
    client.force_login(_make_user(django_user_model, "beijing", "official", regions=["110000"]))
    response = client.get(reverse("dashboards:program", args=["BJ-LHASA"]))
    assert response.status_code == 200
    assert response.context["movements"] is None
