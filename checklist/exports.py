"""An assessment's scorecard and answers as tables, for CSV and XLSX downloads. No ORM.

The tables are written to files by clusterdx.downloads (no cell there can run as a formula).

Everything is worded for people: indicator and point names, the form's questions and the
chosen options' labels, never internal codes alone.
"""

from __future__ import annotations

import pandas as pd

from engine.scoring import Scorecard


def scorecard_frame(card: Scorecard) -> pd.DataFrame:
    """One row per point (its score and level), then one per indicator of that point (value,
    weight, effect, evidence); the last row is the overall score."""
    rows = []
    for p in card.points:
        rows.append(
            {
                "point": p.number,
                "indicator": "",
                "name": p.title,
                "score": p.score,
                "level": p.level,
                "evidence known": f"{p.completeness:.0%}",
                "value (0-1)": None,
                "weight": None,
                "effect": "",
                "evidence": "",
            }
        )
        for e in p.evidence:
            rows.append(
                {
                    "point": p.number,
                    "indicator": e.indicator,
                    "name": e.name,
                    "score": None,
                    "level": "",
                    "evidence known": "",
                    "value (0-1)": e.value,
                    "weight": e.weight,
                    "effect": e.effect,
                    "evidence": "; ".join(e.basis),
                }
            )
    rows.append(
        {
            "point": "overall",
            "indicator": "",
            "name": f"{card.subject}: overall, based on {card.rated} of 8 points "
            f"(engine {card.engine_version})",
            "score": card.overall,
            "level": "",
            "evidence known": f"{card.completeness:.0%}",
        }
    )
    return pd.DataFrame(rows)


def recommendations_frame(card: Scorecard) -> pd.DataFrame:
    rows = [
        {
            "point": p.number,
            "point title": p.title,
            "indicator": r.indicator or "",
            "recommendation": r.text,
            "paper lines": f"{r.lines[0]}-{r.lines[1]}",
            "how the cases did it": " | ".join(
                f"{x.case_name}: {x.text} (lines {x.lines[0]}-{x.lines[1]})" for x in r.examples
            ),
        }
        for p in card.points
        for r in p.recommendations
    ]
    return pd.DataFrame(rows)


def answers_frame(sheets: dict) -> pd.DataFrame:
    """Every answer in one table: step, row (for list answers), question, answer."""
    rows = [{"step": a["step"], "row": "", "question": a["question"], "answer": a["answer"]}
            for a in sheets["answers"]]  # fmt: skip
    for title, items in sheets["lists"].items():
        for number, item in enumerate(items, start=1):
            rows.extend(
                {"step": title, "row": number, "question": question, "answer": answer}
                for question, answer in item.items()
            )
    return pd.DataFrame(rows, columns=["step", "row", "question", "answer"])


SCORE_SHEETS = ("Scorecard", "Recommendations")  # written for reading; an upload ignores them
ANSWERS_SHEET, STEPS_SHEET, ASSESSMENT_SHEET = "Answers", "Steps", "Assessment"


def answers_frames(sheets: dict, steps: list[dict], origin: list[dict]) -> dict[str, pd.DataFrame]:
    """The answers sheets, which checklist/workbook.py reads back: the answers, each list as
    its own sheet with one row per group, tie or institution (headed by the row form's
    labels, even when there are no rows, so a blank template shows the columns), which
    steps are answered, and which assessment and revision the answers are."""
    answers = pd.DataFrame(sheets["answers"], columns=["step", "question", "answer"])
    frames = {ANSWERS_SHEET: answers}
    for title, items in sheets["lists"].items():
        frames[title] = pd.DataFrame(items, columns=sheets["columns"][title])
    frames[STEPS_SHEET] = pd.DataFrame(steps, columns=["step", "answered"])
    frames[ASSESSMENT_SHEET] = pd.DataFrame(origin, columns=["assessment", "revision"])
    return frames


def workbook_frames(
    card: Scorecard, sheets: dict, steps: list[dict], origin: list[dict]
) -> dict[str, pd.DataFrame]:
    """The XLSX: the scorecard, the recommendations, then the answers sheets."""
    scores, recommendations = SCORE_SHEETS
    return {
        scores: scorecard_frame(card),
        recommendations: recommendations_frame(card),
        **answers_frames(sheets, steps, origin),
    }
