"""The JSON API for officials' own tools (issue 4).

URLs (api/urls.py, mounted under /api/v1/ by aidtracker/urls.py); each answers with and
without a trailing slash, never with a redirect:

- GET /api/v1/regions/ — the recipient regions:
  {"regions": [{"code", "name", "name_zh", "summary_url"}, ...]}
- GET /api/v1/regions/<code>/summary?from=YYYY-MM-DD&to=YYYY-MM-DD&specialty=&donor=
  — region_summary() as JSON, exactly the interchange spec's section 5.
- GET /api/v1/regions/<code>/series?from=&to=&specialty=&donor= — the
  region dashboard's chart series (figures.series.region_series):
  {"region", "period", "charts": {"period" (the charted days), "grouping"
  ("month", "quarter" or "year": Period.grouping), "surgeries_per_month",
  "experts_per_month", "trainees_per_month", "techniques_per_year"},
  "safety", "twinned_per_month"}; each point has "label", "from", "to",
  "partial" and "through" beside its figures (docs/figures.md, "Trends").
- GET /api/v1/donors/ — the donor regions, likewise.
- GET /api/v1/donors/<code>/summary?from=YYYY-MM-DD&to=YYYY-MM-DD&specialty=&recipient=
  — donor_summary() as JSON, exactly the interchange spec's section 6.
- Either summary with `&compare=previous`: the same keys, and beside them
  "previous": {"period": {"from", "to"}, "summary": <the same summary of
  the comparable period just before (Period.previous: the year before a
  calendar year, as many whole months or days before otherwise)>}, or
  "previous": null for an open period, which has nothing to compare with.
- A region summary with `&include=movements`: beside the spec's keys,
  "movements": the region's patient movements and outcomes per year
  (figures/movements.py as_json; docs/figures.md defines them).

Every answer is JSON, errors too: {"error": "<what was wrong>"} with 401
(not signed in), 403 (a viewer: dashboards only), 404 (no such region, one
outside the user's regions, or no such API address), 400 (a region below
province level, a bad date, from after to, an unknown specialty, donor or
recipient, a `compare` other than previous, an `include` other than
movements or with a donor summary) or 405 (not GET/HEAD).
Authentication is the request's user: a session, or a personal API token
that an authentication middleware turns into request.user.
"""

from functools import wraps

from django.http import JsonResponse
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scope import api_records_required, can_view_region, readable_regions, role_of, scope_key
from aidtracker.lib.cache import cached_call, cached_page
from figures.forms import SummaryArgumentError, SummaryForm
from figures.movements import as_json as movements_json
from figures.movements import movements
from figures.overview import donor_regions, recipient_regions
from figures.series import region_series
from figures.summary import donor_summary, region_summary

def error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="aidtracker"'
    return response


def api_view(view):
    """GET/HEAD only, signed-in users only, errors as JSON."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error(405, _("Only GET is allowed here."))
            response["Allow"] = "GET, HEAD"
            return response
        if not request.user.is_authenticated:
            return error(401, _("Sign in or send a personal API token to use the API."))
        return api_records_required(view)(request, *args, **kwargs)

    return wrapper


def _readable(user, regions):
    """The province-level `regions` the user may read (provinces have no parent)."""
    codes = readable_regions(user)
    return regions if codes is None else regions.filter(code__in=codes)


def _may_read(user, code) -> bool:
    """Whether the user may read the region `code` (404 otherwise): one of
    their regions at no cost, a region below one of them with a query."""
    codes = readable_regions(user)
    return codes is None or code in codes or can_view_region(user, code)


def json(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _listed(request, key, regions, summary_name):
    return json({
        key: [
            {
                "code": region.code,
                "name": region.name,
                "name_zh": region.name_zh,
                "summary_url": request.build_absolute_uri(reverse(summary_name, args=[region.code])),
            }
            for region in _readable(request.user, regions)
        ]
    })


@api_view
def regions(request):
    """The recipient regions, each with the address of its summary."""
    return _listed(request, "regions", recipient_regions(), "api:region-summary")


@api_view
def donors(request):
    """The donor regions, each with the address of its summary."""
    return _listed(request, "donors", donor_regions(), "api:donor-summary")


def _summary_answer(request, code, summary, other, **extra):
    """The summary of the region `code` as JSON, or the JSON error that
    says what was wrong. Cached (aidtracker/lib/cache.py): keyed by every
    argument (`extra` too) and the user's scope, never stale after a write."""
    if not _may_read(request.user, code):
        # Outside the user's regions: as if it did not exist (guessing reveals nothing).
        return error(404, _("No region has the code %(code)s.") % {"code": repr(code)})
    form = SummaryForm(request.GET, code=code, other=other)
    try:
        region, period, filters = form.summary_arguments()
    except SummaryArgumentError as problem:
        return error(problem.status, str(problem))
    answer = cached_call(summary, region, period, scope=scope_key(request.user), **filters, **extra)
    if form.cleaned_data["compare"]:
        # Beside the spec's keys, never among them: the earlier period
        # (Period.previous) and its summary, by the same function; null for
        # an open period, which has none to compare with.
        earlier = period.previous()
        answer = {**answer, "previous": None if earlier is None else {
            "period": earlier.as_dict(),
            "summary": cached_call(summary, region, earlier, scope=scope_key(request.user), **filters, **extra),
        }}
    if form.cleaned_data["include"]:
        # Beside the spec's keys too: the region's patient movements and
        # outcomes (figures/movements.py), region-wide whatever the filters.
        answer = {**answer, "movements": movements_json(
            cached_call(movements, region, period, scope=scope_key(request.user))
        )}
    return json(answer)


@cached_page
@api_view
def summary(request, code):
    """The region summary, exactly as the interchange spec's section 5 defines it."""
    return _summary_answer(request, code, region_summary, "donor")


@cached_page
@api_view
def series(request, code):
    """The region dashboard's chart series and safety figures (today's
    date decides the partial points: in the cache key)."""
    return _summary_answer(request, code, region_series, "donor", today=timezone.localdate())


@cached_page
@api_view
def donor(request, code):
    """The donor summary, exactly as the interchange spec's section 6
    defines it. A donor's figures span every region it sends teams to: the
    summary is for readers of the donor region itself (or of all regions)."""
    return _summary_answer(request, code, donor_summary, "recipient")


def not_found(request, rest=""):
    """Any other address under /api/v1/: a JSON 404, like every API answer."""
    return error(404, _("There is no API address %(path)s.") % {"path": request.path})


@api_records_required
def whoami(request):
    """GET /api/v1/whoami: who the request is signed in as (a check for API tokens)."""
    return json({
        "username": request.user.get_username(),
        "role": role_of(request.user),
        "regions": readable_regions(request.user),
        "token": getattr(getattr(request, "api_token", None), "hint", None),
    })
