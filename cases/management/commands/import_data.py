from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.bundles import import_bundle, preview_lines


class Command(BaseCommand):
    help = (
        "Import case bundles (.xlsx workbook, .zip of CSV files, or natural-key .json): each "
        "bundle gives whole cases, so rows of those cases it leaves out are deleted. The "
        "preview lists, per table, what is created, updated (field by field), unchanged and "
        "deleted, and every error by sheet, row and column; with any error nothing is written, "
        "otherwise everything is written in one transaction. --dry-run previews only."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Bundle files.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Preview and report, but write nothing."
        )

    def handle(self, *args, paths, dry_run, verbosity, **options):
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        files = [(path.name, path.read_bytes()) for path in paths]
        report = import_bundle(files, dry_run=dry_run, by="manage.py import_data")
        if not report.ok:
            for error in report.errors:  # each starts with its file's name, then sheet, row
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} error(s) in the bundle; nothing was written.")
        if verbosity >= 2 or dry_run:
            for line in preview_lines(report):
                self.stdout.write(line)
        done = "Dry run, nothing written" if dry_run else "Written"
        if not report.written and not dry_run:
            done = "Nothing to write"
        self.stdout.write(
            self.style.SUCCESS(
                f"{done}: {report.summary()} (library data version {report.version})."
            )
        )
