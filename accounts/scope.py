"""Who may read and change what: the one place every view asks.

Roles (see `accounts.models.Role`)
----------------------------------
- **admin** (Django superuser): everything, including imports, users, tokens
  and the Django admin.
- **coordinator**: reads every record; creates, edits and deletes the records
  of the programs assigned to them: their programs' teams and rotations, and
  the surgeries, trainings (by the trainee's hospital), techniques, referrals
  (origin or destination hospital) and consultations (requesting hospital) of
  those programs' recipient hospitals.
- **official**: reads everything, or only the regions assigned to them (each
  with everything below it); changes nothing. When one of their regions is
  a donor province (the `donor_region` of programs), they also read the
  records of the programs it donates: the programs, their twinnings, teams,
  rotations and people, the surgeries of its teams and of the departments it
  twins, its programs' trainings and techniques, and the hospitals and
  regions these lead to (`hospitals.models.donated_by_q` in each
  queryset's `in_regions`). Referrals and indicators are not a donor's.
- **viewer**: the dashboards only (overview, region, program, hospital and
  team pages), limited to their assigned regions like an official (a donor
  province's programs included). No lists, no exports, no record pages, no
  history, no JSON API.

The response rule
-----------------
- Anonymous: pages redirect to sign-in (302); /api/ answers 401 JSON
  (`accounts.middleware`).
- A role that may never do the action (a viewer opening a list or a record,
  an official or viewer opening a form, a coordinator without programs
  creating, anyone but an admin importing): **403**.
- A record (or region) outside what the user may *read*: **404**, so that
  guessing addresses reveals nothing. Check reads first, then the action.
- A record the user may read but not change (a coordinator editing another
  program's surgery): **403**.

How to apply it to a view
-------------------------
- Lists and exports: `@records_required`, then
  `scope_queryset(request.user, Surgery.objects.all())` before filtering.
- Record pages: `@records_required`, then
  `get_readable_or_404(request.user, Surgery.objects, pk=pk)`.
- Forms: `@editors_required`, then `get_editable_or_403(...)` (edit/delete)
  or `can_create(request.user)` (create); limit choices with
  `editable_hospitals(user)`, `editable_programs(user)`, `editable_teams(user)`.
- Dashboards: any signed-in role; `get_region_or_404(request.user, code)`,
  `can_view_region(user, region)`; on the overview, show only
  `readable_regions(user)` (None = all); a program/hospital/team page:
  `get_readable_or_404(user, Program.objects, code=code)`.
- JSON API: `@api_records_required` (403 JSON for viewers) and the same
  region checks (404 JSON is the view's own business).
- Admin-only pages (import): `@admin_required`.
- Public views (sign-in, /healthz): `django.contrib.auth.decorators.login_not_required`.
- Class-based views: `RoleRequiredMixin` with `roles = RECORD_READERS`, and
  `ScopedQuerysetMixin` for `get_queryset()`.

Scope is computed once per request and cached on the user object (one to
three small queries); nothing here loops over records.
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Profile, Role
from hospitals.models import Hospital, ReaderRegions, Region

ADMIN = Role.ADMIN.value
COORDINATOR = Role.COORDINATOR.value
OFFICIAL = Role.OFFICIAL.value
VIEWER = Role.VIEWER.value

#: Roles that may open lists, exports, record pages, history and the API.
RECORD_READERS = (ADMIN, COORDINATOR, OFFICIAL)
#: Roles that may open the record forms (the record itself must be in scope).
EDITORS = (ADMIN, COORDINATOR)

# Where a record lies is the record's own business: each model's queryset
# has `in_regions(codes)` (the rows a reader of those regions may read), and
# each model a coordinator edits names the paths that decide it:
# `scope_hospital_paths` (a coordinator edits the record when one of them
# leads to a recipient hospital of their programs) or `scope_program_paths`
# (when one leads to one of their programs). This module knows no model of
# the apps above it.


def _program_model():
    """The model of the programs a profile is assigned (deployments.Program),
    by the profile's own relation: this app lies below deployments."""
    return Profile._meta.get_field("programs").related_model


class ScopedQuerySet:
    """A mixin for the querysets of the records above this app:
    `visible_to(user)` and `editable_by(user)`, in NetBox's `restrict()` style."""

    def visible_to(self, user):
        """The rows `user` may read (scope_queryset)."""
        return scope_queryset(user, self)

    def editable_by(self, user):
        """The rows `user` may change (editable_queryset)."""
        return editable_queryset(user, self)


# --- the user's scope, once per request ---------------------------------------------

@dataclass(frozen=True)
class Scope:
    role: str | None
    programs: frozenset = frozenset()  # coordinator's program codes
    regions: tuple | None = None  # official's/viewer's region codes; None = all, () = none
    # Those of `regions` that donate a program; None: not known (all may).
    donors: tuple | None = None

    @property
    def hospitals(self) -> frozenset:
        """Codes of the recipient hospitals of the coordinator's programs."""
        if not self.programs:
            return frozenset()
        cached = getattr(self, "_hospitals", None)
        if cached is None:
            cached = frozenset(
                _program_model().objects.filter(code__in=self.programs).values_list(
                    "recipient_hospital", flat=True
                )
            )
            object.__setattr__(self, "_hospitals", cached)
        return cached


