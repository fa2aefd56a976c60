from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import TemplateView

from clusterdx import accounts
from clusterdx.api import api

reset_only_with_mail = accounts.password_reset_by_email_only

# django.contrib.auth.urls, spelled out: the login page says whether reset by email is offered,
# and the reset pages answer "ask an admin" where no mail is sent.
account_urls = [
    path("login/", accounts.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        reset_only_with_mail(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        reset_only_with_mail(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        reset_only_with_mail(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        reset_only_with_mail(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    # No icon: answer browsers' automatic request without a 404 in the console (admin pages).
    path("favicon.ico", lambda request: HttpResponse(status=204)),
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("", include("cases.urls")),
    path("", include("checklist.urls")),
    path("", include("compare.urls")),
    path("", include("firms.urls")),
    path("api/", api.urls),  # the JSON API, its schema and docs (clusterdx/api.py)
    path("accounts/", include(account_urls)),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "ClusterDx administration"
admin.site.site_title = "ClusterDx admin"
