"""Record list of rotations (the programs and teams pages are dashboards)."""

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from aidtracker.lib.periods import Period
from hospitals.models import Region
from records.lists import RecordListView
from deployments import columns
from deployments.models import CoveredSpan, ExpertSpanMonth, Program, Rotation
from deployments.filters import RotationFilter


class RotationListView(RecordListView):
    title = _("Rotations")
    filterset_class = RotationFilter
    template_name = "deployments/rotation_list.html"
    create_url_name = "deployments:rotation_create"
    select_related = ("team__program", "person__home_hospital", "specialty")
    distinct_counts = {"experts": "person"}
    sort_columns = {
        "start": "start_date", "end": "end_date", "person": "person__name",
        "team": ["team__program_id", "team__batch"], "specialty": "specialty__name",
        "title": "title", "role": "role",
    }
    default_sort = "-start"
    csv_filename = "rotations.csv"
    csv_columns = columns.ROTATIONS

    def base_queryset(self, request):
        return Rotation.objects.visible_to(request.user)

    #: Filters the rollups answer: the covered spans (rows: every rotation is
    #: merged into one span of its program and specialty) and the expert
    #: span rollup (experts: keyed by recipient province, donor, specialty).
    ROLLUP_FILTERS = frozenset({"region", "hospital", "specialty", "donor", "program", "date_after", "date_before"})

    def fast_totals(self, request, filterset):
        """The rows and distinct experts from the rollups, when the user
        reads everything (a regional official's rotations are counted row
        by row) and uses no filter outside ROLLUP_FILTERS; each figure
        that its rollup cannot answer is counted over the rotations:

        - rows: the rotations merged into the covered spans
          (deployments.CoveredSpan) of the programs and specialty chosen,
          without dates (a span's rotations may lie outside a period);
        - experts: the expert span rollup's key (deployments.ExpertSpanMonth)
          for a period of whole months, with no region or a province-level
          one, and no hospital or program.

        None (both counted) when neither applies. Counting a region's
        rotations reads them all (`COUNT(DISTINCT person_id)` sorts them);
        the rollups hold a few rows per department and key. Exact: both
        are kept exact in the transaction of every write, and
        tests/deployments/test_rotation_list_counts.py compares them with
        the counts."""
        used = self.rollup_filters_in_use(request, filterset)
        if used is None:
            return None
        region, period = used.get("region"), Period(start=used.get("date_after"), end=used.get("date_before"))
        dated = "date_after" in used or "date_before" in used
        keyed = (
            period.of_whole_months and not {"hospital", "program"} & used.keys()
            and (region is None or region.level == Region.Level.PROVINCE)
        )
        if dated and not keyed:
            return None
        counted = filterset.qs.order_by()
        totals = {}
        if dated:
            totals["rows"] = counted.count()
        else:
            programs = Program.objects.all()
            if region is not None:
                programs = programs.for_recipient_region(region)
            for name, field in (("hospital", "recipient_hospital"), ("donor", "donor_region"), ("program", "pk")):
                if name in used:
                    programs = programs.filter(**{field: used[name].pk})
            spans = CoveredSpan.objects.filter(program__in=programs)
            if "specialty" in used:
                spans = spans.filter(specialty=used["specialty"])
            totals["rows"] = spans.aggregate(n=Sum("rotations"))["n"] or 0
        if keyed:
            totals["experts"] = ExpertSpanMonth.objects.experts(
                period, region=getattr(region, "pk", None), donor=getattr(used.get("donor"), "pk", None),
                specialty=getattr(used.get("specialty"), "pk", None),
            )
        else:
            totals["experts"] = counted.aggregate(n=Count("person", distinct=True))["n"]
        return totals
