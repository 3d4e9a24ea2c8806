"""Behaves as edx-platform's populate_retirement_states (domain.md B.1); written for the simulator."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openedx.core.djangoapps.user_api.models import RetirementState, UserRetirementStatus

START_STATE = "PENDING"
END_STATES = ["ERRORED", "ABORTED", "COMPLETE"]
REQUIRED_STATES = [START_STATE] + END_STATES
REQ_STR = ",".join(REQUIRED_STATES)


class Command(BaseCommand):
    help = "Synchronizes RetirementState rows with settings.RETIREMENT_STATES"

    def add_arguments(self, parser):
        parser.add_argument("--dry_run", action="store_true", default=False)

    def _validate(self, states):
        if not states:
            raise CommandError("settings.RETIREMENT_STATES does not exist or is empty.")
        if not set(REQUIRED_STATES).issubset(set(states)):
            raise CommandError(
                "settings.RETIREMENT_STATES ({}) does not contain all required states ({})".format(states, REQ_STR)
            )
        if states[0] != START_STATE:
            raise CommandError("{} must be the first state".format(START_STATE))
        if states[-3:] != END_STATES:
            raise CommandError("The last {} states must be these (in this order): {}".format(len(END_STATES), END_STATES))

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        if dry_run:
            print("--- Dry run, no changes will be made ---")
        states = list(getattr(settings, "RETIREMENT_STATES", []))
        self._validate(states)
        if UserRetirementStatus.objects.exclude(current_state__state_name__in=REQUIRED_STATES).exists():
            raise CommandError(
                "Users are currently being processed. All users must be in one of these states to run this command: "
                + REQ_STR
            )
        existing = set(RetirementState.objects.values_list("state_name", flat=True))
        created = set(states) - existing
        deleted = existing - set(states)
        remaining = existing & set(states)
        if not dry_run:
            with transaction.atomic():
                if UserRetirementStatus.objects.filter(current_state__state_name__in=deleted).exists():
                    raise CommandError(
                        "Users exist in a state that is marked for deletion! States to deleteare: {}".format(deleted)
                    )
                RetirementState.objects.filter(state_name__in=deleted).delete()
                for state in RetirementState.objects.all():
                    state.state_execution_order += 500
                    state.save()
                for index, name in enumerate(states):
                    RetirementState.objects.update_or_create(
                        state_name=name,
                        defaults={
                            "state_execution_order": index * 10 + 1,
                            "is_dead_end_state": name in END_STATES,
                            "required": name in REQUIRED_STATES,
                        },
                    )
        print("States have been synchronized. Differences:")
        print("   Added: {}".format(created))
        print("   Removed: {}".format(deleted))
        print("   Remaining: {}".format(remaining))
        print("States updated successfully. Current states:")
        for state in RetirementState.objects.all().order_by("state_execution_order"):
            print(state)
