from django.conf import settings
from django.db import models


class RetirementState(models.Model):
    state_name = models.CharField(max_length=30, unique=True)
    state_execution_order = models.SmallIntegerField(unique=True)
    is_dead_end_state = models.BooleanField(default=False)
    required = models.BooleanField(default=False)

    class Meta:
        app_label = "user_api"
        ordering = ("state_execution_order",)

    def __str__(self):
        return "{} (step {})".format(self.state_name, self.state_execution_order)


class UserRetirementStatus(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    current_state = models.ForeignKey(RetirementState, on_delete=models.CASCADE)

    class Meta:
        app_label = "user_api"
