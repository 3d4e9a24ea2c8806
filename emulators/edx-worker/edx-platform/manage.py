#!/usr/bin/env python
"""
The simulated edx-platform's manage.py: like edx's, the first argument picks the service variant
(lms or cms) and DJANGO_SETTINGS_MODULE comes from edxapp_env. Before dispatching it prints the
warning noise real workers print, and applies the fault a test asked for (see edx-worker-host.ts).
"""
import os
import sys
import time

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
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0]] + args)


if __name__ == "__main__":
    main()
