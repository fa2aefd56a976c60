from django.apps import AppConfig
from django.core import checks


class FirmsConfig(AppConfig):
    name = "firms"
    verbose_name = "Firm-level tables"

    def ready(self):
        checks.register(check_firm_rows_name_what_exists, checks.Tags.database)


def check_firm_rows_name_what_exists(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database default`: firm rows naming a table or a case row that is
    gone (deleted by a raw query or the shell; the app's own deletes refuse). Only with
    --database: it reads the firm rows, which a plain `check` must not need."""
    from django.db import DatabaseError, connections

    from .references import orphans

    found = []
    for alias in databases or []:
        if "firms_firmrecord" not in connections[alias].introspection.table_names():
            continue  # before the first migrate (migrate runs database checks too)
        try:
            found += orphans()
        except DatabaseError as exc:
            found.append(f"could not be checked: {exc}")
    return [checks.Warning(problem, id="firms.W001") for problem in found]
