"""The record lists' shared machinery: filter, sort, paginate, export.

Every list page (surgeries, trainings, rotations, ...) is a `RecordListView`
subclass that names its FilterSet, its sortable columns and its CSV columns.
The rows come from the app's `scope` function for the model (the one place
where a user's scope will narrow what they see), then the FilterSet, then a
whitelisted ordering. The page runs a fixed number of queries: the filter
form's choices, one aggregate for the totals (the row count among them), and
one page of rows; the CSV export streams exactly the filtered rows with a
server-side cursor, so memory does not grow with their number.
"""

import itertools

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.scope import RoleRequiredMixin, can_create, readable_regions, scope_key
from aidtracker.lib.cache import cached, cached_page, fragment_key
from aidtracker.lib.downloads import csv_response

CSV_CHUNK_SIZE = 2000


def stream_csv(queryset, columns, filename):
    """A streamed download of `queryset` as CSV (with a byte-order mark): the file's declared
    `columns` (aidtracker.lib.columns.Columns, e.g. outcomes.columns.SURGERIES),
    written cell for cell as the bundle export writes them: text that a
    spreadsheet would run as a formula gets an apostrophe before it."""
    return csv_response(
        itertools.chain([columns.names], columns.rows(queryset, chunk_size=CSV_CHUNK_SIZE)), filename
    )


class Sorting:
    """A whitelisted `?sort=` parameter: `column` or `-column`."""

    def __init__(self, request, columns: dict, default: str):
        self.columns = columns
        raw = request.GET.get("sort", "")
        name = raw.lstrip("-")
        if name not in columns:
            raw = default
            name = default.lstrip("-")
        self.key = raw
        self.name = name
        self.descending = raw.startswith("-")

    def order_by(self):
        fields = self.columns[self.name]
        if isinstance(fields, str):
            fields = [fields]
        out = []
        for field in fields:
            if self.descending:
                out.append(field[1:] if field.startswith("-") else f"-{field}")
            else:
                out.append(field)
        return out


def scope_filter_choices(user, form):
    """Narrow the form's choices (regions, hospitals, programs, teams...) to
    those the user may read, so a regional official neither sees other
    regions' hospitals in the dropdowns nor can pick them (an unreadable
    choice is refused as invalid): a field narrows itself when it knows how
    (`restrict_to_regions`, e.g. the donor filter keeps the donors of the
    programs the user may read), else its queryset's `in_regions` does. No
    query is run here: the choices stay lazy querysets with a subquery."""
    codes = readable_regions(user)
    if codes is None:
        return
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if hasattr(field, "restrict_to_regions"):
            field.restrict_to_regions(codes)
        elif queryset is not None and hasattr(queryset, "in_regions"):
            field.queryset = queryset.in_regions(codes)


