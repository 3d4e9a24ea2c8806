"""The LMS's error handlers as edx-platform's static_template_view sets them (lms/urls.py handler403)."""
from django.http import HttpResponse
from django.views.defaults import ERROR_PAGE_TEMPLATE, permission_denied

from openedx.core.djangoapps.oauth_dispatch.views import Ratelimited


def render_403(request, exception=None):
    """A rate-limit refusal is shown as the 429 page; any other PermissionDenied as Django's 403."""
    if isinstance(exception, Ratelimited):
        return render_429(request, exception)
    return permission_denied(request, exception)


def render_429(request, exception=None):
    page = ERROR_PAGE_TEMPLATE % {"title": "Too Many Requests", "details": "Please try again later."}
    return HttpResponse(page, status=429, content_type="text/html")
