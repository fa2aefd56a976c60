"""What the scoring engine knows about a cluster: plain values, no Django.

The same profile is built from a library case (by `checklist.adapters`) and from an
officer's assessment answers. `None` always means *not known*; an empty tuple means *known to
be none*. Every datum carries a `Source` so a score can be followed back to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

STRENGTHS = ("unknown", "weak", "moderate", "strong")
TRADE_REGIMES = ("protected", "liberalising", "open")
SME_INCENTIVES = ("none", "fair", "distorting")
INTERVENTION_STYLES = ("facilitator", "director", "absent")


@dataclass(frozen=True)
class Source:
    """Where a datum comes from: a library row (with paper lines) or a form answer."""

    label: str
    lines: tuple[int, int] | None = None

    def __str__(self) -> str:
        return self.words

    @cached_property
    def words(self) -> str:
        """How evidence names it; kept, as every indicator that counts its row names it."""
        if self.lines is None:
            return self.label
        first, last = self.lines
        where = f"L{first}" if first == last else f"L{first}–{last}"
        return f"{self.label} [{where}]"


@dataclass(frozen=True)
class Group:
    """A group of actors, with the vocabulary of `cases.ActorGroup.Role`."""

    role: str
    name: str
    source: Source
    count: int | None = None


@dataclass(frozen=True)
class Tie:
    """A linkage, with the vocabulary of `cases.Linkage` (direction, nature, strength, trend)."""

    direction: str
    nature: str
    source: Source
    strength: str = "unknown"
    trend: str = "unknown"
    from_role: str | None = None  # actor-group role at either end; None for an institution
    to_role: str | None = None


@dataclass(frozen=True)
class Body:
    """A support institution, with the vocabulary of `cases.Institution`."""

    kind: str
    name: str
    source: Source
    ownership: str = "unknown"
    level: str = "unknown"
    status: str = "active"
    reach: str = "unknown"
    sector_specific: bool | None = None  # None: not said (library rows never say)


@dataclass(frozen=True)
class MarketBasis:
    """What competition turns on in one market: some of price, quality, fashion, delivery."""

    kind: str  # "domestic" or "export"
    bases: frozenset[str]
    source: Source


@dataclass(frozen=True)
class Fact:
    """A single known value with its source (a share, a yes/no, a policy setting)."""

    value: object
    source: Source
    shown: str | None = None  # the value in words, when its code would not read well


@dataclass(frozen=True)
class ClusterProfile:
    subject: str
    kind: str | None = None  # "cluster" or "network" (resemblance compares them)
    groups: tuple[Group, ...] | None = None
    ties: tuple[Tie, ...] | None = None
    institutions: tuple[Body, ...] | None = None
    producer_count: Fact | None = None  # int: producing firms in the cluster
    state_created: Fact | None = None  # bool: started by administrative decision
    export_share: Fact | None = None  # float 0-100: share of output exported
    competition: tuple[MarketBasis, ...] | None = None  # one per market
    foreign_buyers: Fact | None = None  # bool: buyers from demanding foreign markets
    trade_regime: Fact | None = None  # one of TRADE_REGIMES
    sme_incentives: Fact | None = None  # one of SME_INCENTIVES
    contract_rules: Fact | None = None  # bool: rules for fair large-firm/SME contracts
    intervention_style: Fact | None = None  # one of INTERVENTION_STYLES
    # Direct yes/no answers by indicator code (criteria.DIRECT_YES_VALUE). None for a library
    # case, whose lists are all the paper records; a dict for an assessment, where a code
    # missing from it is "don't know".
    direct: Mapping[str, Fact] | None = None
    # Kinds of body or tie (criteria.INVENTORIES) by their field: a Fact whose value is
    # "listed" or "none"; a kind missing is "don't know". None: the lists are vouched complete
    # (every kind not listed is absent), for profiles built without such answers.
    declared: Mapping[str, Fact] | None = None
