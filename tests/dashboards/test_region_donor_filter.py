"""The region dashboard under a donor filter counts skills transfer in the
departments the donor twins, whoever led the operation (issue 15, item 5),
and cards that a filter does not narrow say that they are region-wide.

By hand, on tests/dashboards/data.py: Beijing's program BJ-LHASA twins
general surgery (since 2015-08-01) and orthopaedics (since 2023-01-01) at
Lhasa People's Hospital. Its surgeries are i = 0, 3, ..., 27 of the 30
(every one a twinned specialty, all in 2024; led locally when i % 5 is 2 or
3: i = 3, 12, 18, 27) plus S-2023 (general surgery, 2023-12-31, local): 11
surgeries, 5 led by local surgeons alone, 45.5 %. S-2023 carries no team
(local surgeons' own operations do not), so the donor's team surgeries (the
Surgeries card: 10) leave it out; the departments' surgeries count it."""

import pytest

from tests.dashboards.test_pages import _count_of

BEIJING = "/regions/540000/?donor=110000"


def _card(response, label):
    return next(c for c in response.context["cards"] if c["label"] == label)


def test_under_a_donor_filter_the_local_share_counts_the_departments_it_twins_whoever_led_them(signed_in, dash):
    response = signed_in.get(BEIJING)
    card = _card(response, "Led by local surgeons alone")
    assert card["value"] == "45.5 %"  # 5 of 11, by hand (module docstring)
    assert [(p["label"], p["value"]) for p in card["parts"]] == [
        ("local surgeon alone", 5), ("all surgeries there", 11),
    ]
    assert card["note"] == "of the departments Beijing twins, whoever led them"
    html = response.content.decode()
    assert "of the departments Beijing twins, whoever led them" in html
    assert "45.5 %" in html
    # The other cards stay the donor's own: its teams' surgeries.
    assert _card(response, "Surgeries")["value"] == 10
    # The chart shows the same surgeries, year by year (all time), and says which.
    chart = response.context["charts"][0]
    assert chart["title"] == "Surgeries per year in the departments Beijing twins, by who led them"
    rows = chart["table"]["rows"]
    assert sum(r[4] for r in rows) == 11 and sum(r[3] for r in rows) == 5
    assert ["2023", 0, 0, 1, 1, 100.0] in rows  # the share a number (the downloads)


def test_under_a_donor_filter_the_period_and_specialty_narrow_the_twinned_departments(signed_in, dash):
    response = signed_in.get(BEIJING + "&date_after=2024-01-01&specialty=general_surgery")
    card = _card(response, "Led by local surgeons alone")
    # General surgery: i % 4 != 0 among i = 3, 6, 9, 15, 18, 21, 27 -> 7; local: 3, 18, 27.
    assert [p["value"] for p in card["parts"]] == [3, 7]
    assert card["value"] == "42.9 %"
    assert "twinned_by=110000" in card["url"] and "donor=" not in card["url"]
    assert "specialty=general_surgery" in card["url"] and "date_after=2024-01-01" in card["url"]


def test_without_a_donor_the_local_share_is_that_of_the_regions_surgeries(signed_in, dash):
    response = signed_in.get("/regions/540000/")
    card = _card(response, "Led by local surgeons alone")
    summary = response.context["summary"]["surgeries"]
    assert card["value"] == f'{100 * summary["by_lead"]["local"] / summary["total"]:.1f} %'
    assert not card["parts"] and card["note"] == "share of the period's surgeries"
    assert response.context["charts"][0]["title"] == "Surgeries per year, by who led them"  # all time


@pytest.mark.parametrize("query", ["", "&date_after=2024-03-01&specialty=orthopedics"])
def test_the_local_share_card_links_to_the_surgeries_of_the_twinned_departments(signed_in, dash, query):
    """The card and its parts lead to the lists' `twinned_by` filter, whose
    counts are the card's."""
    card = _card(signed_in.get(BEIJING + query), "Led by local surgeons alone")
    assert "twinned_by=110000" in card["url"] and "lead=local" in card["url"]
    for part in card["parts"]:
        assert _count_of(signed_in, part["url"]) == part["value"], part["url"]
    assert _count_of(signed_in, card["url"]) == card["parts"][0]["value"]


def test_cards_that_a_filter_does_not_narrow_say_they_are_region_wide(signed_in, dash):
    def wide(query):
        response = signed_in.get("/regions/540000/" + query)
        return {c["label"]: c["wide"] for c in response.context["cards"] if c["wide"]}

    assert wide("") == {}
    assert wide("?donor=110000") == {"Patient movements": "region-wide, whatever the donor"}
    assert wide("?specialty=general_surgery") == {
        "Programs": "region-wide, whatever the specialty",
        "Teams": "region-wide, whatever the specialty",
        "Patient movements": "region-wide, whatever the specialty",
    }
    assert wide("?specialty=general_surgery&donor=310000")["Patient movements"] == (
        "region-wide, whatever the specialty and donor"
    )
    html = signed_in.get("/regions/540000/?donor=110000").content.decode()
    assert '<p class="card__note card__note--wide">region-wide, whatever the donor</p>' in html


def test_a_viewer_sees_the_twinned_share_without_links(client, dash, django_user_model):
    from tests.conftest import _make_user

    client.force_login(_make_user(django_user_model, "viewer-bj", "viewer", regions=[dash.tibet]))
    card = _card(client.get(BEIJING), "Led by local surgeons alone")
    assert card["value"] == "45.5 %"
    assert card["url"] is None and all(p["url"] is None for p in card["parts"])
