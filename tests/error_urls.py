"""The site's URLs plus views that fail on purpose, to see each error page as users would."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from clusterdx.urls import urlpatterns as site_urlpatterns


def server_bug(request):
    raise RuntimeError("a bug")


def bad_input(request):
    raise SuspiciousOperation("odd input")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    *site_urlpatterns,
    path("test-errors/500/", server_bug),
    path("test-errors/400/", bad_input),
    path("test-errors/403/", forbidden),
]
