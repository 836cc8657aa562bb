"""The record lists behind the donor summary's figures: `/surgeries/?twinned_by=`
(the surgeries of the departments a donor twins, whoever led them) and
`/trainings/?host_region=&kind=further_study` (the trainees a donor hosts).
A card that links to such a list shows the list's count: on the hand-made
donor bundle (tests/data/donor_bundle) and on the dashboards' test data,
with the period, specialty and recipient-region filters the donor
dashboard carries over."""

import datetime as dt

import pytest

from aidtracker.lib.periods import Period
from figures.summary import donor_summary
from tests import factories as f
from tests.conftest import _make_user
from tests.dashboards.data import build
from tests.support.bundles import DATA, load_bundle

pytestmark = pytest.mark.django_db

D = dt.date
LEADS = ("visiting", "joint", "local")

# (summary period, the list's period parameters)
PERIODS = [
    (Period(D(2024, 1, 1), D(2024, 12, 31)), {"date_after": "2024-01-01", "date_before": "2024-12-31"}),
    (Period(D(2024, 6, 15), None), {"date_after": "2024-06-15"}),
    (Period(D(2023, 7, 1), D(2024, 6, 30)), {"date_after": "2023-07-01", "date_before": "2024-06-30"}),
]
# (summary keyword arguments, the list's parameters)
FILTERS = [
    ({}, {}),
    ({"specialty": "general_surgery"}, {"specialty": "general_surgery"}),
    ({"specialty": "orthopedics"}, {"specialty": "orthopedics"}),
    ({"recipient": "540000"}, {"region": "540000"}),
    ({"recipient": "650000"}, {"region": "650000"}),
    ({"recipient": "540000", "specialty": "general_surgery"}, {"region": "540000", "specialty": "general_surgery"}),
]


def list_totals(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    form = response.context["filter"].form
    assert form.is_valid(), form.errors
    return response.context["totals"]


def mismatches(client, donors):
    """Every (donor, period, filters, figure, card, list) whose card and list differ."""
    wrong = []
    for donor in donors:
        for period, period_params in PERIODS:
            for kwargs, params in FILTERS:
                summary = donor_summary(donor, period, **kwargs)
                twinned = summary["twinned_department_surgeries"]
                base = {**period_params, **params, "twinned_by": donor}
                pairs = [("total", twinned["total"], list_totals(client, "/surgeries/", base)["rows"])]
                for lead in LEADS:
                    rows = list_totals(client, "/surgeries/", {**base, "lead": lead})["rows"]
                    pairs.append((lead, twinned["by_lead"][lead], rows))
                hosted = list_totals(
                    client, "/trainings/",
                    {**period_params, **params, "host_region": donor, "kind": "further_study"},
                )
                pairs.append(("hosted", summary["trainees"]["hosted"], hosted["trainees"]))
                wrong += [(donor, period_params, params, name, card, rows)
                          for name, card, rows in pairs if card != rows]
    return wrong


def test_lists_count_the_donor_summarys_rows_on_the_hand_made_bundle(client, django_user_model):
    load_bundle(DATA / "donor_bundle")
    client.force_login(_make_user(django_user_model, "everything", "official", all_regions=True))
    assert mismatches(client, ["110000", "310000"]) == []
    # Not vacuous: the bundle's figures are there to be counted.
    twinned = donor_summary("110000", PERIODS[0][0])["twinned_department_surgeries"]
    assert twinned["total"] > 0 and twinned["by_lead"]["local"] > 0
    assert donor_summary("110000", PERIODS[0][0])["trainees"]["hosted"] > 0


def test_lists_count_the_donor_summarys_rows_on_the_dashboards_data(client, admin_user):
    build(scale=1)
    client.force_login(admin_user)
    assert mismatches(client, ["110000", "310000"]) == []
    twinned = donor_summary("310000", PERIODS[0][0])["twinned_department_surgeries"]
    assert twinned["total"] > 0


def test_twinned_by_counts_local_surgeons_operations_that_the_donor_filter_drops(client, admin_user):
    """The point of the filter: `donor` keeps the surgeries of the donor's
    teams, which local surgeons' own operations (no team) never have."""
    w = build(scale=1)
    f.SurgeryFactory(hospital=w.lhasa_peoples, specialty_id="general_surgery", date=D(2024, 5, 2),
                     lead="local", team=None, ref="LOCAL-ALONE")
    client.force_login(admin_user)
    year = {"date_after": "2024-01-01", "date_before": "2024-12-31", "lead": "local", "q": "LOCAL-ALONE"}
    assert list_totals(client, "/surgeries/", {**year, "donor": "110000"})["rows"] == 0
    assert list_totals(client, "/surgeries/", {**year, "twinned_by": "110000"})["rows"] == 1
    assert list_totals(client, "/surgeries/", {**year, "twinned_by": "310000"})["rows"] == 0


@pytest.mark.parametrize(("url", "params", "message"), [
    ("/surgeries/", {"twinned_by": "540000"}, "Select a valid choice"),  # not a donor
    ("/surgeries/", {"twinned_by": "x"}, "Select a valid choice"),
    ("/trainings/", {"host_region": "999999"}, "Select a valid choice"),
])
def test_a_bad_value_is_refused_with_a_message(url, params, message, client, admin_user):
    build(scale=1)
    client.force_login(admin_user)
    response = client.get(url, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["totals"]["rows"] == 0


def test_the_filters_are_offered_on_the_list_pages(client, admin_user):
    build(scale=1)
    client.force_login(admin_user)
    surgeries = client.get("/surgeries/").content.decode()
    assert 'name="twinned_by"' in surgeries and "Departments twinned by" in surgeries
    trainings = client.get("/trainings/").content.decode()
    assert 'name="host_region"' in trainings and "Host hospital&#x27;s region" in trainings
