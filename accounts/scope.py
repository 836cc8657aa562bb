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
  with everything below it); changes nothing.
- **viewer**: the dashboards only (overview, region, program, hospital and
  team pages), limited to their assigned regions like an official. No lists,
  no exports, no record pages, no history, no JSON API.

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

from accounts.models import Role
from deployments.models import Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region, regions_within
from outcomes.models import Consultation, Referral

ADMIN = Role.ADMIN.value
COORDINATOR = Role.COORDINATOR.value
OFFICIAL = Role.OFFICIAL.value
VIEWER = Role.VIEWER.value

#: Roles that may open lists, exports, record pages, history and the API.
RECORD_READERS = (ADMIN, COORDINATOR, OFFICIAL)
#: Roles that may open the record forms (the record itself must be in scope).
EDITORS = (ADMIN, COORDINATOR)


# --- where each kind of record lies -------------------------------------------------

def _person_in_regions(region_sq):
    rotations = Rotation.objects.filter(
        person=OuterRef("pk"), team__program__recipient_hospital__region__in=region_sq
    )
    return Q(Exists(rotations))


def _hospital_in_regions(region_sq):
    """A hospital in the regions, or one linked to them: the donor hospital of
    a twinning or the home hospital of an expert on rotation (of a program
    whose recipient lies in the regions), the consulting hospital of a
    consultation requested from the regions, the other end of a referral
    from or to them. So an official of Tibet opens the page of a Beijing
    hospital that sends teams to Tibet (and sees there only what concerns
    Tibet: its twinnings with Tibet, no indicators), and follows every
    hospital link of the records they read, but cannot open the page of a
    hospital with no link to Tibet."""
    recipient = {"program__recipient_hospital__region__in": region_sq}
    linked = [
        Twinning.objects.filter(donor_hospital=OuterRef("pk"), **recipient),
        Rotation.objects.filter(person__home_hospital=OuterRef("pk"), **{f"team__{k}": v for k, v in recipient.items()}),
        Consultation.objects.filter(consulting_hospital=OuterRef("pk"), requesting_hospital__region__in=region_sq),
        Referral.objects.filter(destination_hospital=OuterRef("pk")).filter(
            Q(origin_hospital__region__in=region_sq) | Q(origin_region__in=region_sq)),
        Referral.objects.filter(origin_hospital=OuterRef("pk")).filter(
            Q(destination_hospital__region__in=region_sq) | Q(destination_region__in=region_sq)),
    ]
    q = Q(region__in=region_sq)
    for subquery in linked:
        q |= Q(Exists(subquery))
    return q


#: model label -> region paths (a record is readable when any path's region is
#: readable) or a callable(region subquery) -> Q. "" is the region itself.
REGION_PATHS = {
    "hospitals.region": [""],
    "hospitals.hospital": _hospital_in_regions,
    "deployments.program": ["recipient_hospital__region"],
    "deployments.twinning": ["program__recipient_hospital__region"],
    "deployments.team": ["program__recipient_hospital__region"],
    "deployments.rotation": ["team__program__recipient_hospital__region"],
    "deployments.person": _person_in_regions,
    "outcomes.surgery": ["hospital__region"],
    "outcomes.trainee": ["hospital__region"],
    "outcomes.training": ["trainee__hospital__region"],
    "outcomes.technique": ["hospital__region"],
    "outcomes.referral": [
        "origin_hospital__region", "destination_hospital__region",
        "origin_region", "destination_region",
    ],
    "outcomes.consultation": ["requesting_hospital__region", "consulting_hospital__region"],
    "outcomes.indicatorvalue": ["hospital__region"],
}

#: model label -> paths to a hospital; a coordinator edits the record when one
#: of them is a recipient hospital of their programs.
EDIT_HOSPITAL_PATHS = {
    "outcomes.surgery": ["hospital"],
    "outcomes.trainee": ["hospital"],
    "outcomes.training": ["trainee__hospital"],
    "outcomes.technique": ["hospital"],
    "outcomes.referral": ["origin_hospital", "destination_hospital"],
    "outcomes.consultation": ["requesting_hospital"],
}
#: model label -> paths to a program; a coordinator edits it when it is theirs.
EDIT_PROGRAM_PATHS = {
    "deployments.team": ["program"],
    "deployments.rotation": ["team__program"],
}


# --- the user's scope, once per request ---------------------------------------------

