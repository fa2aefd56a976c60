from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.loading import default_fixture_paths, load_fixtures


class Command(BaseCommand):
    help = (
        "Load the case library from fixtures/*.json (or the files given). Every object is "
        "validated against the schema and its passage against the paper; if any object is "
        "invalid nothing is written. Rows are matched by natural key, so loading the same "
        "files again changes nothing; files exactly as last loaded (by their fingerprint) are "
        "not even compared again unless --force. Every load that changes data moves the "
        "library's data version."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Fixture files (default: all).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report, but write nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Compare every object even if the files are as last loaded (for data changed "
            "behind the app's back).",
        )

    def handle(self, *args, paths, dry_run, force, verbosity, **options):
        files = paths or default_fixture_paths()
        if not files:
            raise CommandError("No fixture files found.")
        for path in files:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        progress = self.stdout.write if verbosity >= 2 else None
        report = load_fixtures(files, dry_run=dry_run, force=force, progress=progress)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(report.errors)} error(s) in the fixtures; nothing was written."
            )
        if verbosity >= 1:
            how = (
                "; the files are as last loaded, so nothing was compared" if report.skipped else ""
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.summary()} from {len(files)} file(s){how} "
                    f"(library data version {report.version})."
                )
            )
