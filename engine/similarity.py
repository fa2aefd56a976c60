"""Which library case a cluster most resembles, and why. Pure Python, no Django.

Clusters are alike, in the paper's own terms, when they sell to the same kind of market through
the same kind of agents (export share, foreign buyers, buyers and agents by market), when large
firms play the same part (present or not, leading the ties or not: the chaebol networks), when
their firms and institutions are of the same size and kind, when their ties run the same way —
and when their checklist scores are alike. Each of these is one `Feature` record in `FEATURES`:
its name, what it measures in words, its weight and how it is normalised to 0-1. /method/ and
docs/scoring.md are written from the same table.

Distance: over the features known for *both* clusters (an unknown feature is left out of that
pair, never read as 0), the weighted root-mean-square gap of the normalised values; similarity
= 100 × (1 − distance). A pair sharing fewer than `MIN_COMPARED` features is not compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from . import criteria
from .profile import ClusterProfile
from .scoring import Scorecard

MIN_COMPARED = 6  # fewer shared features than this and a resemblance says too little
NEAR_TIE_GAP = 3.0  # similarity points: closer than this to the best, a case ties with it
SHOWN = 3  # features listed as "closest on" and as "differs most on"
# "Closest on" names only features that say something about likeness: values within this
# normalised gap, and not both a mere absence (no chaebols, no fair body, 0% exported): two
# clusters are not alike for lacking the same thing.
CLOSE_GAP = 0.2

LARGE_ROLES = {"lead_firm", "tnc"}
# Who sells, by market (criteria): buyers and agents of export markets against domestic ones.
# TNCs are left to the large-firm features: the paper's table of key players sets "Buyers"
# apart from "Large Firms & TNCs" (lines 2333-2337).
EXPORT_SELLERS = set(criteria.EXPORT_MARKET_ROLES) - LARGE_ROLES
ALL_SELLERS = set(criteria.MARKET_AGENT_ROLES) - LARGE_ROLES
TECHNICAL_KINDS = {"technology_centre", "training", "standards", "research"}
ASSOCIATION_KINDS = {
    "trade_association",
    "business_association",
    "business_club",
    "joint_action",
    "credit_union",
}
DENSE_INSTITUTIONS = 15  # this many active institutions or more count as fully dense
MANY_PRODUCERS = 5000  # producers on a log scale: 5,000 or more = 1


@dataclass(frozen=True)
class ScoredProfile:
    """What resemblance reads of a cluster: its engine profile and its checklist scorecard."""

    profile: ClusterProfile
    card: Scorecard


Raw = object  # a feature's value before normalising: a number, a yes/no, or (part, whole)


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    words: str  # what it measures, in the paper's terms
    weight: float
    normalised: str  # how the raw value becomes 0-1, in words
    read: Callable[[ScoredProfile], Raw | None]  # None: not known for this cluster
    scale: Callable[[Raw], float]
    shown: Callable[[Raw], str]  # the raw value in words
    # Whether a raw value is a mere absence (nothing there): by default, a value normalised
    # to 0. Two absences are no evidence of likeness ("closest on" leaves them out).
    absence: Callable[[Raw], bool] | None = None

    def absent(self, raw: Raw) -> bool:
        return self.absence(raw) if self.absence is not None else self.scale(raw) == 0


@dataclass(frozen=True)
class FeatureGap:
    """One feature compared: the values in words, and the normalised gap (0 = the same)."""

    key: str
    name: str
    here: str
    there: str
    gap: float  # 0..1
    weight: float
    both_absent: bool = False  # nothing there in either cluster: no evidence of likeness

    @property
    def contribution(self) -> float:
        return self.weight * self.gap**2


@dataclass(frozen=True)
class Resemblance:
    subject: str
    key: str  # the case slug
    similarity: float  # 0..100
    compared: int  # features known for both
    available: int  # features in the table
    # telling gaps (CLOSE_GAP, not both absent), those that set this case apart first: where
    # the cluster is closer to it than to any other case, by the widest margin
    closest: tuple[FeatureGap, ...]
    differs: tuple[FeatureGap, ...]  # largest weighted gaps first
    near_tie_with: tuple[str, ...] = field(default=())  # subjects within NEAR_TIE_GAP (the best)
    near_tie_similarities: tuple[float, ...] = field(default=())  # theirs, in the same order

    @property
    def near_ties(self) -> tuple[tuple[str, float], ...]:
        return tuple(zip(self.near_tie_with, self.near_tie_similarities, strict=True))

    @property
    def near_tie_gap(self) -> float:
        return NEAR_TIE_GAP


# Readers ---------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> tuple[int, int] | None:
    return None if whole == 0 else (part, whole)


def _export_share(s: ScoredProfile):
    return None if s.profile.export_share is None else float(s.profile.export_share.value)


def _fact_bool(name: str):
    def read(s: ScoredProfile):
        fact = getattr(s.profile, name)
        return None if fact is None else bool(fact.value)

    return read


def _groups_present(roles: set[str]):
    def read(s: ScoredProfile):
        if s.profile.groups is None:
            return None
        return any(g.role in roles for g in s.profile.groups)

    return read


def _sellers_abroad(s: ScoredProfile):
    if s.profile.groups is None:
        return None
    sellers = [g for g in s.profile.groups if g.role in ALL_SELLERS]
    return _share(sum(1 for g in sellers if g.role in EXPORT_SELLERS), len(sellers))


def _large_led_ties(s: ScoredProfile):
    ties = s.profile.ties
    if ties is None:
        return None
    return _share(sum(1 for t in ties if t.from_role in LARGE_ROLES), len(ties))


def _ties_in_direction(direction: str):
    def read(s: ScoredProfile):
        ties = s.profile.ties
        if ties is None:
            return None
        return _share(sum(1 for t in ties if t.direction == direction), len(ties))

    return read


def _producers(s: ScoredProfile):
    fact = s.profile.producer_count
    return None if fact is None else int(fact.value)


def _active_bodies(s: ScoredProfile):
    bodies = s.profile.institutions
    return None if bodies is None else [b for b in bodies if b.status == "active"]


def _institution_count(s: ScoredProfile):
    bodies = _active_bodies(s)
    return None if bodies is None else len(bodies)


def _bodies_of_kind(kinds: set[str]):
    def read(s: ScoredProfile):
        bodies = _active_bodies(s)
        if bodies is None:
            return None
        return _share(sum(1 for b in bodies if b.kind in kinds), len(bodies))

    return read


def _public_bodies(s: ScoredProfile):
    bodies = _active_bodies(s)
    if bodies is None:
        return None
    known = [b for b in bodies if b.ownership in {"public", "private", "mixed"}]
    return _share(sum(1 for b in known if b.ownership == "public"), len(known))


def _kind(s: ScoredProfile):
    return s.profile.kind


def _point(number: int):
    def read(s: ScoredProfile):
        point = s.card.point(number)
        return None if point.level == criteria.UNKNOWN_LEVEL else point.score

    return read


# Scales and words ------------------------------------------------------------------------------


def _ratio(raw) -> float:
    part, whole = raw
    return part / whole


def _yes(raw) -> float:
    return 1.0 if raw else 0.0


def _of(what: str):
    def shown(raw) -> str:
        part, whole = raw
        return f"{part} of {whole} {what} ({round(100 * part / whole)}%)"

    return shown


def _said(yes: str, no: str):
    return lambda raw: yes if raw else no


def _log_producers(raw) -> float:
    return min(1.0, math.log10(max(raw, 1)) / math.log10(MANY_PRODUCERS))


FEATURES: tuple[Feature, ...] = (
    Feature(
        "export_share",
        "Exports",
        "share of output exported: the market orientation",
        2.0,
        "the share itself (0-100% → 0-1)",
        _export_share,
        lambda raw: raw / 100,
        lambda raw: f"exports {raw:g}% of output",
    ),
    Feature(
        "foreign_buyers",
        "Foreign buyers",
        "sells to demanding foreign buyers",
        1.0,
        "yes 1, no 0",
        _fact_bool("foreign_buyers"),
        _yes,
        _said("sells to demanding foreign buyers", "no demanding foreign buyers"),
    ),
    # The paper puts "buyers and foreign traders" together as the market agents of the
    # interface (2386-2388; 2427-2429) and sets them against domestic selling agents
    # (Tiruppur, 1306-1318): who sells is a matter of which market they serve, not of agent
    # against direct buyer, so a cluster selling straight to foreign buyers is not unlike
    # one selling through export agents.
    Feature(
        "traders",
        "Buyers and agents by market",
        "who sells: the share of the groups of buyers, agents and traders that serve export "
        "markets (export agents, foreign buyers) rather than the home market (domestic "
        "wholesalers, retailers, selling agents); TNCs count as large firms",
        1.0,
        "the share (0-1)",
        _sellers_abroad,
        _ratio,
        _of("groups of buyers and agents serve export markets"),
    ),
    Feature(
        "large_firms",
        "Large firms",
        "large or lead firms, TNCs or chaebols among the groups",
        1.0,
        "present 1, absent 0",
        _groups_present(LARGE_ROLES),
        _yes,
        _said("large or lead firms present", "no large or lead firm"),
    ),
    Feature(
        "large_firm_ties",
        "Ties led by large firms",
        "share of ties that start from a large firm: the chaebol or supplier-network pattern",
        1.5,
        "the share (0-1)",
        _large_led_ties,
        _ratio,
        _of("ties start from a large firm"),
    ),
    Feature(
        "kind",
        "Cluster or network",
        "a geographical cluster or a dispersed network",
        1.0,
        "same kind 0 apart, different kinds 1 apart",
        _kind,
        lambda raw: 1.0 if raw == "network" else 0.0,
        lambda raw: "a network" if raw == "network" else "a cluster",
        lambda raw: False,  # a cluster lacks nothing a network has: both kinds say something
    ),
    Feature(
        "state_created",
        "Started by the state",
        "started by administrative decision (state-led) or grown",
        1.0,
        "yes 1, no 0",
        _fact_bool("state_created"),
        _yes,
        _said("started by administrative decision", "grew without an administrative decision"),
    ),
    Feature(
        "producers",
        "Producing firms",
        "how many producing firms: the size structure of the cluster",
        1.0,
        f"log scale, {MANY_PRODUCERS:,} or more = 1 (500 ≈ 0.73)",
        _producers,
        _log_producers,
        lambda raw: f"{raw:,} producing firms",
    ),
    Feature(
        "institutions",
        "Institutional density",
        "how many support institutions are active",
        0.5,
        f"the count, {DENSE_INSTITUTIONS} or more = 1",
        _institution_count,
        lambda raw: min(1.0, raw / DENSE_INSTITUTIONS),
        lambda raw: f"{raw} active institutions",
    ),
    Feature(
        "public_institutions",
        "Public institutions",
        "share of the institutions (of known ownership) that are public: who runs support",
        0.75,
        "the share (0-1)",
        _public_bodies,
        _ratio,
        _of("institutions of known ownership are public"),
    ),
    Feature(
        "technical_institutions",
        "Technical institutions",
        "share of the institutions that are technology, training, standards or research bodies",
        0.75,
        "the share (0-1)",
        _bodies_of_kind(TECHNICAL_KINDS),
        _ratio,
        _of("institutions are technical (technology, training, standards, research)"),
    ),
    Feature(
        "associations",
        "Associations",
        "share of the institutions that are producers' own associations, clubs, joint-action "
        "groups or credit unions",
        0.75,
        "the share (0-1)",
        _bodies_of_kind(ASSOCIATION_KINDS),
        _ratio,
        _of("institutions are producers' associations or joint bodies"),
    ),
    Feature(
        "forward_ties",
        "Forward ties",
        "share of ties that run forward, to buyers and agents",
        0.5,
        "the share (0-1)",
        _ties_in_direction("forward"),
        _ratio,
        _of("ties run forward to buyers and agents"),
    ),
    Feature(
        "horizontal_ties",
        "Horizontal ties",
        "share of ties among producers themselves",
        0.5,
        "the share (0-1)",
        _ties_in_direction("horizontal"),
        _ratio,
        _of("ties are horizontal, among producers"),
    ),
    *(
        Feature(
            f"point_{point.number}",
            f"Point {point.number}",
            f"the checklist score on point {point.number}: {point.title}",
            0.5,
            "score ÷ 100, when the point's level is known",
            _point(point.number),
            lambda raw: raw / 100,
            lambda raw, n=point.number: f"scores {raw:g} on point {n}",
        )
        for point in criteria.POINTS
    ),
)


def _read_all(subject: ScoredProfile) -> dict[str, Raw]:
    values = {}
    for f in FEATURES:
        raw = f.read(subject)
        if raw is not None:
            values[f.key] = raw
    return values


def compare(mine: ScoredProfile, theirs: ScoredProfile) -> tuple[float, list[FeatureGap]]:
    """The distance (0-1) over the features known for both, and each feature's gap."""
    here, there = _read_all(mine), _read_all(theirs)
    gaps = [
        FeatureGap(
            f.key,
            f.name,
            f.shown(here[f.key]),
            f.shown(there[f.key]),
            round(abs(f.scale(here[f.key]) - f.scale(there[f.key])), 3),
            f.weight,
            f.absent(here[f.key]) and f.absent(there[f.key]),
        )
        for f in FEATURES
        if f.key in here and f.key in there
    ]
    total = sum(g.weight for g in gaps)
    distance = math.sqrt(sum(g.contribution for g in gaps) / total) if total else 1.0
    return distance, gaps