class RecordListView(RoleRequiredMixin, View):
    """Filtered, sorted, paginated list of one model, with a CSV export.

    Admins, coordinators and officials only (viewers get 403); the rows come
    from the app's scope functions, the filter choices are narrowed alike."""

    filterset_class = None
    template_name = None
    paginate_by = 50
    sort_columns: dict = {}
    default_sort = ""
    csv_columns = None  # the file's columns (an app's columns.py), e.g. outcomes.columns.SURGERIES
    csv_filename = "export.csv"
    # The URL name of the form that creates one such record ("outcomes:surgery_create"):
    # the list then shows a "New" button to those who may create records.
    create_url_name = None
    select_related: tuple = ()
    title = ""
    # Extra distinct counts shown beside the row count, e.g. {"trainees": "trainee"}.
    distinct_counts: dict = {}

    def base_queryset(self, request):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv" or kwargs.get("export"):
            return self.render_list(request, *args, **kwargs)  # streams, never cached
        return self.cached_list(request, *args, **kwargs)

    # The whole page comes from the cache when nothing it shows has changed
    # (aidtracker/cache.py: cached_page).
    @method_decorator(cached_page)
    def cached_list(self, request, *args, **kwargs):
        return self.render_list(request, *args, **kwargs)

    def render_list(self, request, *args, **kwargs):
        filterset = self.filterset_class(
            request.GET or None, queryset=self.base_queryset(request), request=request
        )
        scope_filter_choices(request.user, filterset.form)
        # An unbound FilterSet lists everything; a bound one with errors lists
        # nothing and the form says what was wrong.
        if filterset.is_bound and not filterset.is_valid():
            queryset = filterset.queryset.none()
        else:
            queryset = filterset.qs
        sorting = Sorting(request, self.sort_columns, self.default_sort)
        # A unique tie-breaker keeps pages stable when the sort key repeats.
        queryset = queryset.order_by(*sorting.order_by(), "pk")

        if request.GET.get("format") == "csv" or kwargs.get("export"):
            return stream_csv(queryset, self.csv_columns, self.csv_filename)

        # Counting every matching row is the list's one costly query on big
        # tables; its result depends on the filters and the user's scope only
        # (not on sort or page), and is cached under them (aidtracker/cache.py:
        # never stale after a write).
        filters = sorted(
            (key, value) for key, values in request.GET.lists() for value in values
            if key not in ("page", "sort", "format")
        )
        def count():
            fast = None if filterset.is_bound and not filterset.is_valid() else self.fast_totals(request, filterset)
            return fast if fast is not None else queryset.order_by().aggregate(
                rows=Count("pk"),
                **{name: Count(path, distinct=True) for name, path in self.distinct_counts.items()},
            )

        totals = cached((f"{type(self).__name__}.totals", filters, scope_key(request.user)), count)
        paginator = Paginator(queryset.select_related(*self.select_related), self.paginate_by)
        paginator.count = totals["rows"]  # already counted in the aggregate above
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        context = {
            # The table and the pagination are one cached fragment.
            "fragment_key": fragment_key(
                request, type(self).__name__,
                sorted((k, v) for k, vs in request.GET.lists() for v in vs if k != "format"),
            ),
            "cache_timeout": settings.CACHE_TIMEOUT,
            "title": self.title,
            "filter": filterset,
            "page_obj": page,
            "rows": page.object_list,
            "totals": totals,
            "sorting": sorting,
            "query": query,
            "csv_query": _with(query, format="csv"),
            "create": self.create_url(request),
        }
        context.update(self.get_extra_context(request, filterset))
        return render(request, self.template_name, context)

    def get_extra_context(self, request, filterset):
        return {}

    def create_url(self, request):
        """The list's create form ({"url", "label"}) when the user may create
        records (accounts.scope.can_create: an admin, or a coordinator with
        programs), else None."""
        if self.create_url_name is None or not can_create(request.user):
            return None
        return {
            "url": reverse(self.create_url_name),
            "label": _("New %(kind)s") % {"kind": self.filterset_class._meta.model._meta.verbose_name},
        }

    def fast_totals(self, request, filterset):
        """The totals ({"rows": n, ...}) computed a cheaper way than counting
        the filtered rows, or None to count them (override; must be exact)."""
        return None

    #: The filters a rollup of the whole data answers (see fast_totals).
    ROLLUP_FILTERS: frozenset = frozenset()

    def rollup_filters_in_use(self, request, filterset) -> dict | None:
        """{filter: value} of the valid filters in use, when a rollup of the
        whole data can answer them: the user reads every region (a regional
        official's rows are counted row by row) and uses no filter outside
        ROLLUP_FILTERS; else None."""
        if readable_regions(request.user) is not None:
            return None
        data = filterset.form.cleaned_data if filterset.is_bound else {}
        used = {name: value for name, value in data.items() if value not in (None, "", [], ())}
        return used if set(used) <= self.ROLLUP_FILTERS else None


def _with(query, **params):
    q = query.copy()
    for k, v in params.items():
        q[k] = v
    return q.urlencode()


PAGINATION_LABEL = _("Pages")
