"""accounts.scope on its own: roles, readable regions, querysets per kind,
editable records; and the role ⇔ superuser sync of the profile."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from accounts import scope
from accounts.models import Profile
from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from outcomes.models import Consultation, Referral, Surgery, Technique, Trainee, Training
from tests import factories as f
from tests.conftest import _make_user


def test_roles(actors):
    assert [scope.role_of(u) for u in actors.values()] == [
        None, "admin", "coordinator", "official", "official", "viewer"]
    assert scope.is_viewer(actors["viewer"]) and not scope.is_viewer(actors["official"])
    assert [scope.can_read_records(u) for u in actors.values()] == [False, True, True, True, True, False]


def test_readable_regions(actors, world):
    assert scope.readable_regions(actors["admin"]) is None
    assert scope.readable_regions(actors["coordinator"]) is None
    assert scope.readable_regions(actors["official"]) == ["540000"]
    assert scope.readable_regions(actors["official_all"]) is None
    assert scope.readable_regions(actors["anonymous"]) == []
    official = actors["official"]
    assert scope.can_view_region(official, world.burang)  # a county below Tibet
    assert scope.can_view_region(official, "540100")
    assert not scope.can_view_region(official, world.xinjiang)
    with pytest.raises(Http404):
        scope.get_region_or_404(official, "650000")
    assert scope.get_region_or_404(official, "542521") == world.burang


def test_prefecture_official_reads_below_not_above(world, django_user_model):
    from tests.conftest import _make_user

    user = _make_user(django_user_model, "ngari", "official", regions=[world.ngari])
    assert scope.can_view_region(user, world.burang)
    assert not scope.can_view_region(user, world.tibet)
    assert list(scope.scope_queryset(user, Hospital.objects.all())) == [world.pulan]


@pytest.mark.parametrize("model", [Surgery, Training, Technique, Referral, Consultation, Rotation])
def test_scope_queryset_per_kind(model, actors, records):
    kind = model._meta.model_name
    inside, outside = records[kind]["in"], records[kind]["out"]
    for role in ("admin", "coordinator", "official_all"):
        assert set(scope.scope_queryset(actors[role], model.objects.all())) == {inside, outside}
    assert list(scope.scope_queryset(actors["official"], model.objects.all())) == [inside]
    assert not scope.scope_queryset(actors["anonymous"], model.objects.all()).exists()
    assert list(scope.editable_queryset(actors["coordinator"], model.objects.all())) == [inside]
    assert not scope.editable_queryset(actors["official_all"], model.objects.all()).exists()
    assert scope.can_edit(actors["coordinator"], inside) and not scope.can_edit(actors["coordinator"], outside)
    assert scope.can_edit(actors["admin"], outside)
    assert not scope.can_edit(actors["official"], inside)


def test_scope_queryset_for_reference_and_deployment_kinds(actors, records):
    official = actors["official"]
    assert set(scope.scope_queryset(official, Program.objects.all()).values_list("code", flat=True)) == {
        "BJ-LHASA", "SH-XIGAZE"}
    assert list(scope.scope_queryset(official, Team.objects.all()).values_list("code", flat=True)) == ["BJ-LHASA-1"]
    assert scope.scope_queryset(official, Person.objects.all()).count() == 1
    assert scope.scope_queryset(official, Trainee.objects.all()).count() == 1
    assert "650000" not in scope.scope_queryset(official, Region.objects.all()).values_list("code", flat=True)
    from django.contrib.auth.models import Group

    with pytest.raises(ImproperlyConfigured):
        scope.scope_queryset(official, Group.objects.all())


def test_editable_choices(actors, world):
    coord = actors["coordinator"]
    assert list(scope.editable_programs(coord)) == [world.bj_lhasa]
    assert list(scope.editable_hospitals(coord)) == [world.lhasa_peoples]
    assert not scope.editable_programs(actors["official"]).exists()
    assert scope.editable_hospitals(actors["admin"]).count() == Hospital.objects.count()
    assert scope.can_create(coord) and scope.can_create(actors["admin"])
    assert not scope.can_create(actors["official_all"]) and not scope.can_create(actors["viewer"])


def test_scope_costs_a_fixed_number_of_queries(actors, records, django_assert_num_queries):
    user = get_user_model().objects.get(username="coord")
    with django_assert_num_queries(3):  # profile, programs, hospitals of the programs
        for kind in records.values():
            for obj in kind.values():
                scope.can_edit(user, obj)


def test_role_admin_is_the_superuser_flag(db, django_user_model):
    user = django_user_model.objects.create_user("u", password="pw")
    assert user.profile.role == "viewer" and not user.is_superuser
    user.profile.role = "admin"
    user.profile.save()
    user.refresh_from_db()
    assert user.is_superuser and user.is_staff
    user.profile.role = "official"
    user.profile.save()
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff
    boss = django_user_model.objects.create_superuser("boss", password="pw")
    assert Profile.objects.get(user=boss).role == "admin"


def test_admin_assigns_role_and_scope_in_the_user_admin(world, admin_user, client, django_user_model):
    user = django_user_model.objects.create_user("newcoord", password="pw")
    client.force_login(admin_user)
    url = f"/admin/auth/user/{user.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "username": "newcoord", "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "1", "profile-MIN_NUM_FORMS": "1",
        "profile-MAX_NUM_FORMS": "1", "profile-0-id": user.profile.pk, "profile-0-user": user.pk,
        "profile-0-role": "coordinator", "profile-0-programs": ["BJ-LHASA"], "profile-0-language": "zh-hans",
        "api_tokens-TOTAL_FORMS": "0", "api_tokens-INITIAL_FORMS": "0",
        "api_tokens-MIN_NUM_FORMS": "0", "api_tokens-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    user.refresh_from_db()
    assert user.profile.role == "coordinator" and user.profile.language == "zh-hans"
    assert list(scope.editable_programs(user)) == [world.bj_lhasa]
    assert user.profile.history.first().history_user == admin_user


def test_get_readable_or_404_takes_a_model_a_manager_or_a_queryset(actors, records):
    official, inside, outside = actors["official"], records["surgery"]["in"], records["surgery"]["out"]
    for source in (Surgery, Surgery.objects, Surgery.objects.select_related("hospital")):
        assert scope.get_readable_or_404(official, source, pk=inside.pk) == inside
        with pytest.raises(Http404):
            scope.get_readable_or_404(official, source, pk=outside.pk)


def test_demo_users_one_per_role(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo_users", stdout=out)
    call_command("demo_users", stdout=out)  # once only
    users = get_user_model().objects.filter(
        username__in=["coordinator", "official", "official-donor", "official-all", "viewer"])
    assert sorted(scope.role_of(u) for u in users) == ["coordinator", "official", "official", "official", "viewer"]
    assert list(scope.editable_programs(users.get(username="coordinator"))) == [world.bj_lhasa]
    assert scope.readable_regions(users.get(username="official")) == ["540000"]
    assert scope.readable_regions(users.get(username="official-donor")) == ["110000"]
    assert out.getvalue().count("Demo ") == 5


@pytest.mark.parametrize("role", ["official", "viewer"])
def test_a_reader_without_regions_reads_nothing_and_is_told_why(role, world, django_user_model, client):
    """Scope fails closed: every region is an explicit choice, not what an
    empty list of regions means."""
    f.SurgeryFactory(hospital=world.lhasa_peoples)
    user = _make_user(django_user_model, f"new-{role}", role)
    assert not scope.scope_queryset(user, Surgery.objects.all()).exists()
    assert not scope.can_view_region(user, world.tibet)
    client.force_login(user)
    overview = client.get("/").content.decode()
    assert "No regions are assigned to you yet" in overview
    assert "/regions/540000/" not in overview
    assert client.get("/regions/540000/").status_code == 404
    user.profile.all_regions = True
    user.profile.save()
    assert client.get("/regions/540000/").status_code == 200
    assert "No regions are assigned to you yet" not in client.get("/").content.decode()


# --- officials of donor provinces -----------------------------------------------------

def _keys(user, model):
    return set(scope.scope_queryset(user, model.objects.all()).values_list("pk", flat=True))


def _pks(*objs):
    return {o.pk for o in objs}


def test_donor_officials_read_the_records_of_their_programs(donor_side):
    rows, users, records = donor_side["rows"], donor_side["users"], donor_side["records"]
    r = {kind: pair["in"] for kind, pair in records.items()}
    out = {kind: pair["out"] for kind, pair in records.items()}
    expected = {
        "beijing": {
            Program: {"BJ-LHASA", "BJ-XJ"},
            Team: {"BJ-LHASA-1", "BJ-XJ-1"},
            Twinning: set(),
            Rotation: _pks(r["rotation"], out["rotation"]),
            Person: {r["rotation"].person_id, out["rotation"].person_id},
            Surgery: _pks(r["surgery"]),
            Training: _pks(rows["bj_training"]),
            Trainee: {rows["bj_training"].trainee_id},
            Technique: _pks(rows["bj_technique"]),
            Referral: set(),
            Consultation: set(),
            # Its own hospital, and the recipients of its programs.
            Hospital: {"BJ-FRIENDSHIP", "LS-PEOPLES", "XJ-CHILDREN"},
        },
        "shanghai": {
            Program: {"SH-XIGAZE"},
            Team: {"SH-XIGAZE-1"},
            Twinning: _pks(rows["sh_twinning"]),
            Rotation: _pks(rows["sh_rotation"]),
            Person: {rows["sh_rotation"].person_id},
            # Its team's surgery outside Tibet; the local surgeon's in the department it twins.
            Surgery: _pks(rows["sh_team_surgery"], rows["sh_twinned_surgery"]),
            Training: _pks(rows["sh_training"], rows["sh_hosted"]),
            Trainee: {rows["sh_training"].trainee_id, rows["sh_hosted"].trainee_id},
            Technique: _pks(rows["sh_technique"]),
            Referral: set(),
            # Given by Renji, a Shanghai hospital.
            Consultation: _pks(r["consultation"], out["consultation"]),
            # Its own two, its recipient, and the hospitals of the records it reads.
            Hospital: {"SH-RENJI", "SH-ZHONGSHAN", "XG-PEOPLES", "XJ-CHILDREN", "LS-PEOPLES"},
        },
    }
    wrong = []
    for who, per_model in expected.items():
        for model, keys in per_model.items():
            seen = _keys(users[who], model)
            if seen != keys:
                wrong.append((who, model.__name__, sorted(map(str, keys)), sorted(map(str, seen))))
    assert wrong == []
    # What a donor reads it may not change.
    shanghai = users["shanghai"]
    assert not scope.can_edit(shanghai, rows["sh_twinned_surgery"])
    assert not scope.editable_queryset(shanghai, Surgery.objects.all()).exists()
    # The donor dashboard's region is theirs; a recipient region is not.
    assert scope.can_view_region(shanghai, "310000") and not scope.can_view_region(shanghai, "540000")
    assert not scope.can_view_region(shanghai, "110000")


def test_a_recipient_official_gains_nothing_from_the_donors_rules(donor_side, world):
    """An official of Tibet reads exactly what lies in Tibet, as before:
    Shanghai's team operating in Xinjiang and the trainee Renji hosts from
    Xinjiang stay out of sight."""
    rows, tibet = donor_side["rows"], donor_side["users"]["tibet"]
    in_tibet = Hospital.objects.in_region(world.tibet)
    assert _keys(tibet, Surgery) == set(Surgery.objects.filter(hospital__in=in_tibet).values_list("pk", flat=True))
    assert rows["sh_team_surgery"].pk not in _keys(tibet, Surgery)
    assert _keys(tibet, Training) == set(
        Training.objects.filter(trainee__hospital__in=in_tibet).values_list("pk", flat=True))
    assert _keys(tibet, Technique) == set(Technique.objects.filter(hospital__in=in_tibet).values_list("pk", flat=True))
    assert _keys(tibet, Program) == {"BJ-LHASA", "SH-XIGAZE"}
    assert _keys(tibet, Team) == {"BJ-LHASA-1", "SH-XIGAZE-1"}
    assert _keys(tibet, Hospital) == {"LS-PEOPLES", "XG-PEOPLES", "PL-COUNTY", "BJ-FRIENDSHIP", "SH-RENJI"}
    assert _keys(tibet, Trainee) == set(Trainee.objects.filter(hospital__in=in_tibet).values_list("pk", flat=True))
    regions = set(scope.scope_queryset(tibet, Region.objects.all()).values_list("code", flat=True))
    assert regions == {"540000", "540100", "540200", "542500", "542521"}


@pytest.mark.parametrize("signed_in", [True, False], ids=["through-the-backend", "get_scope"])
def test_only_a_reader_who_donates_pays_for_the_donors_rules(signed_in, donor_side, client):
    """The scope knows which of a reader's regions donate (one query with
    the user, or with the regions): an official of Tibet's lists carry no
    donor clause, an official of Beijing's do; both read what they did."""
    users = donor_side["users"]
    if signed_in:
        for who in ("tibet", "beijing"):
            client.force_login(users[who])
            client.get("/")
            users[who] = client.get("/").wsgi_request.user
    else:
        for who in ("tibet", "beijing"):
            scope.forget_scope(users[who])
    assert scope.get_scope(users["tibet"]).donors == ()
    assert scope.get_scope(users["beijing"]).donors == ("110000",)
    tibet_sql = str(scope.scope_queryset(users["tibet"], Surgery.objects.all()).query)
    beijing_sql = str(scope.scope_queryset(users["beijing"], Surgery.objects.all()).query)
    assert "donor_region" not in tibet_sql
    assert "donor_region" in beijing_sql


def test_a_donor_officials_region_choices_include_its_recipients(donor_side):
    """A list's region filter is the recipient's region: a donor's official
    picks the regions its programs go to (and their provinces), no other."""
    regions = scope.scope_queryset(donor_side["users"]["shanghai"], Region.objects.all())
    assert set(regions.values_list("code", flat=True)) == {"310000", "540000", "540200"}
    regions = scope.scope_queryset(donor_side["users"]["beijing"], Region.objects.all())
    assert set(regions.values_list("code", flat=True)) == {"110000", "540000", "540100", "650000", "650100"}
