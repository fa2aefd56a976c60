"""Signing in: the login page, password reset only where mail is sent, and the lock-out page
django-axes shows after too many failed logins (settings: "Security and sign-in")."""

from datetime import timedelta
from functools import wraps

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The address failed logins are counted against.

    Behind the TLS proxy the connection comes from the proxy, so the client is the last entry
    of X-Forwarded-For: the one the proxy appended itself. Earlier entries are whatever the
    client sent and would let an attacker pick a fresh address for every guess."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """axes' lock-out response: the site's page saying when to try again (HTTP 429)."""
    cool_off = get_cool_off(request) or timedelta(0)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": round(cool_off.total_seconds() / 60),
        # Every further attempt while locked out restarts the cool-off
        # (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it counts from now.
        "retry_at": timezone.now() + cool_off,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class LoginForm(AuthenticationForm):
    """Django's login form, with a wrong username or password marked on both fields for
    screen readers (aria-invalid, described by the page's error summary): the error belongs
    to the pair, so Django marks neither."""

    def get_invalid_login_error(self):
        for name in ("username", "password"):
            self.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": "error-summary"}
            )
        return super().get_invalid_login_error()


def login(request: HttpRequest) -> HttpResponse:
    view = auth_views.LoginView.as_view(
        authentication_form=LoginForm,
        extra_context={"password_reset_offered": settings.PASSWORD_RESET_BY_EMAIL},
    )
    return view(request)


def password_reset_by_email_only(view):
    """Without a mail server the reset mail would never arrive: say so, and whom to ask."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_EMAIL:
            return render(request, "registration/password_reset_unavailable.html", status=404)
        return view(request, *args, **kwargs)

    return guarded
