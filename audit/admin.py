from django.contrib import admin

from audit.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "user", "started_at", "status", "dry_run", "sha256"]
    list_filter = ["status", "dry_run"]
    search_fields = ["file_name", "sha256", "user__username"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
