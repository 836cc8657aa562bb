from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Trainee,
    Training,
)


@admin.register(Surgery)
class SurgeryAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "date", "hospital", "specialty", "procedure", "grade", "approach", "lead", "outcome"]
    list_filter = ["lead", "grade", "approach", "outcome", "demonstration", "first_in_region", "specialty"]
    search_fields = ["ref", "procedure", "hospital__code", "hospital__name"]
    autocomplete_fields = ["hospital", "specialty", "team"]
    list_select_related = ["hospital", "specialty"]
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(Trainee)
class TraineeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "hospital", "role"]
    list_filter = ["role"]
    search_fields = ["code", "name", "hospital__name"]
    autocomplete_fields = ["hospital"]
    list_select_related = ["hospital"]


@admin.register(Training)
class TrainingAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "trainee", "specialty", "kind", "status", "start_date", "end_date", "independent_on"]
    list_filter = ["kind", "status", "specialty"]
    search_fields = ["ref", "trainee__code", "trainee__name", "skill"]
    autocomplete_fields = ["trainee", "specialty", "host_hospital", "program"]
    list_select_related = ["trainee", "specialty"]
    date_hierarchy = "start_date"


@admin.register(Technique)
class TechniqueAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "name", "hospital", "specialty", "introduced_on", "first_in_region"]
    list_filter = ["first_in_region", "specialty"]
    search_fields = ["ref", "name", "hospital__name"]
    autocomplete_fields = ["hospital", "specialty", "program"]
    list_select_related = ["hospital", "specialty"]
    date_hierarchy = "introduced_on"


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "date", "kind", "origin", "destination", "age_group", "distance_km", "outcome"]
    list_filter = ["kind", "age_group", "outcome"]
    search_fields = ["ref", "origin_hospital__name", "destination_hospital__name", "origin_country"]
    autocomplete_fields = ["origin_hospital", "origin_region", "destination_hospital", "destination_region"]
    date_hierarchy = "date"


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "date", "requesting_hospital", "consulting_hospital", "specialty", "mode"]
    list_filter = ["mode", "specialty"]
    search_fields = ["ref", "requesting_hospital__name", "consulting_hospital__name"]
    autocomplete_fields = ["requesting_hospital", "consulting_hospital", "specialty"]
    list_select_related = ["requesting_hospital", "consulting_hospital", "specialty"]
    date_hierarchy = "date"


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["hospital", "period", "indicator", "value"]
    list_filter = ["indicator"]
    search_fields = ["hospital__code", "hospital__name"]
    autocomplete_fields = ["hospital"]
    list_select_related = ["hospital"]
    date_hierarchy = "period"
