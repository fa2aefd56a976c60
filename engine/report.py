"""The five cases' scores as a Markdown table, for docs/scoring.md (kept true by a test)."""

from collections.abc import Mapping

from . import criteria
from .scoring import Scorecard


def case_scores_markdown(cards: Mapping[str, Scorecard]) -> str:
    header = "| Point | " + " | ".join(card.subject for card in cards.values()) + " |"
    rule = "|---|" + "---|" * len(cards)
    rows = []
    for point in criteria.POINTS:
        cells = []
        for card in cards.values():
            p = card.point(point.number)
            score = "—" if p.score is None else f"{p.score:.1f}"
            cells.append(f"{score} {p.level} ({round(p.completeness * 100)}% known)")
        rows.append(f"| {point.number}. {point.title} | " + " | ".join(cells) + " |")
    overall = " | ".join(
        "—" if c.overall is None else f"**{c.overall:.1f}**" for c in cards.values()
    )
    rows.append(f"| Overall | {overall} |")
    return "\n".join([header, rule, *rows])