@dataclass(frozen=True)
class Scope:
    role: str | None
    programs: frozenset = frozenset()  # coordinator's program codes
    regions: tuple | None = None  # official's/viewer's region codes; None = all

    @property
    def hospitals(self) -> frozenset:
        """Codes of the recipient hospitals of the coordinator's programs."""
        if not self.programs:
            return frozenset()
        cached = getattr(self, "_hospitals", None)
        if cached is None:
            cached = frozenset(
                Program.objects.filter(code__in=self.programs).values_list(
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
        scope = scope_from_profile(
            user, profile,
            profile.regions.values_list("code", flat=True),
            profile.programs.values_list("code", flat=True),
        )
    user._aid_scope = scope
    return scope


def scope_from_profile(user, profile, region_codes, program_codes) -> Scope:
    """The scope of `user` with `profile` (None: none) whose regions and
    programs have the codes given (iterables, read only when the role needs
    them): the rules of get_scope, for callers that have read them already
    (accounts.backends loads them with the user)."""
    if user.is_superuser:
        return Scope(role=ADMIN)
    role = profile.role if profile else VIEWER
    if role == ADMIN:  # a profile saying admin without the superuser flag: least privilege
        role = VIEWER
    if role == COORDINATOR:
        return Scope(role=role, programs=frozenset(program_codes))
    if role in (OFFICIAL, VIEWER) and profile is not None:
        codes = tuple(sorted(region_codes))
        return Scope(role=role, regions=codes or None)
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


def _readable_region_subquery(codes):
    return regions_within(codes)


def _label(queryset_or_model):
    model = getattr(queryset_or_model, "model", queryset_or_model)
    return model._meta.label_lower


def scope_queryset(user, queryset):
    """`queryset` narrowed to the records the user may read.

    Admins and coordinators read everything; officials and viewers with
    regions read the records lying in those regions (see REGION_PATHS);
    signed-out users read nothing. Viewers are refused lists and records by
    the view decorators, not here (dashboards aggregate through this too)."""
    scope = get_scope(user)
    if scope.role is None:
        return queryset.none()
    if scope.regions is None:
        return queryset
    label = _label(queryset)
    paths = REGION_PATHS.get(label)
    if paths is None:
        raise ImproperlyConfigured(f"accounts.scope.REGION_PATHS has no entry for {label}.")
    region_sq = _readable_region_subquery(scope.regions)
    if callable(paths):
        return queryset.filter(paths(region_sq))
    q = Q()
    for path in paths:
        q |= Q(**{f"{path}__in" if path else "code__in": region_sq})
    return queryset.filter(q)


def get_readable_or_404(user, queryset, **lookup):
    """The record matching `lookup` if the user may read it, else Http404."""
    if not hasattr(queryset, "model"):
        queryset = queryset._default_manager.all()
    elif not hasattr(queryset, "query"):  # a manager
        queryset = queryset.all()
    return get_object_or_404(scope_queryset(user, queryset), **lookup)


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
    if scope.role == ADMIN:
        return Program.objects.all()
    if scope.role == COORDINATOR:
        return Program.objects.filter(code__in=scope.programs)
    return Program.objects.none()


def editable_hospitals(user):
    """Hospitals whose records the user may change: the recipient hospitals of
    the coordinator's programs (all for admins)."""
    scope = get_scope(user)
    if scope.role == ADMIN:
        return Hospital.objects.all()
    if scope.role == COORDINATOR:
        return Hospital.objects.filter(code__in=scope.hospitals)
    return Hospital.objects.none()


def editable_teams(user):
    """Teams of the programs the user may change (all for admins)."""
    scope = get_scope(user)
    if scope.role == ADMIN:
        return Team.objects.all()
    if scope.role == COORDINATOR:
        return Team.objects.filter(program__in=scope.programs)
    return Team.objects.none()


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
    label = obj._meta.label_lower
    if label in EDIT_HOSPITAL_PATHS:
        return any(_follow(obj, p) in scope.hospitals for p in EDIT_HOSPITAL_PATHS[label])
    if label in EDIT_PROGRAM_PATHS:
        return any(_follow(obj, p) in scope.programs for p in EDIT_PROGRAM_PATHS[label])
    return False


def editable_queryset(user, queryset):
    """`queryset` narrowed to the records the user may change."""
    scope = get_scope(user)
    if scope.role == ADMIN:
        return queryset
    if scope.role != COORDINATOR:
        return queryset.none()
    label = _label(queryset)
    q = Q(pk__in=[])
    for path in EDIT_HOSPITAL_PATHS.get(label, []):
        q |= Q(**{f"{path}__in": scope.hospitals})
    for path in EDIT_PROGRAM_PATHS.get(label, []):
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
