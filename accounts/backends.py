"""django-axes' backend, tolerant of calls without a request.

Every sign-in form (ours and the admin's) passes the request, so lockout
applies to all of them. Only code that authenticates without a request (the
test client's `login()`, a management command) skips the lockout check and
falls through to Django's ModelBackend, instead of failing with
AxesBackendRequestParameterRequired."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from accounts.models import Profile
from accounts.scope import scope_from_profile


class AxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user with their profile in one query (every page asks for the role)."""
        return _get_user_with_profile(user_id)


def _get_user_with_profile(user_id):
    """The signed-in user with their profile and scope, in one query.

    Every page asks for the role and the scope (accounts.scope.get_scope):
    the user's row, the profile's row and the codes of the profile's
    regions and programs come back in one statement, written once per
    process (the ORM would build two statements on every request, which
    costs more than the database spends answering them). The user and
    profile are model instances as `select_related("profile")` would give,
    and the scope is set on the user as get_scope() would compute it."""
    User = get_user_model()
    prepared = _USER_SQL.get(connection.vendor)
    if prepared is None:
        prepared = _USER_SQL[connection.vendor] = _user_sql(User, Profile, connection)
    sql, converters = prepared
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        # As the ORM does: the backend's and the fields' conversions of
        # database values (SQLite: text to aware datetimes, 0/1 to booleans).
        row = list(row)
        for i, functions, column in converters:
            value = row[i]
            for convert in functions:
                value = convert(value, column, connection)
            row[i] = value
    n_user = len(User._meta.concrete_fields)
    n_profile = len(Profile._meta.concrete_fields)
    user = User.from_db(connection.alias, None, row[:n_user])
    profile_row = row[n_user:n_user + n_profile]
    regions, programs, donors = row[n_user + n_profile:]
    # As ModelBackend.user_can_authenticate: inactive users are signed out.
    if not getattr(user, "is_active", True):
        return None
    if profile_row[0] is None:
        profile = None
        user._state.fields_cache["profile"] = None
    else:
        profile = Profile.from_db(connection.alias, None, profile_row)
        profile._state.fields_cache["user"] = user
        user._state.fields_cache["profile"] = profile
    user._aid_scope = scope_from_profile(user, profile, _codes(regions), _codes(programs), _codes(donors))
    return user


_USER_SQL = {}


def _codes(joined):
    return sorted(joined.split(",")) if joined else []


def _user_sql(User, Profile, connection):
    q = connection.ops.quote_name
    regions = Profile.regions.through._meta
    programs = Profile.programs.through._meta
    program = Profile.programs.field.related_model._meta

    def codes(through, column, where=""):
        table = q(through.db_table)
        profile_id = q(through.get_field("profile").column)
        code = q(through.get_field(column).column)
        joined = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        return f"(SELECT {joined}(x.{code}, ',') FROM {table} x WHERE x.{profile_id} = p.{q('id')}{where})"

    # The profile's regions that donate a program (accounts.scope.Scope.donors).
    donates = (
        f" AND EXISTS (SELECT 1 FROM {q(program.db_table)} d"
        f" WHERE d.{q(program.get_field('donor_region').column)} = x.{q(regions.get_field('region').column)})"
    )

    fields = [*User._meta.concrete_fields, *Profile._meta.concrete_fields]
    converters = []
    for i, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((i, functions, column))
    user_cols = ", ".join(f"u.{q(f.column)}" for f in User._meta.concrete_fields)
    profile_cols = ", ".join(f"p.{q(f.column)}" for f in Profile._meta.concrete_fields)
    return (
        f"SELECT {user_cols}, {profile_cols}, {codes(regions, 'region')}, {codes(programs, 'program')}, "
        f"{codes(regions, 'region', donates)} "
        f"FROM {q(User._meta.db_table)} u LEFT JOIN {q(Profile._meta.db_table)} p "
        f"ON p.{q(Profile._meta.get_field('user').column)} = u.{q(User._meta.pk.column)} "
        f"WHERE u.{q(User._meta.pk.column)} = %s"
    ), converters


class ProfileModelBackend(ModelBackend):
    """Django's ModelBackend whose get_user() loads the profile with the user."""

    def get_user(self, user_id):
        return _get_user_with_profile(user_id)
