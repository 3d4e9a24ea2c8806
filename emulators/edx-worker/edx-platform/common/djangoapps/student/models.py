import logging

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

log = logging.getLogger("common.djangoapps.student.models.user")


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(blank=True, max_length=255)

    class Meta:
        app_label = "student"


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_profile(sender, instance, created, **kwargs):
    """On MIT's LMS a signal creates the profile, which is why manage_user prints no profile line."""
    if created and not UserProfile.objects.filter(user=instance).exists():
        UserProfile.objects.create(user=instance)
        log.info("Created new profile for user: %s", instance.username)
