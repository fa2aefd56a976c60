"""Background jobs of the case library (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from . import warming


@task()
def warm_library_cache() -> dict:
    """Draw the library pages of the data version now current (cases/warming.py)."""
    done = warming.warm_library_cache()
    return {"pages": len(done), "seconds": round(sum(w.seconds for w in done), 3)}
