from django.core.management.base import BaseCommand, CommandError

from cases.warming import warm_library_cache


class Command(BaseCommand):
    help = (
        "Draw the library's pages (case list, case pages and scorecards, source texts, the "
        "comparison of all cases) into the shared cache for the current data version, so "
        "that their first viewer does not wait. Pages already cached cost a read. Run after "
        "load_cases (bin/serve does); a change in the admin, an import or an undo queues the "
        "same warm-up as a background task."
    )

    def handle(self, *args, verbosity, **options):
        def progress(warmed):
            if verbosity >= 2:
                self.stdout.write(f"{warmed.status} {warmed.seconds * 1000:8.0f} ms  {warmed.url}")

        done = warm_library_cache(progress=progress)
        failed = [w for w in done if w.status != 200]
        if failed:
            raise CommandError("Not warmed: " + ", ".join(f"{w.url} ({w.status})" for w in failed))
        if verbosity >= 1:
            total = sum(w.seconds for w in done)
            self.stdout.write(self.style.SUCCESS(f"Warmed {len(done)} pages in {total:.1f} s."))