ANONYMOUS = Scope(role=None)


def get_scope(user) -> Scope:
    """The user's role and scope, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_aid_scope", None)
    if cached is not None:
        return cached
    profile = None
    if not user.is_superuser:
        try:
            profile = user.profile
        except ObjectDoesNotExist:
            pass
    if profile is None:
        scope = scope_from_profile(user, profile, (), ())
    else:
        regions, donors = (), None
        if profile.role in (OFFICIAL, VIEWER) and not profile.all_regions:
            # The regions and, for each, whether it donates a program: one query.
            rows = list(profile.regions.annotate(
                donates=Exists(_program_model().objects.filter(donor_region=OuterRef("code")))
            ).values_list("code", "donates"))
            regions = [code for code, _donates in rows]
            donors = [code for code, donates in rows if donates]
        scope = scope_from_profile(
            user, profile, regions, profile.programs.values_list("code", flat=True), donors
        )
    user._aid_scope = scope
    return scope


def scope_from_profile(user, profile, region_codes, program_codes, donor_codes=None) -> Scope:
    """The scope of `user` with `profile` (None: none) whose regions and
    programs have the codes given (iterables, read only when the role needs
    them), `donor_codes` those of the regions that donate a program (None:
    not known): the rules of get_scope, for callers that have read them
    already (accounts.backends loads them with the user)."""
    if user.is_superuser:
        return Scope(role=ADMIN)
    role = profile.role if profile else VIEWER
    if role == ADMIN:  # a profile saying admin without the superuser flag: least privilege
        role = VIEWER
    if role == COORDINATOR:
        return Scope(role=role, programs=frozenset(program_codes))
    if role in (OFFICIAL, VIEWER) and profile is not None and profile.all_regions:
        return Scope(role=role)
    if role in (OFFICIAL, VIEWER):
        # No regions, and not every region: nothing (scope fails closed).
        codes = tuple(sorted(region_codes)) if profile is not None else ()
        if profile is None:
            donors = ()
        else:
            donors = None if donor_codes is None else tuple(sorted(donor_codes))
        return Scope(role=role, regions=codes, donors=donors)
    return Scope(role=role)


def forget_scope(user):
    """Drop the cached scope (after changing the user's profile in the same request)."""
    user.__dict__.pop("_aid_scope", None)


def role_of(user) -> str | None:
    """'admin', 'coordinator', 'official', 'viewer', or None when signed out."""
    return get_scope(user).role


def role_label(user) -> str:
    role = role_of(user)
    return str(Role(role).label) if role else ""


def is_admin(user) -> bool:
    return role_of(user) == ADMIN


def is_viewer(user) -> bool:
    """True for viewers: dashboards only (no lists, exports, records, history, API)."""
    return role_of(user) == VIEWER


def can_read_records(user) -> bool:
    """May open lists, exports, record pages, history and the JSON API."""
    return role_of(user) in RECORD_READERS


# --- reading ------------------------------------------------------------------------

def readable_regions(user) -> list[str] | None:
    """Codes of the regions the user may read (each with all below it); None = all.

    Signed-out users get [] (nothing)."""
    scope = get_scope(user)
    if scope.role is None:
        return []
    return None if scope.regions is None else list(scope.regions)


def _region_codes_up(region) -> list[str]:
    """`region`'s code and its ancestors' codes."""
    if not isinstance(region, Region):
        region = Region.objects.select_related("parent__parent").filter(code=region).first()
        if region is None:
            return []
    codes = []
    while region is not None:
        codes.append(region.code)
        region = region.parent if region.parent_id else None
    return codes


def can_view_region(user, region) -> bool:
    """May the user read `region` (a Region or a code): its dashboard, its figures."""
    regions = readable_regions(user)
    if regions is None:
        return True
    return any(code in regions for code in _region_codes_up(region))


def scope_queryset(user, queryset):
    """`queryset` narrowed to the records the user may read.

    Admins and coordinators read everything; officials and viewers with
    regions read the records lying in those regions (the queryset's
    `in_regions`); signed-out users read nothing. Viewers are refused lists
    and records by the view decorators, not here (dashboards aggregate
    through this too)."""
    scope = get_scope(user)
    if scope.role is None:
        return queryset.none()
    if scope.regions is None:
        return queryset
    if not scope.regions:
        return queryset.none()  # no regions assigned: nothing (scope fails closed)
    if not hasattr(queryset, "in_regions"):
        label = queryset.model._meta.label_lower
        raise ImproperlyConfigured(f"The queryset of {label} has no in_regions(codes): its readers cannot be told.")
    return queryset.in_regions(ReaderRegions(scope.regions, donors=scope.donors))


def scope_key(user) -> str:
    """The part of a cache key that names what `user` may read: "all", or
    "regions:" and their sorted region codes ("none" for nothing). Users with
    the same scope share cached figures; different scopes never do."""
    regions = readable_regions(user)
    if regions is None:
        return "all"
    return "regions:" + ",".join(sorted(regions)) if regions else "none"


def get_readable_or_404(user, queryset, **lookup):
    """The record matching `lookup` if the user may read it, else Http404."""
    if not hasattr(queryset, "model"):
        queryset = queryset._default_manager.all()
    elif not hasattr(queryset, "query"):  # a manager
        queryset = queryset.all()
    return get_object_or_404(scope_queryset(user, queryset), **lookup)


def donors_read(user) -> tuple:
    """The donor provinces among the user's regions, whose programs' records
    they read besides their regions' (() for readers of every region or of
    none, and for every other role)."""
    return get_scope(user).donors or ()


def get_region_or_404(user, code):
    """The region with `code` if the user may read it, else Http404."""
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    if region is None or not can_view_region(user, region):
        raise Http404(_("No such region."))
    return region


# --- changing -----------------------------------------------------------------------

def editable_programs(user):
    """Programs whose records the user may change (all for admins)."""
    scope = get_scope(user)
    programs = _program_model().objects
    if scope.role == ADMIN:
        return programs.all()
    if scope.role == COORDINATOR:
        return programs.filter(code__in=scope.programs)
    return programs.none()


def editable_hospitals(user):
    """Hospitals whose records the user may change: the recipient hospitals of
    the coordinator's programs (all for admins)."""
    scope = get_scope(user)
    if scope.role == ADMIN:
        return Hospital.objects.all()
    if scope.role == COORDINATOR:
        return Hospital.objects.filter(code__in=scope.hospitals)
    return Hospital.objects.none()


def can_edit_hospital(user, hospital) -> bool:
    """May the user change `hospital`'s own records, such as its monthly
    indicators: admins, and coordinators of a program it receives
    (editable_hospitals)."""
    scope = get_scope(user)
    if scope.role == ADMIN:
        return True
    return scope.role == COORDINATOR and hospital.pk in scope.hospitals


def can_create(user) -> bool:
    """May the user open a create form at all (an admin, or a coordinator with programs)."""
    scope = get_scope(user)
    return scope.role == ADMIN or (scope.role == COORDINATOR and bool(scope.programs))


def _follow(obj, path):
    """The primary key at the end of `path` ("trainee__hospital") on `obj`, or None."""
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None) if getattr(obj, f"{hop}_id", True) is not None else None
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def can_edit(user, obj) -> bool:
    """May the user change or delete `obj` (also an unsaved one being created)."""
    scope = get_scope(user)
    if scope.role == ADMIN:
        return True
    if scope.role != COORDINATOR:
        return False
    if any(_follow(obj, p) in scope.hospitals for p in getattr(obj, "scope_hospital_paths", ())):
        return True
    return any(_follow(obj, p) in scope.programs for p in getattr(obj, "scope_program_paths", ()))


