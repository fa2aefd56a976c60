from django.contrib import admin

from .models import FirmTable


@admin.register(FirmTable)
class FirmTableAdmin(admin.ModelAdmin):
    list_display = ["title", "case", "assessment", "status", "row_count", "uploaded_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "progress", "rows_read", "row_count", "report", "finished_at"]
