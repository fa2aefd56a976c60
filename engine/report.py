"""The parts of docs/scoring.md written from the engine's records (kept true by a test): the
indicators with their rules, the kinds of body or tie, and the five cases' scores."""

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


def indicators_markdown() -> str:
    """Every indicator as its record states it: weight, rule, what it reads, why."""
    out = [f"Values are 0-1. {criteria.scales_words()}", ""]
    for point in criteria.POINTS:
        first, last = point.lines
        out.append(f"### {point.number}. {point.title} ({first}-{last})")
        for i in criteria.indicators_for(point.number):
            reads = ", ".join(f"`{r}`" for r in i.reads)
            out.append(
                f"- **{i.code} {i.name}** (weight {i.weight:g}; reads {reads}) — "
                f"{criteria.value_rule(i.code)} *Why:* {i.rationale}"
            )
        out.append("")
    return "\n".join(out).rstrip()


def inventories_markdown() -> str:
    """The kinds of body or tie the form asks about, and how the library reads its silence."""
    rows = [
        "| Kind | Asked on | Rows that show it | Counted by | The paper's silence reads as |",
        "|---|---|---|---|---|",
    ]
    for kind in criteria.INVENTORIES:
        codes = ", ".join(criteria.counted_by(kind.field))
        asked = f"{kind.step}, as {kind.asked_by}'s question" if kind.asked_by else kind.step
        rows.append(
            f"| {kind.label} | {asked} | {kind.rows} | {codes} | "
            f"{kind.library_silence}: {kind.why} |"
        )
    return "\n".join(rows)


SECTIONS = {
    "indicators": indicators_markdown,
    "inventories": inventories_markdown,
}


def marked(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->\n", f"\n<!-- {name}:end -->"


def between(doc: str, name: str) -> str:
    """The text of a document between a section's markers."""
    start, end = marked(name)
    return doc[doc.index(start) + len(start) : doc.index(end)]


def fill(doc: str, texts: Mapping[str, str]) -> str:
    """The document with each named section's markers holding the given text."""
    for name, text in texts.items():
        start, end = marked(name)
        head, rest = doc[: doc.index(start) + len(start)], doc[doc.index(end) :]
        doc = head + text + rest
    return doc
