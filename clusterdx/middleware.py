"""Request guards that apply to every view."""

from django.http import HttpResponseBadRequest

NUL = "\x00"
NUL_REFUSED = (
    "This request holds a NUL character (%00). No page or field of ClusterDx accepts one: "
    "remove it and try again."
)


def _holds_nul(request) -> bool:
    if NUL in request.path:
        return True
    fields = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields.append(request.POST)
    return any(
        NUL in name or any(NUL in value for value in values)
        for data in fields
        for name, values in data.lists()
    )


def reject_nul_characters(get_response):
    """Answer 400 to any request whose path, query or form data holds a NUL.

    PostgreSQL refuses NULs in text, so a lookup such as `?q=%00` or `/api/cases/%00/` was a
    500 there (and passed on SQLite). Forms' CharFields already refuse NULs, but filters,
    searches and path parameters reach the database without one; refusing them here covers
    every view, the admin's included, in one place."""

    def middleware(request):
        if _holds_nul(request):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
