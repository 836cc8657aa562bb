from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hospitals.models import Hospital, Region, Specialty


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "name_zh", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_zh"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Hospital)
class HospitalAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "name_zh", "region", "grade", "kind"]
    list_filter = ["kind", "grade", "region__level"]
    search_fields = ["code", "name", "name_zh", "region__name", "region__name_zh"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    """The code list is fixed by the interchange spec: names may be edited, codes not."""

    list_display = ["code", "name", "name_zh"]
    search_fields = ["code", "name", "name_zh"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
