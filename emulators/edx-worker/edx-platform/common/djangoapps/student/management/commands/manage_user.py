"""Behaves as edx-platform's manage_user (domain.md B.2); written for the simulator."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.crypto import get_random_string


class Command(BaseCommand):
    help = "Creates or updates a user"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--remove", dest="is_remove", action="store_true")
        parser.add_argument("--superuser", dest="is_superuser", action="store_true")
        parser.add_argument("--staff", dest="is_staff", action="store_true")
        parser.add_argument("--unusable-password", dest="unusable_password", action="store_true")
        parser.add_argument("--initial-password-hash", dest="initial_password_hash")
        parser.add_argument("-g", "--groups", nargs="*", default=[])

    def _check_email_match(self, user, email):
        if user.email.lower() != email.lower():
            raise CommandError(
                'Skipping user "{}" because the specified and existing email addresses do not match.'.format(user.username)
            )

    @transaction.atomic
    def handle(self, username, email, is_remove, is_staff, is_superuser, groups, unusable_password,
               initial_password_hash, *args, **options):
        User = get_user_model()
        if is_remove:
            user = User.objects.filter(username=username).first()
            if not user:
                self.stderr.write('Did not find a user with username "{}" - skipping.'.format(username))
                return
            self._check_email_match(user, email)
            self.stderr.write('Removing user: "{}"'.format(user))
            user.delete()
            return
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            self.stderr.write('Created new user: "{}"'.format(user))
            user.set_password(get_random_string(25))
        else:
            self._check_email_match(user, email)
            self.stderr.write('Found existing user: "{}"'.format(user))
        for attribute, value in (("is_staff", is_staff), ("is_superuser", is_superuser)):
            if getattr(user, attribute) != value:
                self.stderr.write('Setting {} for user "{}" to "{}"'.format(attribute, user, value))
                setattr(user, attribute, value)
        if unusable_password:
            self.stderr.write('Setting unusable password for user "{}"'.format(user))
            user.set_unusable_password()
        user.save()
        wanted = set()
        for name in groups:
            group = Group.objects.filter(name=name).first()
            if group is None:
                self.stderr.write('Could not find a group named "{}" - skipping.'.format(name))
            else:
                wanted.add(group)
        current = set(user.groups.all())
        to_add = sorted(g.name for g in wanted - current)
        to_remove = sorted(g.name for g in current - wanted)
        self.stderr.write('Adding user "{}" to groups {}'.format(user, to_add))
        self.stderr.write('Removing user "{}" from groups {}'.format(user, to_remove))
        user.groups.add(*(wanted - current))
        user.groups.remove(*(current - wanted))
