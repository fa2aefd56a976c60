"""An assessment's answers and scores as tables, for CSV and XLSX downloads. No ORM."""

from __future__ import annotations

import io

import pandas as pd

from .scoring import Scorecard

LIST_SECTIONS = ("groups", "ties", "institutions")


def scorecard_frames(card: Scorecard, answers: dict) -> dict[str, pd.DataFrame]:
    """One frame per sheet: Scores, Evidence, Answers, and one per list of answers."""
    scores = pd.DataFrame(
        [
            {
                "point": p.number,
                "title": p.title,
                "score": p.score,
                "level": p.level,
                "completeness": p.completeness,
                "engine_version": card.engine_version,
            }
            for p in card.points
        ]
    )
    evidence = pd.DataFrame(
        [
            {
                "point": p.number,
                "indicator": e.indicator,
                "name": e.name,
                "value": e.value,
                "weight": e.weight,
                "effect": e.effect,
                "basis": "; ".join(e.basis),
            }
            for p in card.points
            for e in p.evidence
        ]
    )
    overall = pd.DataFrame(
        [
            {
                "point": "overall",
                "title": f"Overall, based on {card.rated} of 8 points",
                "score": card.overall,
                "level": "",
                "completeness": card.completeness,
                "engine_version": card.engine_version,
            }
        ]
    )
    scores = pd.concat([scores, overall], ignore_index=True)
    recommendations = pd.DataFrame(
        [
            {
                "point": p.number,
                "indicator": r.indicator or "",
                "recommendation": r.text,
                "paper_lines": f"{r.lines[0]}-{r.lines[1]}",
            }
            for p in card.points
            for r in p.recommendations
        ]
    )
    scalar = {k: v for k, v in answers.items() if k not in LIST_SECTIONS}
    frames = {
        "Scores": scores,
        "Evidence": evidence,
        "Recommendations": recommendations,
        "Answers": pd.DataFrame(
            [
                {"question": key, "answer": ", ".join(v) if isinstance(v, list) else v}
                for key, v in scalar.items()
            ]
        ),
    }
    for section in LIST_SECTIONS:
        frames[section.capitalize()] = pd.DataFrame(answers.get(section, []))
    return frames


def to_csv(frames: dict[str, pd.DataFrame]) -> str:
    """Every sheet in one long CSV: sheet, row, column, value."""
    rows = []
    for sheet, frame in frames.items():
        for index, record in enumerate(frame.to_dict("records"), start=1):
            for column, value in record.items():
                rows.append({"sheet": sheet, "row": index, "column": column, "value": value})
    return pd.DataFrame(rows, columns=["sheet", "row", "column", "value"]).to_csv(index=False)


def to_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in frames.items():
            frame.to_excel(writer, sheet_name=sheet, index=False)
    return buffer.getvalue()
