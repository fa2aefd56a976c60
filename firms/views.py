from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases.models import CaseStudy
from checklist.models import Assessment

from . import derived, services
from .forms import FirmTableForm, ReplaceFileForm
from .models import FirmTable


@login_required
def upload_for_case(request, slug):
    if not request.user.is_staff:  # only admins change the case library
        raise Http404
    case = get_object_or_404(CaseStudy, slug=slug)
    form = FirmTableForm(request.POST or None, request.FILES or None, clusters=case.clusters.all())
    if form.is_valid():
        data = form.cleaned_data
        table = services.create_firm_table(
            user=request.user,
            upload=data.pop("file"),
            case=case,
            **data,
        )
        return redirect(table)
    return render(request, "firms/firmtable_upload.html", {"form": form, "owner": case})


@login_required
def upload_for_assessment(request, pk):
    assessment = get_object_or_404(Assessment.objects.editable_by(request.user), pk=pk)
    form = FirmTableForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        data = form.cleaned_data
        table = services.create_firm_table(
            user=request.user, upload=data.pop("file"), assessment=assessment, **data
        )
        return redirect(table)
    return render(request, "firms/firmtable_upload.html", {"form": form, "owner": assessment})


@login_required
def detail(request, pk):
    table = get_object_or_404(
        FirmTable.objects.for_user(request.user).select_related(
            "case", "cluster", "assessment", "uploaded_by", "new_uploaded_by"
        ),
        pk=pk,
    )
    summary = derived.summarise(table) if table.row_count else None
    editable = FirmTable.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "firms/firmtable_detail.html",
        {
            "table": table,
            "summary": summary,
            "checks": derived.check_summary(table, summary) if summary else [],
            "tolerance": {
                "count": int(derived.COUNT_TOLERANCE * 100),
                "share": derived.SHARE_TOLERANCE_POINTS,
            },
            "in_progress": table.status in {FirmTable.Status.QUEUED, FirmTable.Status.RUNNING},
            "replace_form": ReplaceFileForm() if editable else None,
            "figures": report_figures(table.report) if table.report else None,
            "nav_current": "cases" if table.case_id else "assess",
        },
    )


def report_figures(report: dict) -> dict:
    """The final report's counts and speed, as its page shows them (the status JSON keeps the
    report's raw numbers). Rows per second are rows read (checked) per second of the whole
    import: the refused rows are read and checked too. None when the import took no time
    worth dividing by (a file refused at its header)."""
    rows_read = report.get("rows_read", 0)
    seconds = report.get("seconds", 0)
    return {
        "rows_read": rows_read,
        "rows_written": report.get("rows", 0),
        "rows_refused": report.get("rows_refused", 0),
        "seconds": seconds,
        "rows_per_second": round(rows_read / seconds) if seconds and rows_read else None,
    }


@login_required
def status(request, pk):
    """Polled by static/js/firm-progress.js while an import runs."""
    table = get_object_or_404(FirmTable.objects.for_user(request.user), pk=pk)
    report = table.report or {}
    return JsonResponse(
        {
            "status": table.status,
            "status_label": table.get_status_display(),
            "progress": table.progress,
            "rows_read": table.rows_read,
            "row_count": table.row_count,
            "finished": table.status in {FirmTable.Status.DONE, FirmTable.Status.FAILED},
            "error_count": len(report.get("errors", [])),
            "rows_refused": report.get("rows_refused", 0),
        }
    )


@login_required
@require_POST
def replace(request, pk):
    table = get_object_or_404(FirmTable.objects.editable_by(request.user), pk=pk)
    form = ReplaceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"The new file was not taken: {error}")
        return redirect(table)
    try:
        services.replace_firm_file(table=table, user=request.user, upload=form.cleaned_data["file"])
    except services.ImportInProgress:
        messages.error(
            request,
            "This table's last file is still being imported: wait until it has finished, "
            "then replace it.",
        )
    return redirect(table)
