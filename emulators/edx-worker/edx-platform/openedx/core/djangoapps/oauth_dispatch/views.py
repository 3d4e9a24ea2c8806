"""
/oauth2/access_token as edx-platform serves it (oauth_dispatch.views.AccessTokenView): DOT's
TokenView behind a per-IP rate limit with block=True, which raises PermissionDenied so that
handler403 decides what the client sees. django-ratelimit is not packaged in Debian; this keeps
its fixed-window counting in Django's cache.
"""
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from oauth2_provider.views import TokenView

PERIODS = {"s": 1, "m": 60, "h": 3600}


class Ratelimited(PermissionDenied):
    """As django_ratelimit.exceptions.Ratelimited."""


def over_limit(request):
    if not settings.RATELIMIT_RATE:
        return False
    count, period = settings.RATELIMIT_RATE.split("/")
    seconds = PERIODS[period]
    key = "ratelimit:access_token:{}:{}".format(request.META.get("REMOTE_ADDR"), int(time.time() // seconds))
    cache.add(key, 0, seconds)
    return cache.incr(key) > int(count)


class AccessTokenView(TokenView):
    def dispatch(self, request, *args, **kwargs):
        if over_limit(request):
            raise Ratelimited()
        return super().dispatch(request, *args, **kwargs)
