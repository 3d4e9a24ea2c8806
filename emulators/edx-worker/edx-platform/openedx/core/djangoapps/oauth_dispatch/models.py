from django.db import models
from oauth2_provider.models import Application


class ApplicationAccess(models.Model):
    application = models.OneToOneField(Application, related_name="access", on_delete=models.CASCADE)
    scopes = models.CharField(max_length=255, default="")

    class Meta:
        app_label = "oauth_dispatch"
