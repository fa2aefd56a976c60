"""The admin's pages for case bundles: download, upload, preview, confirm, history, undo."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from . import bundles, imports
from .forms import BundleUploadForm, RowHistoryForm
from .models import CaseImport, CaseStudy

HISTORY_LIMIT = 200  # imports listed on one page
NOT_AN_ADMIN = "Only admins can import case data or read its import history."


def admin_required(view):
    """Admins only. Not signed in: the site's login, back here after. Signed in but not an
    admin: the site's 403 page saying why (not the Django admin's login, which would ask a
    signed-in officer to sign in again)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied(NOT_AN_ADMIN)
        return view(request, *args, **kwargs)

    return checked


def _file(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=bundles.FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@admin_required
@require_GET
def bundle_download(request, slug, fmt):
    if fmt not in bundles.FORMATS:
        raise Http404("Bundles are .xlsx, .zip or .json.")
    case = get_object_or_404(CaseStudy, slug=slug)
    return _file(bundles.export_bundle(bundles.case_objects(case), fmt), f"{slug}.{fmt}", fmt)


@admin_required
@require_GET
def bundle_template(request, fmt):
    if fmt not in bundles.FORMATS:
        raise Http404("Bundles are .xlsx, .zip or .json.")
    return _file(bundles.blank_template(fmt), f"case-bundle-template.{fmt}", fmt)


@admin_required
def import_list(request):
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        upload = form.cleaned_data["bundle"]
        record = imports.preview_upload(
            user=request.user, filename=upload.name, content=upload.read()
        )
        return redirect(record)
    records = CaseImport.objects.select_related("user").defer("content", "before")
    case = request.GET.get("case", "")
    if case:
        records = records.touching(case)
    records = list(records[:HISTORY_LIMIT])
    return render(
        request,
        "cases/import_list.html",
        {
            "form": form,
            "records": records,
            "case": case,
            "row_form": RowHistoryForm(initial={"case": case}),
            "cases": CaseStudy.objects.only("slug", "short_title"),
            "formats": list(bundles.FORMATS),
        },
    )


@admin_required
@require_GET
def import_detail(request, pk):
    record = get_object_or_404(CaseImport.objects.defer("content"), pk=pk)
    blocking = imports.firm_tables_blocking_undo(record)
    # A refused upload: the form is right under its errors, to upload the fixed file again.
    upload_form = BundleUploadForm() if record.errors else None
    return render(
        request,
        "cases/import_detail.html",
        {
            "record": record,
            "firm_tables_blocking": blocking,
            "later_import_blocking": imports.later_import_blocking_undo(record),
            "upload_form": upload_form,
        },
    )


@admin_required
@require_POST
def import_confirm(request, pk):
    record = get_object_or_404(CaseImport, pk=pk)
    problem = imports.confirm_import(record=record)
    if problem:
        messages.warning(request, problem)
    else:
        # Short: the page itself says what was written (the summary once, not twice).
        messages.success(request, f"Import #{record.pk} written.")
    return redirect(record)


@admin_required
@require_POST
def import_undo(request, pk):
    record = get_object_or_404(CaseImport, pk=pk)
    result = imports.undo_import(record=record, user=request.user)
    if isinstance(result, str):
        messages.warning(request, result)
        return redirect(record)
    messages.success(request, f"Import #{record.pk} was undone.")
    return redirect(result)


@admin_required
@require_GET
def import_file(request, pk):
    record = get_object_or_404(CaseImport, pk=pk)
    # The name as uploaded may hold quotes or non-ASCII letters: quoted and encoded properly.
    response = HttpResponse(bytes(record.content), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, record.filename)
    return response


@admin_required
@require_GET
def import_row(request):
    """One row's history: every written import that created, updated or deleted it, field by
    field, who and when. Admins only, as every import page."""
    form = RowHistoryForm(request.GET or None)
    history, scanned_all = None, True
    if form.is_valid():
        wanted = form.cleaned_data
        records = list(imports.written_imports(case=wanted["case"])[: imports.ROW_HISTORY_SCAN + 1])
        scanned_all = len(records) <= imports.ROW_HISTORY_SCAN
        history = imports.row_history(
            records[: imports.ROW_HISTORY_SCAN], table=wanted["table"], key=wanted["key"]
        )
    return render(
        request,
        "cases/import_row.html",
        {
            "form": form,
            "history": history,
            "scanned_all": scanned_all,
            "scan_limit": imports.ROW_HISTORY_SCAN,
        },
    )
