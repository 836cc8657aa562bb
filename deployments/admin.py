from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deployments.models import Person, Program, Rotation, Team, Twinning


class TwinningInline(admin.TabularInline):
    model = Twinning
    extra = 0
    autocomplete_fields = ["specialty", "donor_hospital"]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["code", "name", "batch", "start_date", "end_date"]
    show_change_link = True


class RotationInline(admin.TabularInline):
    model = Rotation
    extra = 0
    autocomplete_fields = ["person", "specialty"]


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "donor_region", "recipient_hospital", "start_date", "end_date"]
    list_filter = ["kind", "donor_region"]
    search_fields = ["code", "name", "name_zh", "recipient_hospital__name", "recipient_hospital__name_zh"]
    autocomplete_fields = ["donor_region", "recipient_hospital"]
    list_select_related = ["donor_region", "recipient_hospital"]
    date_hierarchy = "start_date"
    inlines = [TwinningInline, TeamInline]


@admin.register(Twinning)
class TwinningAdmin(SimpleHistoryAdmin):
    list_display = ["program", "specialty", "donor_hospital", "start_date", "end_date"]
    list_filter = ["specialty", "program"]
    search_fields = ["program__code", "program__name", "donor_hospital__name"]
    autocomplete_fields = ["program", "specialty", "donor_hospital"]
    list_select_related = ["program", "specialty", "donor_hospital"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "program", "batch", "start_date", "end_date"]
    list_filter = ["program"]
    search_fields = ["code", "name", "program__code", "program__name"]
    autocomplete_fields = ["program"]
    list_select_related = ["program"]
    date_hierarchy = "start_date"
    inlines = [RotationInline]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "home_hospital"]
    search_fields = ["code", "name", "home_hospital__name"]
    autocomplete_fields = ["home_hospital"]
    list_select_related = ["home_hospital"]


@admin.register(Rotation)
class RotationAdmin(SimpleHistoryAdmin):
    list_display = ["person", "team", "specialty", "title", "role", "start_date", "end_date"]
    list_filter = ["role", "title", "specialty", "team__program"]
    search_fields = ["person__code", "person__name", "team__code", "team__name"]
    autocomplete_fields = ["team", "person", "specialty"]
    list_select_related = ["person", "team", "specialty"]
    date_hierarchy = "start_date"
