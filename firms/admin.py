from django.contrib import admin

from .models import FirmTable


@admin.register(FirmTable)
class FirmTableAdmin(admin.ModelAdmin):
    list_display = ["title", "case", "assessment", "status", "row_count", "uploaded_at"]
    list_filter = ["status"]
    # The file and who sent it are the record of the stored rows: only an upload on the site,
    # which imports the file, may change them.
    readonly_fields = [
        "uploaded_by",
        "uploaded_at",
        "file",
        "file_name",
        "new_file",
        "new_file_name",
        "new_uploaded_by",
        "new_uploaded_at",
        "status",
        "progress",
        "rows_read",
        "row_count",
        "report",
        "finished_at",
    ]
