"""Draw the second audit's random sample of stored case-library items (issue 10, docs/audit-2.md).

Every stored row the paper is cited for (case studies, clusters, size classes, actor groups,
markets, firms, institutions, linkages, history events, figures, policy settings, conclusion
cells) is listed in a fixed order (model, case, key), and `SAMPLE_SIZE` of them are drawn with
`random.Random(SEED)`, so anyone can redraw the same items from the same library. Each drawn item
is printed with its stored fields and the cited lines of the paper (one line either side), the
sheet the audit was read from.

Run against the loaded database from the project directory:

    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_cases
    .venv/bin/python docs/audit2_sample.py            # the sheet
    .venv/bin/python docs/audit2_sample.py --list     # one line per drawn item

The seed was chosen (the audit's date) before any item was seen. A library that has gained or
lost rows since draws a different sample; the audit records the 60 drawn from the library as it
stood before its own corrections (`docs/audit-2.md`).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

SEED = 20261202
SAMPLE_SIZE = 60
CONTEXT_LINES = 1

ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterdx.settings")
    import django

    django.setup()


def population():
    """Every cited row, in a fixed order: (model name, case slug, key, row)."""
    from django.apps import apps

    from cases.models import CaseItem, CaseStudy, Cited

    rows = []
    for model in apps.get_app_config("cases").get_models():
        if not issubclass(model, Cited) or model._meta.abstract:
            continue
        name = model._meta.model_name
        if model is CaseStudy:
            rows += [(name, row.slug, row.slug, row) for row in model.objects.all()]
        elif issubclass(model, CaseItem):
            queryset = model.objects.select_related("case")
            rows += [(name, row.case.slug, row.key, row) for row in queryset]
    rows.sort(key=lambda item: item[:3])
    return rows


def draw(rows):
    return random.Random(SEED).sample(rows, SAMPLE_SIZE)


SKIP_FIELDS = {"id", "case", "passage", "line_from", "line_to", "citation", "confidence", "note"}


def describe(row) -> list[str]:
    lines = []
    for field in row._meta.concrete_fields:
        if field.name in SKIP_FIELDS:
            continue
        value = getattr(row, field.name)
        if value in (None, "", [], False) and field.name != "value":
            continue
        if hasattr(value, "key"):
            value = value.key
        lines.append(f"    {field.name}: {value}")
    return lines


def main(argv: list[str]) -> None:
    _setup_django()
    from django.conf import settings

    from cases.paper import load_paper

    paper = load_paper(str(settings.PAPER_PATH))
    rows = population()
    sample = draw(rows)
    print(f"population {len(rows)} cited rows; seed {SEED}; sample {len(sample)}")
    for number, (name, case, key, row) in enumerate(sample, start=1):
        head = f"{number:2}. {name} {case}/{key} lines {row.line_from}-{row.line_to}"
        if "--list" in argv:
            print(head)
            continue
        print("=" * 100)
        print(head)
        print(f"    citation: {row.citation!r}  confidence: {row.confidence}")
        print(*describe(row), sep="\n")
        print(f"    passage: {row.passage}")
        if row.note:
            print(f"    note: {row.note}")
        first = max(1, row.line_from - CONTEXT_LINES)
        last = min(paper.line_count, row.line_to + CONTEXT_LINES)
        for line in range(first, last + 1):
            print(f"      {line:5} | {paper.lines[line - 1]}")


if __name__ == "__main__":
    main(sys.argv[1:])
