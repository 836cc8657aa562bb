"""Record lists of the outcomes: filter, sort, paginate, export as CSV with
the interchange spec's columns (section 2)."""

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from records.lists import RecordListView
from hospitals.models import Hospital
from aidtracker.lib.periods import Period, within_any_q
from outcomes import columns
from outcomes.models import (
    ANY_KIND,
    Consultation,
    Referral,
    Surgery,
    SurgeryMonth,
    Technique,
    TraineeSpanMonth,
    Training,
    TrainingCountMonth,
)
from outcomes.filters import (
    ConsultationFilter,
    ReferralFilter,
    SurgeryFilter,
    TechniqueFilter,
    TrainingFilter,
)


class SurgeryListView(RecordListView):
    title = _("Surgeries")
    filterset_class = SurgeryFilter
    template_name = "outcomes/surgery_list.html"
    create_url_name = "outcomes:surgery_create"
    select_related = ("hospital", "specialty", "team")
    sort_columns = {
        "date": "date", "ref": "ref", "hospital": "hospital__name", "grade": "grade",
        "lead": "lead", "approach": "approach", "specialty": "specialty__name",
    }
    default_sort = "-date"
    csv_filename = "surgeries.csv"
    csv_columns = columns.SURGERIES

    def base_queryset(self, request):
        return Surgery.objects.visible_to(request.user)

    #: Filters the monthly rollup (outcomes.SurgeryMonth) holds: with these
    #: alone, the row count is read from it for whole months.
    ROLLUP_FILTERS = frozenset({"region", "hospital", "specialty", "date_after", "date_before"})

    def fast_totals(self, request, filterset):
        """The row count from the rollup for the whole months of the period
        plus the rows of its partial edge months, when the filters are only
        region, hospital, specialty and dates and the user reads everything
        (a regional official's rows are counted row by row). Counting the
        surgeries of a big region row by row reads hundreds of thousands of
        rows; the rollup holds a few thousand. Exact: the rollup is kept
        exact in the transaction of every write (outcomes/rollups.py), and
        tests/outcomes/test_list_counts.py compares both counts."""
        used = self.rollup_filters_in_use(request, filterset)
        if used is None:
            return None
        months, partial = Period(start=used.get("date_after"), end=used.get("date_before")).split()
        if months is None:
            return None  # under two months: counting the rows is cheap
        rollup = SurgeryMonth.objects.in_months(months)
        if "region" in used:
            rollup = rollup.filter(hospital__in=Hospital.objects.in_region(used["region"]))
        if "hospital" in used:
            rollup = rollup.filter(hospital=used["hospital"])
        if "specialty" in used:
            rollup = rollup.filter(specialty=used["specialty"])
        rows = rollup.aggregate(rows=Sum("total"))["rows"] or 0
        if partial:
            rows += filterset.qs.filter(within_any_q(partial, "date")).order_by().count()
        return {"rows": rows}


class TrainingListView(RecordListView):
    title = _("Trainings")
    filterset_class = TrainingFilter
    template_name = "outcomes/training_list.html"
    create_url_name = "outcomes:training_create"
    select_related = ("trainee__hospital", "specialty", "host_hospital", "program")
    distinct_counts = {"trainees": "trainee"}
    sort_columns = {
        "start": "start_date", "end": "end_date", "ref": "ref", "trainee": "trainee__name",
        "hospital": "trainee__hospital__name", "kind": "kind", "status": "status",
        "independent": "independent_on",
    }
    default_sort = "-start"
    csv_filename = "trainings.csv"
    csv_columns = columns.TRAININGS

    def base_queryset(self, request):
        return Training.objects.visible_to(request.user)

    #: Filters the trainee span rollup's keys answer (outcomes.TraineeSpanMonth:
    #: the trainee's hospital, donor, specialty, kind, whole months).
    ROLLUP_FILTERS = frozenset({"region", "hospital", "specialty", "donor", "kind", "date_after", "date_before"})

    def fast_totals(self, request, filterset):
        """The rows and distinct trainees from the rollups of trainings
        (TrainingCountMonth, TraineeSpanMonth) when the filters are only
        those their keys hold, the period (overlap) is of whole months and
        the user reads everything (a regional official's trainings are
        counted row by row); else None (both counted over the trainings).
        Counting a region's trainings reads them all (`COUNT(DISTINCT
        trainee_id)`: 6.1 s at 10M surgeries; `COUNT(*)` alone still about
        0.6 s); the rollups hold a few thousand rows per hospital. Exact:
        they are kept exact in the transaction of every write
        (outcomes/rollups.py), and tests/outcomes/test_training_list_counts.py
        compares both counts."""
        used = self.rollup_filters_in_use(request, filterset)
        if used is None:
            return None
        period = Period(start=used.get("date_after"), end=used.get("date_before"))
        if not period.of_whole_months:
            return None
        keys = {
            "region": used.get("region"), "hospital": used.get("hospital"), "specialty": used.get("specialty"),
            "donor": used.get("donor"), "kind": used.get("kind") or ANY_KIND,
        }
        rows = TrainingCountMonth.objects.spans(period, **keys).aggregate(n=Sum("trainings"))["n"]
        trainees = TraineeSpanMonth.objects.spans(period, **keys).aggregate(n=Sum("n"))["n"]
        return {"rows": rows or 0, "trainees": trainees or 0}


class TechniqueListView(RecordListView):
    title = _("Techniques")
    filterset_class = TechniqueFilter
    template_name = "outcomes/technique_list.html"
    create_url_name = "outcomes:technique_create"
    select_related = ("hospital", "specialty", "program")
    sort_columns = {
        "introduced": "introduced_on", "ref": "ref", "name": "name",
        "hospital": "hospital__name", "specialty": "specialty__name",
    }
    default_sort = "-introduced"
    csv_filename = "techniques.csv"
    csv_columns = columns.TECHNIQUES

    def base_queryset(self, request):
        return Technique.objects.visible_to(request.user)


class ReferralListView(RecordListView):
    title = _("Referrals")
    filterset_class = ReferralFilter
    template_name = "outcomes/referral_list.html"
    create_url_name = "outcomes:referral_create"
    select_related = ("origin_hospital", "origin_region", "destination_hospital", "destination_region")
    sort_columns = {"date": "date", "ref": "ref", "kind": "kind", "distance": "distance_km"}
    default_sort = "-date"
    csv_filename = "referrals.csv"
    csv_columns = columns.REFERRALS

    def base_queryset(self, request):
        return Referral.objects.visible_to(request.user)


class ConsultationListView(RecordListView):
    title = _("Consultations")
    filterset_class = ConsultationFilter
    template_name = "outcomes/consultation_list.html"
    create_url_name = "outcomes:consultation_create"
    select_related = ("requesting_hospital", "consulting_hospital", "specialty")
    sort_columns = {
        "date": "date", "ref": "ref", "requesting": "requesting_hospital__name",
        "consulting": "consulting_hospital__name", "mode": "mode",
    }
    default_sort = "-date"
    csv_filename = "consultations.csv"
    csv_columns = columns.CONSULTATIONS

    def base_queryset(self, request):
        return Consultation.objects.visible_to(request.user)
