"""Settings of the simulated LMS: only what the three retirement commands and DOT's token view need."""
import json
import os

BASE = os.environ["HOME"]
SECRET_KEY = "simulated-lms-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "lms.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "oauth2_provider",
    "openedx.core.djangoapps.user_api",
    "openedx.core.djangoapps.oauth_dispatch",
    "common.djangoapps.student",
]
MIDDLEWARE = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(BASE, "lms.sqlite3"),
        "OPTIONS": {"timeout": 30},
    }
}
RETIREMENT_STATES = json.loads(os.environ.get("SIMULATED_RETIREMENT_STATES", "[]"))
RETIREMENT_SERVICE_WORKER_USERNAME = os.environ.get("SIMULATED_WORKER_USERNAME", "retirement_worker")
OAUTH2_PROVIDER = {"SCOPES": {"read": "Read", "write": "Write"}}
# Like edx-platform's RATELIMIT_RATE for /oauth2/access_token; empty means no limit.
RATELIMIT_RATE = os.environ.get("SIMULATED_RATELIMIT_RATE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "mit": {
            "format": "%(asctime)s %(levelname)s %(process)d [%(name)s] [user None] [ip None] "
            "%(filename)s:%(lineno)d - %(message)s"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "mit"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django": {"level": "WARNING"}, "py.warnings": {"level": "WARNING"}},
}
