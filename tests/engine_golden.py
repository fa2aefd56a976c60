"""The engine's golden snapshot: seeded random profiles, and every scorecard as plain JSON.

`tests/golden/engine_scorecards.json` holds the full scorecards (every point, indicator value
and unrounded measure, basis line, unknown, completeness and recommendation) of the five
library cases and of the random profiles below, as engine 2.0.0 computed them before it was
made faster. tests/test_engine_speed_equal.py holds today's engine to it. Regenerate it only
for a deliberate change of results (a new ENGINE_VERSION), and say so in the commit:

    DEBUG=1 .venv/bin/python -m tests.engine_golden
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

from engine import criteria
from engine.profile import Body, ClusterProfile, Fact, Group, MarketBasis, Source, Tie
from engine.scoring import measure, score

GOLDEN = Path(__file__).parent / "golden" / "engine_scorecards.json"
SEED = 20261202
RANDOM_PROFILES = 200
WEIGHTED_PROFILES = 30  # the first ones are also scored with random weights

# The vocabularies of cases.ActorGroup, Linkage and Institution (written out: no Django here),
# plus one code no model has, as odd stored data might carry.
ROLES = ("producer", "stage_unit", "supplier", "machinery", "export_agent", "buyer", "service",
         "homeworker", "overseas_branch", "oem", "lead_firm", "tnc", "odd")  # fmt: skip
DIRECTIONS = ("backward", "forward", "horizontal", "institutional")
NATURES = ("subcontracting", "job_working", "in_contracting", "out_contracting",
           "capacity_contracting", "oem", "supply", "sales", "technical_assistance",
           "information_exchange", "joint_purchasing", "joint_marketing", "consortium", "credit",
           "training", "equipment_sharing", "services", "regulation", "membership")  # fmt: skip
STRENGTHS = ("weak", "moderate", "strong", "unknown")
TRENDS = ("weakening", "stable", "strengthening", "unknown")
KINDS = ("trade_association", "business_association", "trade_fair", "training",
         "technology_centre", "standards", "credit_union", "export_promotion", "research",
         "business_club", "government", "joint_action", "chaebol_association",
         "information_network", "international")  # fmt: skip
LEVELS = ("local", "regional", "national", "international", "unknown")
OWNERSHIPS = ("public", "private", "mixed", "unknown")
REACHES = ("wide", "partial", "limited", "unknown")
STATUSES = ("active", "proposed")
BASES = ("price", "quality", "fashion", "delivery")


def _source(rng: random.Random, label: str) -> Source:
    if rng.random() < 0.3:
        return Source(f"Answer: {label}")
    first = rng.randint(1, 3000)
    return Source(label, (first, first + rng.choice((0, 0, 3, 12))))


def _rows(rng: random.Random, make, most: int):
    """None (not known), () (known none) or some rows."""
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.25:
        return ()
    return tuple(make(n) for n in range(rng.randint(1, most)))


def _fact(rng: random.Random, label: str, values) -> Fact | None:
    if rng.random() < 0.3:
        return None
    value = rng.choice(values)
    return Fact(value, _source(rng, label), rng.choice((None, None, f"{label} in words")))


def random_profile(rng: random.Random, n: int) -> ClusterProfile:
    def group(i):
        role = rng.choice(ROLES)
        return Group(role, f"{role} {i}", _source(rng, f"Group {i}"))

    def tie(i):
        return Tie(
            direction=rng.choice(DIRECTIONS),
            nature=rng.choice(NATURES),
            source=_source(rng, f"Tie {i}"),
            strength=rng.choice(STRENGTHS),
            trend=rng.choice(TRENDS),
            from_role=rng.choice((None, *ROLES)),
            to_role=rng.choice((None, *ROLES)),
        )

    def body(i):
        kind = rng.choice(KINDS)
        return Body(
            kind=kind,
            name=f"{kind} {i}",
            source=_source(rng, f"Body {i}"),
            ownership=rng.choice(OWNERSHIPS),
            level=rng.choice(LEVELS),
            status=rng.choice(STATUSES),
            reach=rng.choice(REACHES),
            sector_specific=rng.choice((None, True, False)),
        )

    def market(i):
        bases = frozenset(b for b in BASES if rng.random() < 0.5)
        return MarketBasis(rng.choice(("domestic", "export")), bases, _source(rng, f"Market {i}"))

    direct = None
    if rng.random() < 0.5:
        direct = {
            code: Fact(rng.random() < 0.5, _source(rng, f"Direct {code}"))
            for code in criteria.DIRECT_YES_VALUE
            if rng.random() < 0.6
        }
    declared = None
    if rng.random() < 0.6:
        declared = {
            i.field: Fact(rng.choice(("none", "none", "listed")), _source(rng, i.label))
            for i in criteria.INVENTORIES
            if rng.random() < 0.7
        }
    return ClusterProfile(
        subject=f"Random cluster {n}",
        kind=rng.choice((None, "cluster", "network")),
        groups=_rows(rng, group, 8),
        ties=_rows(rng, tie, 12),
        institutions=_rows(rng, body, 12),
        producer_count=_fact(rng, "Producers", (0, 1, 7, 50, 499, 500, 4000)),
        state_created=_fact(rng, "State created", (True, False)),
        export_share=_fact(rng, "Export share", (0, 0.0, 7, 7.5, 49.9, 50, 75.0, 100)),
        competition=_rows(rng, market, 3),
        foreign_buyers=_fact(rng, "Foreign buyers", (True, False)),
        trade_regime=_fact(rng, "Trade regime", ("protected", "liberalising", "open", "odd")),
        sme_incentives=_fact(rng, "Incentives", ("none", "fair", "distorting", "odd")),
        contract_rules=_fact(rng, "Contract rules", (True, False)),
        intervention_style=_fact(rng, "Style", ("facilitator", "director", "absent", "odd")),
        direct=direct,
        declared=declared,
    )


def random_profiles() -> list[ClusterProfile]:
    rng = random.Random(SEED)
    return [random_profile(rng, n) for n in range(RANDOM_PROFILES)]


def random_weights() -> list[dict[str, float]]:
    rng = random.Random(SEED + 1)
    return [
        {code: rng.choice((0.0, 0.5, 1.0, 2.0, 3.0)) for code in criteria.DEFAULT_WEIGHTS}
        for _ in range(WEIGHTED_PROFILES)
    ]


def plain(profile: ClusterProfile, weights=None) -> dict:
    """A profile's scorecard (with the weights, if given) and its unrounded measures, as JSON
    reads them back (tuples become lists, floats round-trip exactly)."""
    card = score(profile) if weights is None else score(profile, weights)
    result = {
        "scorecard": dataclasses.asdict(card),
        "rated": card.rated,
        "rated_scores": [p.rated_score for p in card.points],
        "measures": {code: measure(code, profile).value for code in criteria.DEFAULT_WEIGHTS},
    }
    return json.loads(json.dumps(result, ensure_ascii=False))


def snapshot_random() -> dict:
    profiles = random_profiles()
    weighted = zip(profiles, random_weights(), strict=False)
    return {
        "random": [plain(p) for p in profiles],
        "random_weighted": [plain(p, w) for p, w in weighted],
    }


def _cards(snapshot: dict):
    for section in ("library", "random", "random_weighted"):
        entries = snapshot[section]
        yield from entries.values() if isinstance(entries, dict) else entries


def intern_recommendations(snapshot: dict) -> dict:
    """Each distinct recommendation stored once (they repeat the criteria's long texts), the
    points holding their indexes; `expand_recommendations` undoes it."""
    table: dict[str, int] = {}
    for entry in _cards(snapshot):
        for point in entry["scorecard"]["points"]:
            point["recommendations"] = [
                table.setdefault(json.dumps(r, ensure_ascii=False), len(table))
                for r in point["recommendations"]
            ]
    return {**snapshot, "recommendations": [json.loads(text) for text in table]}


def expand_recommendations(snapshot: dict) -> dict:
    table = snapshot["recommendations"]
    for entry in _cards(snapshot):
        for point in entry["scorecard"]["points"]:
            point["recommendations"] = [table[i] for i in point["recommendations"]]
    return snapshot


def load_golden() -> dict:
    return expand_recommendations(json.loads(GOLDEN.read_text()))


def library_profiles() -> dict[str, ClusterProfile]:
    """The five library cases' profiles, by slug (needs Django and the library loaded)."""
    from cases.models import CaseStudy
    from checklist.adapters import build_profile

    return {case.slug: build_profile(case) for case in CaseStudy.objects.with_library()}


def main() -> None:
    import os
    import tempfile

    folder = tempfile.mkdtemp(prefix="clusterdx-golden-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/golden.db")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterdx.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_cases", verbosity=0)
    snapshot = intern_recommendations(
        {
            "engine_version": criteria.ENGINE_VERSION,
            "seed": SEED,
            "library": {slug: plain(p) for slug, p in library_profiles().items()},
            **snapshot_random(),
        }
    )
    GOLDEN.parent.mkdir(exist_ok=True)
    with GOLDEN.open("w") as out:  # one scorecard a line, so a change shows as a short diff
        out.write("{\n")
        for n, (key, value) in enumerate(snapshot.items()):
            out.write(f"{json.dumps(key)}: ")
            if key in ("random", "random_weighted", "recommendations"):
                lines = (json.dumps(item, ensure_ascii=False) for item in value)
                out.write("[\n" + ",\n".join(lines) + "\n]")
            else:
                out.write(json.dumps(value, ensure_ascii=False))
            out.write(",\n" if n < len(snapshot) - 1 else "\n")
        out.write("}\n")
    print(f"wrote {GOLDEN}: {len(snapshot['library'])} library cases, "
          f"{len(snapshot['random'])} random profiles")  # fmt: skip


if __name__ == "__main__":
    main()