def resemblances(mine: ScoredProfile, cases: Mapping[str, ScoredProfile]) -> list[Resemblance]:
    """The cases ordered from most to least similar (ties broken by case key). The first names
    the cases within `NEAR_TIE_GAP` of it, if any: then the nearest case is a near-tie."""
    compared = {key: compare(mine, other) for key, other in cases.items()}
    # What sets a case apart: a feature on which the cluster is as close to another case (a
    # cluster, as Sinos, Leon and Tiruppur all are) says nothing about why this one is
    # nearest. Each feature's gap is set against the smallest gap of the other cases.
    spread: dict[str, list[tuple[str, float]]] = {}
    for key, (_, gaps) in compared.items():
        for g in gaps:
            spread.setdefault(g.key, []).append((key, g.gap))

    def setting_apart(case: str):
        def order(g: FeatureGap) -> tuple:
            others = [gap for other, gap in spread[g.key] if other != case]
            margin = min(others) - g.gap if others else 0.0
            return (-round(g.weight * margin, 6), g.gap, -g.weight, g.key)

        return order

    found = []
    for key, other in cases.items():
        distance, gaps = compared[key]
        if len(gaps) < MIN_COMPARED:
            continue
        telling = (g for g in gaps if g.gap <= CLOSE_GAP and not g.both_absent)
        closest = sorted(telling, key=setting_apart(key))[:SHOWN]
        differs = sorted((g for g in gaps if g.gap > 0), key=lambda g: (-g.contribution, g.key))[
            :SHOWN
        ]
        found.append(
            Resemblance(
                subject=other.card.subject,
                key=key,
                similarity=round(100 * (1 - distance), 1),
                compared=len(gaps),
                available=len(FEATURES),
                closest=tuple(closest),
                differs=tuple(differs),
            )
        )
    found.sort(key=lambda r: (-r.similarity, r.key))
    if found:
        best = found[0]
        tied = [r for r in found[1:] if best.similarity - r.similarity < NEAR_TIE_GAP]
        if tied:
            found[0] = replace(
                best,
                near_tie_with=tuple(r.subject for r in tied),
                near_tie_similarities=tuple(r.similarity for r in tied),
            )
    return found


def features_markdown() -> str:
    """The feature table as docs/scoring.md carries it (a test keeps the two equal)."""
    rows = [
        "| Feature | What it measures | Weight | Normalised |",
        "|---|---|---|---|",
        *(f"| {f.name} | {f.words} | {f.weight:g} | {f.normalised} |" for f in FEATURES),
    ]
    return "\n".join(rows)
