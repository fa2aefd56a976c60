from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from checklist.models import ApiToken


class Command(BaseCommand):
    help = (
        "Issue a key for the JSON API to USER and print it. The key is shown only now (the "
        "database keeps its digest); it acts with USER's permissions, exactly as their pages "
        "do. --revoke deletes all of USER's keys instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="delete USER's keys")

    def handle(self, *args, username, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user '{username}'.")
        if revoke:
            count, _ = ApiToken.objects.filter(user=user).delete()
            self.stdout.write(f"Deleted {count} key(s) of {username}.")
            return
        if not user.is_active:
            raise CommandError(f"'{username}' is not active: a key would not work.")
        self.stdout.write(ApiToken.objects.issue(user))
