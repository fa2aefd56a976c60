"""The background job: django-tasks runs it in `manage.py db_worker` (tests: immediately)."""

from django_tasks import task

from . import services


@task()
def import_firm_file(table_id: int) -> dict:
    """Import the table's kept file; progress and the final report are stored on the table."""
    return services.run_import(table_id)