def editable_queryset(user, queryset):
    """`queryset` narrowed to the records the user may change."""
    scope = get_scope(user)
    if scope.role == ADMIN:
        return queryset
    if scope.role != COORDINATOR:
        return queryset.none()
    model = queryset.model
    q = Q(pk__in=[])
    for path in getattr(model, "scope_hospital_paths", ()):
        q |= Q(**{f"{path}__in": scope.hospitals})
    for path in getattr(model, "scope_program_paths", ()):
        q |= Q(**{f"{path}__in": scope.programs})
    return queryset.filter(q)


def get_editable_or_403(user, queryset, **lookup):
    """The record if the user may read it (else 404) and change it (else 403)."""
    obj = get_readable_or_404(user, queryset, **lookup)
    if not can_edit(user, obj):
        raise PermissionDenied(_("This record belongs to a program that is not assigned to you."))
    return obj


# --- view decorators and mixins -----------------------------------------------------

def _forbidden(request, message):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": message}, status=403)
    raise PermissionDenied(message)


def role_required(*roles):
    """View decorator: 403 unless the signed-in user's role is one of `roles`.

    (Signed-out users never get here: the login-required middleware sends them
    to sign in, or answers 401 on /api/.) On /api/ paths the 403 is JSON."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            role = role_of(request.user)
            if role is None:
                # Only reachable for a view marked login_not_required.
                raise PermissionDenied(_("Sign in first."))
            if role not in roles:
                return _forbidden(request, _("Your role (%(role)s) may not open this page.") % {
                    "role": role_label(request.user)})
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


#: Lists, exports, record pages, history: admins, coordinators, officials.
records_required = role_required(*RECORD_READERS)
#: The JSON API: the same roles; viewers get 403 JSON.
api_records_required = role_required(*RECORD_READERS)
#: Record forms: admins and coordinators (then the record's scope decides).
editors_required = role_required(*EDITORS)
#: Imports, users, tokens, recent changes: admins only.
admin_required = role_required(ADMIN)


class RoleRequiredMixin:
    """Class-based views: 403 unless the user's role is in `roles`."""

    roles = RECORD_READERS

    def dispatch(self, request, *args, **kwargs):
        if role_of(request.user) not in self.roles:
            return _forbidden(request, _("Your role (%(role)s) may not open this page.") % {
                "role": role_label(request.user)})
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin:
    """Class-based views: `get_queryset()` narrowed with `scope_queryset`."""

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())
