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


def _simulator_modes():
    """
    The modes a test set with EdxWorkerHost.setModes. Read when the settings load, that is once
    per manage.py run, so a switch takes effect from the next command without restarting anything.
    """
    try:
        with open(os.path.join(BASE, ".simulator-modes")) as handle:
            modes = json.load(handle)
    except (OSError, ValueError):
        return {}
    return modes if isinstance(modes, dict) else {}


SIMULATOR_MODES = _simulator_modes()
# DOT >= 2.0 hashes client secrets on save (ClientSecretField.pre_save); DOT 1.7 has no such
# field, so oauth_dispatch's AppConfig adds the hashing as a pre_save signal when this is on.
SIMULATOR_HASHED_SECRETS = SIMULATOR_MODES.get("hashedSecrets") is True
RETIREMENT_STATES = json.loads(os.environ.get("SIMULATED_RETIREMENT_STATES", "[]"))
RETIREMENT_SERVICE_WORKER_USERNAME = os.environ.get("SIMULATED_WORKER_USERNAME", "retirement_worker")
OAUTH2_PROVIDER = {
    "SCOPES": {"read": "Read", "write": "Write"},
    # Always, not only in hashed mode: the token endpoint's process loads these settings once at
    # start, yet must accept secrets stored hashed by a later command. For a plaintext stored
    # secret it answers exactly as DOT 1.7's validator does.
    "OAUTH2_VALIDATOR_CLASS": "openedx.core.djangoapps.oauth_dispatch.validators.HashedSecretValidator",
}
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
if SIMULATOR_MODES.get("quietLogging") is True:
    # A deployment whose LOGGING keeps the commands at WARNING: their INFO lines, among them
    # create_dot_application's only output, are dropped.
    for _commands in (
        "openedx.core.djangoapps.oauth_dispatch.management.commands",
        "openedx.core.djangoapps.user_api.management.commands",
        "common.djangoapps.student.management.commands",
    ):
        LOGGING["loggers"][_commands] = {"level": "WARNING"}
