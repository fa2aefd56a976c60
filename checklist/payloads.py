"""JSON-ready scorecards. The shape is the public API's contract (docs/scoring.md)."""

from dataclasses import asdict

from engine.scoring import Scorecard


def scorecard_payload(card: Scorecard) -> dict:
    return {
        "subject": card.subject,
        "engine_version": card.engine_version,
        "overall": card.overall,
        "completeness": card.completeness,
        "points": [
            {
                "number": p.number,
                "title": p.title,
                "score": p.score,
                "level": p.level,
                "completeness": p.completeness,
                "evidence": [asdict(e) for e in p.evidence],
                "missing": list(p.missing),
                "recommendations": [
                    {
                        "indicator": r.indicator,
                        "text": r.text,
                        "lines": list(r.lines),
                        "examples": [
                            {
                                "case": x.case,
                                "text": x.text,
                                "lines": list(x.lines),
                                "citation": x.citation,
                            }
                            for x in r.examples
                        ],
                    }
                    for r in p.recommendations
                ],
            }
            for p in card.points
        ],
    }
