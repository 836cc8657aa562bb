"""The signed-in user is loaded with their profile and scope in one query
(accounts.backends): the same user, profile and scope the ORM and
accounts.scope.get_scope give, for every kind of account."""

import pytest
from django.contrib.auth import get_user_model

from accounts.backends import _get_user_with_profile
from accounts.scope import forget_scope, get_scope
from tests.conftest import _make_user


def scope_by_the_orm(user_id):
    user = get_user_model().objects.select_related("profile").get(pk=user_id)
    forget_scope(user)
    return user, get_scope(user)


@pytest.mark.parametrize("kind", ["official_two", "official_all", "viewer", "coordinator", "admin", "no_profile"])
def test_one_query_gives_what_the_orm_gives(kind, world, django_user_model, django_assert_num_queries):
    if kind == "official_two":
        user = _make_user(django_user_model, "o2", "official", regions=[world.xinjiang, world.tibet])
    elif kind == "official_all":
        user = _make_user(django_user_model, "oa", "official", all_regions=True)
    elif kind == "viewer":
        user = _make_user(django_user_model, "v", "viewer", regions=[world.tibet])
    elif kind == "coordinator":
        user = _make_user(django_user_model, "c", "coordinator", programs=[world.bj_lhasa])
    elif kind == "admin":
        user = django_user_model.objects.create_superuser("root", "r@example.org", "pw")
    else:
        user = django_user_model.objects.create_user("bare", "b@example.org", "pw")
        user.profile.delete()
    expected_user, expected_scope = scope_by_the_orm(user.pk)

    with django_assert_num_queries(1):
        loaded = _get_user_with_profile(user.pk)
        scope = get_scope(loaded)  # set by the loader: no query of its own
    assert scope == expected_scope
    assert [getattr(loaded, f.attname) for f in loaded._meta.concrete_fields] == [
        getattr(expected_user, f.attname) for f in expected_user._meta.concrete_fields
    ]
    if kind == "no_profile":
        assert not hasattr(loaded, "profile")
    else:
        with django_assert_num_queries(0):
            assert loaded.profile.role == expected_user.profile.role
            assert loaded.profile.user is loaded


def test_scope_order_and_codes(world, django_user_model):
    user = _make_user(django_user_model, "o2", "official", regions=[world.xinjiang, world.tibet])
    assert get_scope(_get_user_with_profile(user.pk)).regions == tuple(sorted([world.xinjiang.code, world.tibet.code]))


def test_unknown_and_inactive_users_are_signed_out(world, django_user_model):
    user = _make_user(django_user_model, "gone", "official")
    assert _get_user_with_profile(user.pk + 1000) is None
    django_user_model.objects.filter(pk=user.pk).update(is_active=False)
    assert _get_user_with_profile(user.pk) is None


def test_a_changed_scope_applies_on_the_next_request(world, django_user_model, client):
    user = _make_user(django_user_model, "moving", "official", regions=[world.tibet])
    client.force_login(user)
    assert client.get("/regions/540000/").status_code == 200
    user.profile.regions.set([world.xinjiang])
    assert client.get("/regions/540000/").status_code == 404
