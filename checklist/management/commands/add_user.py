from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from checklist.models import OFFICERS, RESEARCHERS

ROLES = {"officer": OFFICERS, "researcher": RESEARCHERS}


class Command(BaseCommand):
    help = (
        "Create a user with a role: 'officer' (creates assessments, sees own and shared), "
        "'researcher' (reads cases and assessments shared with researchers) or 'admin' "
        "(staff: manages everything). The password comes from --password or the "
        "CLUSTERDX_PASSWORD environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=[*ROLES, "admin"], required=True)
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username, role, password, email, **options):
        import os

        password = password or os.environ.get("CLUSTERDX_PASSWORD")
        if not password:
            raise CommandError("Give --password or set CLUSTERDX_PASSWORD.")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        admin = role == "admin"
        user = User.objects.create_user(
            username, email=email, password=password, is_staff=admin, is_superuser=admin
        )
        if not admin:
            user.groups.add(Group.objects.get(name=ROLES[role]))
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r}."))
