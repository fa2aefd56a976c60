from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    # No icon: answer browsers' automatic request without a 404 in the console (admin pages).
    path("favicon.ico", lambda request: HttpResponse(status=204)),
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("", include("cases.urls")),
    path("", include("checklist.urls")),
    path("", include("compare.urls")),
    path("api/", include("cases.api_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "ClusterDx administration"
admin.site.site_title = "ClusterDx admin"
