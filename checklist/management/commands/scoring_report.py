from django.core.management.base import BaseCommand

from cases.models import CaseStudy
from checklist.adapters import case_scorecard
from engine.report import case_scores_markdown


class Command(BaseCommand):
    help = (
        "Print the five library cases' checklist scores as the Markdown table that "
        "docs/scoring.md carries between its case-scores markers (a test keeps them equal)."
    )

    def handle(self, *args, **options):
        cards = {case.slug: case_scorecard(case) for case in CaseStudy.objects.with_library()}
        self.stdout.write(case_scores_markdown(cards))
