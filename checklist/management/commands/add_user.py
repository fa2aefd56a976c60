import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from checklist.models import OFFICERS, RESEARCHERS

ROLES = {"officer": OFFICERS, "researcher": RESEARCHERS}


class Command(BaseCommand):
    help = (
        "Create a user with a role: 'officer' (creates assessments, sees own and shared), "
        "'researcher' (reads cases and assessments shared with researchers) or 'admin' "
        "(staff: manages everything). The password comes from --password or the "
        "CLUSTERDX_PASSWORD environment variable, and must pass the same password "
        "validators as the site (AUTH_PASSWORD_VALIDATORS): not too short, too common, "
        "all digits or too like the username."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=[*ROLES, "admin"], required=True)
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username, role, password, email, **options):
        password = password or os.environ.get("CLUSTERDX_PASSWORD")
        if not password:
            raise CommandError("Give --password or set CLUSTERDX_PASSWORD.")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        admin = role == "admin"
        user = User(
            username=User.normalize_username(username),
            email=User.objects.normalize_email(email),
            is_staff=admin,
            is_superuser=admin,
        )
        try:
            # With the unsaved user, so "too similar to the username/email" is checked too.
            password_validation.validate_password(password, user=user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error
        user.set_password(password)
        user.save()
        if not admin:
            user.groups.add(Group.objects.get(name=ROLES[role]))
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r}."))
