"""Behaves as edx-platform's create_dot_application (domain.md B.3); written for the simulator."""
import logging
import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model

from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess

logger = logging.getLogger(__name__)
Application = get_application_model()


def pause_after_create():
    """The fault 'pause-after-create': the row is committed, the worker dies before seeing the output."""
    if os.environ.get("SIMULATOR_BYPASS_FAULTS") == "1":
        return
    try:
        with open(os.path.join(os.environ["HOME"], ".simulator-fault")) as handle:
            if handle.read().strip() == "pause-after-create":
                time.sleep(600)
    except OSError:
        pass


class Command(BaseCommand):
    help = "Creates a Django OAuth Toolkit application"

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("username")
        parser.add_argument("--grant-type", default=Application.GRANT_CLIENT_CREDENTIALS,
                            choices=[grant for grant, _ in Application.GRANT_TYPES])
        parser.add_argument("--redirect-uris", default="")
        parser.add_argument("--public", action="store_true")
        parser.add_argument("--skip-authorization", action="store_true")
        parser.add_argument("--client-id", default="")
        parser.add_argument("--client-secret", default="")
        parser.add_argument("--scopes", default="")
        parser.add_argument("--update", action="store_true")

    def handle(self, *args, **options):
        app_name = options["name"]
        username = options["username"]
        user = get_user_model().objects.get(username=username)
        application = Application.objects.filter(user=user, name=app_name).first()
        if application and not options["update"]:
            logger.info("Application with name {} and user {} already exists.".format(app_name, username))
        else:
            client_type = Application.CLIENT_PUBLIC if options["public"] else Application.CLIENT_CONFIDENTIAL
            fields = {
                "redirect_uris": options["redirect_uris"],
                "client_type": client_type,
                "authorization_grant_type": options["grant_type"],
                "skip_authorization": options["skip_authorization"],
            }
            if application:
                for key, value in fields.items():
                    setattr(application, key, value)
                if options["client_id"]:
                    application.client_id = options["client_id"]
                if options["client_secret"]:
                    application.client_secret = options["client_secret"]
                application.save()
                verb = "Updated"
            else:
                if options["client_id"]:
                    fields["client_id"] = options["client_id"]
                if options["client_secret"]:
                    fields["client_secret"] = options["client_secret"]
                application = Application.objects.create(name=app_name, user=user, **fields)
                pause_after_create()
                verb = "Created"
            logger.info("{} {} application with id: {}, client_id: {}, and client_secret: {}".format(
                verb, app_name, application.id, application.client_id, application.client_secret))
        scopes = options["scopes"]
        if scopes:
            access = ApplicationAccess.objects.filter(application=application).first()
            if access and options["update"]:
                access.scopes = scopes
                access.save()
                logger.info("Updated application access for {} with scopes: {}".format(app_name, scopes))
            elif access:
                logger.info("Application access for application {} already exists.".format(app_name))
            else:
                ApplicationAccess.objects.create(application=application, scopes=scopes)
                logger.info("Created application access for {} with scopes: {}".format(app_name, scopes))
