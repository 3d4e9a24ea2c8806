from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_save


class OAuthDispatchConfig(AppConfig):
    name = "openedx.core.djangoapps.oauth_dispatch"
    label = "oauth_dispatch"

    def ready(self):
        # Only in the hashed-secrets mode: by default the simulator is DOT 1.7, which stores plaintext.
        if settings.SIMULATOR_HASHED_SECRETS:
            from oauth2_provider.models import get_application_model

            from .validators import hash_client_secret

            pre_save.connect(hash_client_secret, sender=get_application_model(),
                             dispatch_uid="simulator-hash-client-secret")
