from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.models import CaseStudy
from checklist.adapters import case_scorecard
from engine.report import SECTIONS, case_scores_markdown, fill

DOC = Path(settings.BASE_DIR) / "docs" / "scoring.md"


def doc_sections() -> dict[str, str]:
    """Every section of docs/scoring.md written from the engine, by its marker name."""
    cards = {case.slug: case_scorecard(case) for case in CaseStudy.objects.with_library()}
    return {"case-scores": case_scores_markdown(cards), **{k: f() for k, f in SECTIONS.items()}}


class Command(BaseCommand):
    help = (
        "Print the five library cases' checklist scores as the Markdown table that "
        "docs/scoring.md carries between its case-scores markers; with --write, rewrite every "
        "section of docs/scoring.md written from the engine (a test keeps them equal)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Rewrite docs/scoring.md.")

    def handle(self, *args, **options):
        sections = doc_sections()
        if options["write"]:
            DOC.write_text(fill(DOC.read_text(), sections))
            self.stdout.write(f"Wrote {', '.join(sections)} into {DOC}")
        else:
            self.stdout.write(sections["case-scores"])
