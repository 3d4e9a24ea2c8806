#!/usr/bin/env python
"""
The simulated edx-platform's manage.py: like edx's, the first argument picks the service variant
(lms or cms) and DJANGO_SETTINGS_MODULE comes from edxapp_env. Before dispatching it prints the
warning noise real workers print, and applies the fault a test asked for (see edx-worker-host.ts).
The modes (hashed secrets, quiet logging) are not faults: lms/envs/simulated.py reads them.
"""
import atexit
import logging
import os
import sys
import time
import warnings

NOISE = [
    "/edx/app/edxapp/venvs/edxapp/lib/python3.11/site-packages/django/db/models/fields/__init__.py:1400: "
    "RuntimeWarning: DateTimeField CourseOverview.start received a naive datetime while time zone support is active.",
    "  warnings.warn(",
]


def fault():
    if os.environ.get("SIMULATOR_BYPASS_FAULTS") == "1":
        return ""
    try:
        with open(os.path.join(os.environ["HOME"], ".simulator-fault")) as handle:
            return handle.read().strip()
    except OSError:
        return ""


def noisy_stderr():
    """
    The fault 'noisy-stderr': what a busier worker adds to stderr around a command's own output,
    written by Python's and Django's own machinery: a deprecation warning shown before logging is
    set up (formatwarning's two lines, the second the source line the warning points at), and
    INFO lines from the LMS's logging, before and after the command.
    """
    import django
    from django.utils.deprecation import RemovedInDjango41Warning

    warnings.showwarning(
        RemovedInDjango41Warning(
            "'lms.djangoapps.courseware' defines default_app_config = "
            "'lms.djangoapps.courseware.apps.CoursewareConfig'. Django now detects this configuration "
            "automatically. You can remove default_app_config."
        ),
        RemovedInDjango41Warning,
        "/edx/app/edxapp/venvs/edxapp/lib/python3.8/site-packages/django/apps/registry.py",
        91,
        line="app_config = AppConfig.create(entry)",
    )
    django.setup()
    log = logging.getLogger("openedx.core.djangoapps.plugins.plugin_apps")
    log.info("Loaded plugin apps for lms: []")
    log.info("Loaded plugin settings for lms")
    atexit.register(logging.getLogger("edx.analytics.segment").info, "Flushed 0 queued analytics events")


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ("lms", "cms"):
        sys.stderr.write("usage: manage.py {lms|cms} <command> [options]\n")
        sys.exit(1)
    args = args[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.envs.devstack_docker")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    current = fault()
    if current == "hang":
        time.sleep(600)
    if current == "garble":
        print("\x1b[31m?? segmentation of the flux capacitor ??\x1b[0m")
        print("lorem ipsum: 42")
        sys.exit(0)
    if current == "fail":
        sys.stderr.write("Traceback (most recent call last):\n  File \"manage.py\", line 1, in <module>\n")
        sys.stderr.write("django.db.utils.OperationalError: could not connect to server: Connection refused\n")
        sys.exit(1)
    if args and args[0] != "runserver":
        for line in NOISE:
            sys.stderr.write(line + "\n")
        if current == "noisy-stderr":
            noisy_stderr()
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0]] + args)


if __name__ == "__main__":
    main()
