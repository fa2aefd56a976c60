"""The scoring engine: a cluster profile in, a scorecard out. Deterministic; no I/O; no Django.

Each indicator is measured on a 0-1 scale from the profile, or is *unknown* when the profile
does not say. A point's score is the weighted mean of its known indicators (0-100); its
completeness is the known share of its indicator weight. Unknown is never counted as zero:
a point whose evidence is under half known gets the level "not yet known" and is left out of
the overall score.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache, partial

from . import criteria
from .profile import Body, ClusterProfile, Fact, Group, Tie

STRENGTH_VALUE = criteria.STRENGTH_VALUE
REACH_VALUE = {"wide": 1.0, "partial": 0.6, "limited": 0.2}  # 5f: the reach itself, averaged
LARGE_ROLES = frozenset({"lead_firm", "tnc"})
# 1b's supplier-side kinds -> how evidence names them; stage work is either of
# criteria.STAGE_WORK_ROLES (stage units and subcontractors, or homeworkers).
SUPPLIER_KINDS = {
    "stage_work": "stage work",
    "supplier": "suppliers",
    "machinery": "machinery makers",
    "service": "service providers",
}
SUPPLIER_ROLES = frozenset({*criteria.STAGE_WORK_ROLES, "supplier", "machinery", "service"})
EXPORT_MARKET_ROLES = frozenset(criteria.EXPORT_MARKET_ROLES)  # 4b
MARKET_AGENT_ROLES = frozenset(criteria.MARKET_AGENT_ROLES)  # 4c
SUPPLIER_KIND_OF = {
    r: "stage_work" if r in criteria.STAGE_WORK_ROLES else r for r in SUPPLIER_ROLES
}
# 1b out of these where stage work is not known (neither listed nor answered "none")
SUPPLIER_KINDS_BUT_STAGE_WORK = {k: v for k, v in SUPPLIER_KINDS.items() if k != "stage_work"}
SMALL_PARTNER_ROLES = {"stage_unit", "supplier", "oem", "homeworker", "overseas_branch"}
LARGE_FIRMS_PARTNERS = SMALL_PARTNER_ROLES | {"producer"}  # whom large firms put work out to
# Natures and kinds the measures select ties and bodies by: frozen, as `_Rows` sorts rows into
# them once per score (TIE_SELECTIONS, BODY_SELECTIONS).
CONTRACTING = frozenset(
    {
        "subcontracting",
        "job_working",
        "in_contracting",
        "out_contracting",
        "capacity_contracting",
        "oem",
    }
)
UPGRADING = frozenset({"technical_assistance", "training", "credit", "equipment_sharing"})
KNOW_HOW = frozenset({"technical_assistance", "information_exchange", "training"})
JOINT = frozenset({"consortium", "joint_purchasing", "joint_marketing"})
CONSORTIUM = frozenset({"consortium"})
# A tie from a larger firm to a smaller one (6b, 6c): large firms to producers or suppliers,
# and producers to their stage units, suppliers and homeworkers; as pairs of the ends' roles,
# so a tie is tested by one lookup.
TO_SMALLER_PARTNER = frozenset(
    {(large, partner) for large in LARGE_ROLES for partner in LARGE_FIRMS_PARTNERS}
    | {("producer", partner) for partner in SMALL_PARTNER_ROLES}
)

ASSOCIATIONS = frozenset({"trade_association", "business_association"})
COLLECTIVE_VEHICLES = ASSOCIATIONS | {"joint_action", "credit_union", "chaebol_association"}
# Collective vehicles that serve their members as service bodies do, counted by reach (1c, 8c).
MEMBER_SERVICE_BODIES = ASSOCIATIONS | {"credit_union"}
SECTOR_BODIES = frozenset(
    {"technology_centre", "training", "standards", "export_promotion", "research"}
)
GROUP_SUPPORT = frozenset({"joint_action", "credit_union", "chaebol_association"})
TESTING = frozenset({"technology_centre", "standards"})
TRADE_FAIRS = frozenset({"trade_fair"})
EXPORT_PROMOTION = frozenset({"export_promotion"})
TRAINING = frozenset({"training"})
SELF_HELP = frozenset({"credit_union"})
SUPPLIER_BODIES = frozenset({"chaebol_association", "information_network"})
OWN_INITIATIVE_BODIES = ASSOCIATIONS | {"joint_action"}


# The data a value rests on, each in words with its source; or a function that writes them.
# Scoring needs only the values, and most readers of a scorecard (rankings, resemblance, charts)
# never read the words, so a measure defers writing them until someone does.
Basis = tuple[str, ...] | Callable[[], tuple[str, ...]]


class Measurement:
    __slots__ = ("value", "_basis", "empty", "applies")

    def __init__(
        self, value: float | None, basis: Basis, empty: bool = False, applies: bool = True
    ) -> None:
        self.value = value  # 0..1, or None when unknown
        self._basis = basis
        # No listed row shows the indicator: its 0 stands only where the lists are complete
        # for the kinds it counts (see `measure`).
        self.empty = empty
        # False: the indicator does not apply to this cluster (its rule says when); it is left
        # out of its point, neither unknown nor a value.
        self.applies = applies

    @property
    def basis(self) -> tuple[str, ...]:
        basis = self._basis  # read once: another thread may write it meanwhile
        if callable(basis):
            basis = self._basis = basis()
        return basis

    @property
    def known(self) -> bool:
        return self.value is not None

    def __repr__(self) -> str:
        return f"Measurement({self.value!r}, {self.basis!r}, empty={self.empty!r})"


def _filled(cls, **values):
    """A frozen dataclass made with its fields filled directly, as its __init__ would (one
    object.__setattr__ per field, which costs more than the rest of scoring an indicator): for
    the records a score makes by the dozen. No defaults or checks apply: give every field."""
    made = object.__new__(cls)
    vars(made).update(values)
    return made


class _Deferred:
    """A field of a frozen dataclass written when first read. Until then the instance holds,
    under `write`, a function returning this field's value and those written with it (a dict);
    once written, the instance's own fields shadow this (a non-data descriptor), so they read,
    compare, hash, copy and pickle (with `_written_state`) as plain fields."""

    def __init__(self, name: str, write: str) -> None:
        self.name, self.write = name, write

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        state = vars(instance)
        write = state.get(self.write)
        if write is None:  # written already, maybe by another thread meanwhile
            return state[self.name]
        written = write()
        state.update(written)
        state.pop(self.write, None)
        return written[self.name]


def _defer(cls, write: str, *names: str) -> None:
    # set after @dataclass, so they are no field defaults
    for name in names:
        setattr(cls, name, _Deferred(name, write))


def _written_state(self) -> dict:
    # pickled (the derived-data cache) and copied with every deferred field written
    return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Evidence:
    indicator: str  # code, e.g. "4a"
    name: str
    value: float | None  # 0..1; None = unknown
    weight: float
    effect: str  # "raises", "lowers", "unknown", "not applicable"
    basis: tuple[str, ...]  # written when first read (see `Basis`); then as any field

    @classmethod
    def measured(cls, indicator, name, value, weight, effect, basis: Basis) -> Evidence:
        """An Evidence whose basis may be deferred (made 31 times a score, see `_filled`)."""
        evidence = object.__new__(cls)
        state = vars(evidence)
        state.update(indicator=indicator, name=name, value=value, weight=weight, effect=effect)
        if isinstance(basis, tuple):
            state["basis"] = basis
        else:
            state["_write_basis"] = lambda: {"basis": basis()}
        return evidence

    __getstate__ = _written_state


_defer(Evidence, "_write_basis", "basis")


@dataclass(frozen=True)
class Recommendation:
    indicator: str | None  # the weak or unknown indicator it answers; None for the point
    text: str
    lines: tuple[int, int]
    examples: tuple[criteria.CaseExample, ...] = ()


@dataclass(frozen=True)
class PointScore:
    number: int
    title: str
    score: float | None  # 0..100; None when nothing is known
    level: str
    completeness: float  # 0..1
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...]  # names of the unknown indicators
    recommendations: tuple[Recommendation, ...]
    # Scoring writes the score, level and completeness; the evidence, missing and
    # recommendations are written from its measurements when first read (`_point_details`), as
    # rankings, resemblance and charts never read them.

    @property
    def rated_score(self) -> float | None:
        """The score when the point's level is known; charts draw only these."""
        return None if self.level == criteria.UNKNOWN_LEVEL else self.score

    __getstate__ = _written_state


_defer(PointScore, "_write_details", "evidence", "missing", "recommendations")


@dataclass(frozen=True)
class Scorecard:
    subject: str
    engine_version: str
    overall: float | None
    completeness: float
    points: tuple[PointScore, ...]

    def point(self, number: int) -> PointScore:
        return self.points[number - 1]

    @property
    def rated(self) -> int:
        """How many points have enough evidence for a level (the overall averages these)."""
        return sum(1 for p in self.points if p.level != criteria.UNKNOWN_LEVEL)


# What does not depend on the profile, read once from the criteria records: each indicator's
# recommendation, and each point's, as a weak or unknown one gets them.
RECOMMENDATIONS: Mapping[str, Recommendation] = {
    i.code: Recommendation(i.code, i.action, i.lines, i.examples) for i in criteria.INDICATORS
}
POINT_RECOMMENDATIONS: Mapping[int, Recommendation] = {
    p.number: Recommendation(None, p.text, p.lines) for p in criteria.POINTS
}

# Measures --------------------------------------------------------------------------------------

UNKNOWN = Measurement(None, ())


@cache  # one per label: a Measurement is never changed once made, so scores may share it
def _none(empty: str) -> Measurement:
    return Measurement(0.0, (empty,), empty=True)


class _Scale(dict):
    """A vocabulary's values as criteria gives them, and the value of any code they do not
    judge ("unknown", or odd stored data): read by indexing, so a row costs no call (the
    common "unknown" is a key, not a miss)."""

    __slots__ = ("otherwise",)

    def __init__(self, values: Mapping[str, float], otherwise: float) -> None:
        super().__init__({"unknown": otherwise, **values})
        self.otherwise = otherwise

    def __missing__(self, code: str) -> float:
        return self.otherwise


REACH = _Scale(criteria.REACH_FACTOR, criteria.UNJUDGED_REACH)
STRENGTH = _Scale(STRENGTH_VALUE, criteria.UNJUDGED_STRENGTH)


def _reach(body: Body) -> float:
    """What a body is worth to small firms: its reach (criteria.REACH_FACTOR)."""
    return REACH[body.reach]


def _present(body: Body) -> float:
    """A collective body of the producers (or suppliers) themselves: it counts by being there;
    reach to small firms is a question for service bodies."""
    return 1.0


def _collective(body: Body) -> float:
    """A vehicle for collective action (1c, 8c). A trade or business association counts as the
    service body it is, by how many small firms it reaches (as 5c reads it): an association
    that reaches few small firms is no vehicle for theirs (Agra's walk: two such associations
    made collective action "strong"); so does a credit union, a service body as 5e reads it.
    Producer groups and consortia are the producers' own joint action and count by being
    there."""
    return REACH[body.reach] if body.kind in MEMBER_SERVICE_BODIES else 1.0


def _body_words(body: Body, worth: float) -> str:
    reach = "reach not judged" if body.reach not in REACH_VALUE else f"reach {body.reach}"
    return f"{body.source} ({reach}, counts {worth:g})"


def _counted(
    bodies: Sequence[Body],
    ties: Sequence[Tie],
    enough: float,
    empty: str,
    worth: Callable[[Body], float] = _reach,
    best: bool = False,
    ties_present: bool = False,
) -> Measurement:
    """Bodies by their `worth` (reach to small firms, unless said otherwise), ties by their
    strength (or, `ties_present`, 1 each): their worths added up (`enough` of full worth = 1),
    or with `best` the best one alone. Nothing listed: empty."""
    if not bodies and not ties:
        return _none(empty)
    # the two common worths read inline: a call per body costs more than the rest of a row
    if worth is _reach:
        values = [REACH[b.reach] for b in bodies]
    elif worth is _present:
        values = [1.0] * len(bodies)
    else:
        values = [worth(b) for b in bodies]
    if ties:
        values += [1.0] * len(ties) if ties_present else [STRENGTH[t.strength] for t in ties]
    total = max(values) if best else sum(values) / enough

    def basis():
        return tuple(_body_words(b, worth(b)) for b in bodies) + _tie_basis(ties)

    return Measurement(min(1.0, total), basis)


# The selections `_Rows` sorts a profile's rows into, and for each role, nature or kind the
# selections it belongs to (by their place in the tuple). A measure may ask for another
# selection: `_groups`, `_ties` and `_bodies` then walk the rows.
GROUP_SELECTIONS = (SUPPLIER_ROLES, EXPORT_MARKET_ROLES, LARGE_ROLES)
TIE_SELECTIONS = (JOINT, KNOW_HOW, UPGRADING, CONTRACTING, CONSORTIUM)
TIE_DIRECTIONS = ("backward", "forward")
BODY_SELECTIONS = (
    COLLECTIVE_VEHICLES,
    SECTOR_BODIES,
    GROUP_SUPPORT,
    TESTING,
    TRADE_FAIRS,
    EXPORT_PROMOTION,
    TRAINING,
    ASSOCIATIONS,
    SELF_HELP,
    SUPPLIER_BODIES,
    OWN_INITIATIVE_BODIES,
)


def _routes(selections: tuple[frozenset[str], ...]) -> dict[str, tuple[int, ...]]:
    codes = {code for selection in selections for code in selection}
    return {c: tuple(i for i, s in enumerate(selections) if c in s) for c in sorted(codes)}


GROUP_ROUTES = _routes(GROUP_SELECTIONS)
TIE_ROUTES = _routes(TIE_SELECTIONS)
BODY_ROUTES = _routes(BODY_SELECTIONS)


class _Rows:
    """A profile as the measures read it: its fields, and its groups, ties and bodies sorted
    once into the selections the measures ask for (GROUP_SELECTIONS, ties by TIE_DIRECTIONS and
    TIE_SELECTIONS, BODY_SELECTIONS). Without it, some twenty measures each walk every row they
    select from (a library case has 40-65 ties), about a fifth of a score's time. Each selection
    keeps the profile's order: evidence lists rows in it, and values are added up in it, so
    sums come out to the last bit as before. `score` and `measure` make one per profile."""

    def __init__(self, profile: ClusterProfile) -> None:
        vars(self).update(vars(profile))  # the profile's fields, read as before
        self.ties_going: dict[str, list[Tie]] = {}
        self.ties_of: dict[frozenset[str], list[Tie]] = {}
        self.bodies_of: dict[frozenset[str], list[Body]] = {}
        self.groups_of: dict[frozenset[str], list[Group]] = {}
        if profile.groups is not None:
            self.groups_of = _sorted_into(profile.groups, "role", GROUP_SELECTIONS, GROUP_ROUTES)
        if profile.ties is not None:
            going = self.ties_going = {direction: [] for direction in TIE_DIRECTIONS}
            selected: list[list[Tie]] = [[] for _ in TIE_SELECTIONS]
            # the lookups bound once: this loop runs for every tie of every score
            route_of, way_of = TIE_ROUTES.get, going.get
            for t in profile.ties:
                route = route_of(t.nature)
                if route:  # most ties are in no selection or one
                    for i in route:
                        selected[i].append(t)
                way = way_of(t.direction)
                if way is not None:
                    way.append(t)
            self.ties_of = dict(zip(TIE_SELECTIONS, selected, strict=True))
        if profile.institutions is not None:
            self.bodies_of = _sorted_into(
                profile.institutions, "kind", BODY_SELECTIONS, BODY_ROUTES
            )


def _sorted_into(rows, attribute: str, selections: tuple, routes: dict) -> dict:
    """Rows (groups or bodies) into the selections their `attribute` routes them to, each in
    the profile's order."""
    picked: list[list] = [[] for _ in selections]
    route_of = routes.get
    for row in rows:
        for i in route_of(getattr(row, attribute), ()):
            picked[i].append(row)
    return dict(zip(selections, picked, strict=True))


def _bodies(p: _Rows, kinds: frozenset[str], *, active_only=True) -> list[Body] | None:
    """The bodies of these kinds (active ones only, unless said otherwise), in the profile's
    order. The list may be `_Rows`'s own: read it, do not change it."""
    if p.institutions is None:
        return None
    bodies = p.bodies_of.get(kinds)
    if bodies is None:  # a selection `_Rows` does not make: walk them all
        bodies = [b for b in p.institutions if b.kind in kinds]
    if active_only:
        return [b for b in bodies if b.status == "active"]
    return bodies


def _presence(p: _Rows, kinds: frozenset[str], label: str, enough: int = 1):
    bodies = _bodies(p, kinds)
    if bodies is None:
        return UNKNOWN
    return _counted(bodies, (), enough, f"no {label} recorded")


def _active_or_proposed(p: _Rows, kinds: frozenset[str], label: str) -> Measurement:
    """A working body by its reach (the best one counts); only proposed ones: PROPOSED_VALUE."""
    bodies = _bodies(p, kinds, active_only=False)
    if bodies is None:
        return UNKNOWN
    active = [b for b in bodies if b.status == "active"]
    if active:
        return _counted(active, (), 1, "", best=True)
    if bodies:
        return Measurement(
            criteria.PROPOSED_VALUE, lambda: tuple(f"only proposed: {b.source}" for b in bodies)
        )
    return _none(f"no {label} recorded")


def _groups(p: _Rows, roles: frozenset[str]) -> list[Group] | None:
    """The groups of these roles, in the profile's order; as `_bodies`, the list may be
    `_Rows`'s own."""
    if p.groups is None:
        return None
    groups = p.groups_of.get(roles)
    if groups is None:  # a selection `_Rows` does not make: walk them all
        groups = [g for g in p.groups if g.role in roles]
    return groups


def _ties(
    p: _Rows, natures: frozenset[str] | None = None, direction: str | None = None
) -> list[Tie] | None:
    """The ties of these natures or this direction, in the profile's order. The list may be
    `_Rows`'s own: read it, do not change it (a measure that tests the ties further makes its
    own list)."""
    if p.ties is None:
        return None
    if natures is None:
        ties = p.ties_going.get(direction)
    else:
        ties = p.ties_of.get(natures) if direction is None else None
    if ties is None:  # a selection `_Rows` does not make: walk them all
        ties = [
            t
            for t in p.ties
            if (natures is None or t.nature in natures)
            and (direction is None or t.direction == direction)
        ]
    return ties


def _tie_quality(ties: list[Tie] | None, empty: str) -> Measurement:
    """Mean strength of the ties; a tie whose strength is not judged counts as moderate."""
    if ties is None:
        return UNKNOWN
    if not ties:
        return _none(empty)
    return Measurement(
        sum([STRENGTH[t.strength] for t in ties]) / len(ties), lambda: _tie_basis(ties)
    )


def _tie_basis(ties: Iterable[Tie]) -> tuple[str, ...]:
    def strength(t: Tie) -> str:
        return "strength not judged" if t.strength == "unknown" else t.strength

    return tuple(f"{t.nature.replace('_', ' ')} tie, {strength(t)}: {t.source}" for t in ties)


def _fact(fact: Fact | None, scale: Callable[[object], float | None]) -> Measurement:
    if fact is None:
        return UNKNOWN
    value = scale(fact.value)
    if value is None:
        return UNKNOWN
    return Measurement(value, lambda: (f"{fact.shown or _describe(fact.value)}: {fact.source}",))


def _describe(value: object) -> str:
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(value)) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# The scales of the single facts, made once rather than at every measure.
def _producer_scale(n) -> float:
    # Log scale: 500 or more producers is a full-scale cluster; 50 scores about 0.6.
    return min(1.0, math.log10(max(n, 1)) / math.log10(500))


def _state_created_scale(created) -> float:
    return 0.4 if created else 1.0


def _export_share_scale(share) -> float:
    # Half of output exported or more counts fully: the cases' exporters sit at 70-75%.
    return min(1.0, float(share) / 50.0)


def _foreign_buyers_scale(present) -> float:
    return 1.0 if present else 0.0


def _contract_rules_scale(present) -> float:
    return 1.0 if present else 0.5


TRADE_REGIME_SCALE = {"open": 1.0, "liberalising": 0.7, "protected": 0.2}.get
INCENTIVES_SCALE = {"fair": 1.0, "none": 0.5, "distorting": 0.3}.get
FACILITATOR_SCALE = {"facilitator": 1.0, "absent": 0.6, "director": 0.3}.get


def m_producers(p: _Rows) -> Measurement:
    return _fact(p.producer_count, _producer_scale)


def _stage_work_unknown(p: _Rows) -> bool:
    """No stage-work group listed, and the officer did not say "none" (criteria.INVENTORIES):
    then stage work is not known absent. A profile vouched complete (`declared` None) is."""
    if p.declared is None:
        return False
    said = p.declared.get("stage_units")
    return said is None or said.value != "none"


def m_backward_depth(p: _Rows) -> Measurement:
    groups = _groups(p, SUPPLIER_ROLES)
    ties = _ties(p, direction="backward")
    if groups is None and ties is None:
        return UNKNOWN
    parts = []
    kinds: set[str] = set()
    out_of = SUPPLIER_KINDS
    if groups is not None:
        kinds = {SUPPLIER_KIND_OF[g.role] for g in groups}
        if "stage_work" not in kinds and _stage_work_unknown(p):
            out_of = SUPPLIER_KINDS_BUT_STAGE_WORK
        parts.append(len(kinds) / len(out_of))
    quality = _tie_quality(ties, "no backward ties recorded")
    if quality.known:
        parts.append(quality.value)

    def basis():
        lines = []
        if groups is not None:
            present = ", ".join(SUPPLIER_KINDS[k] for k in SUPPLIER_KINDS if k in kinds)
            lines.append(f"supplier-side kinds present: {present or 'none'}, of {len(out_of)}")
            if len(out_of) < len(SUPPLIER_KINDS):
                lines.append("stage work not known (not listed, not answered none): left out")
            lines.extend(str(g.source) for g in groups)
        if quality.known:
            lines.extend(quality.basis)
        return tuple(lines)

    return Measurement(sum(parts) / len(parts), basis)


def m_collective_vehicles(p: _Rows) -> Measurement:
    bodies = _bodies(p, COLLECTIVE_VEHICLES)
    if bodies is None:
        return UNKNOWN
    empty = "no association, producer group or credit union recorded"
    return _counted(bodies, (), 2, empty, _collective)


def m_not_by_fiat(p: _Rows) -> Measurement:
    return _fact(p.state_created, _state_created_scale)


def m_sector_bodies(p: _Rows) -> Measurement:
    """Bodies said not to serve the sector are left out; those not said either way count, and
    the evidence says so."""
    bodies = _bodies(p, SECTOR_BODIES)
    if bodies is None:
        return UNKNOWN
    sectoral = [b for b in bodies if b.sector_specific is not False]
    found = _counted(sectoral, (), 2, "no sector-specific support body recorded")

    def basis():
        unsaid = [
            f"not said whether it serves this sector only: {b.source}"
            for b in sectoral
            if b.sector_specific is None and p.direct is not None
        ]
        general = [f"serves other sectors too, not counted: {b.source}"
                   for b in bodies if b.sector_specific is False]  # fmt: skip
        return found.basis + tuple(unsaid) + tuple(general)

    # Bodies listed that serve other sectors too are known not to be sectoral: a known 0.
    return Measurement(found.value, basis, empty=not bodies)


def m_group_support(p: _Rows) -> Measurement:
    bodies = _bodies(p, GROUP_SUPPORT)
    ties = _ties(p, JOINT)
    if bodies is None and ties is None:
        return UNKNOWN
    return _counted(bodies or (), ties or (), 2, "no group-level support recorded", _present)


def m_upgrading_tools(p: _Rows) -> Measurement:
    return _active_or_proposed(p, TESTING, "technology or testing body")


def m_export_share(p: _Rows) -> Measurement:
    return _fact(p.export_share, _export_share_scale)


NON_PRICE = frozenset({"quality", "fashion", "delivery"})
DOMESTIC_AND_EXPORT = frozenset({"domestic", "export"})


def market_beyond_price(bases: frozenset[str]) -> float:
    """One market's 3b value: its non-price bases ÷ 3, times PRICE_FACTOR if price is one too."""
    value = len(bases & NON_PRICE) / len(NON_PRICE)
    return value * criteria.PRICE_FACTOR if "price" in bases else value


def m_beyond_price(p: _Rows) -> Measurement:
    """Quality, fashion and delivery among the bases of competition, price lowering them, per
    market. Markets are weighted by the share of output they take where the export share is
    known (Mexico's export market, 7% of output, counts for 7%); otherwise equally.
    """
    if not p.competition:
        return UNKNOWN
    exported = None if p.export_share is None else float(p.export_share.value) / 100
    markets = {}  # how many markets of each kind: a kind's share is split among them
    for m in p.competition:
        markets[m.kind] = markets.get(m.kind, 0) + 1
    by_share = exported is not None and markets.keys() == DOMESTIC_AND_EXPORT
    total = weighted = 0.0
    for market in p.competition:
        weight = 1.0
        if by_share:
            share = exported if market.kind == "export" else 1 - exported
            weight = share / markets[market.kind]
        total += weight
        weighted += weight * market_beyond_price(market.bases)

    def basis():
        lines = tuple(f"{', '.join(sorted(m.bases))}: {m.source}" for m in p.competition)
        if by_share:
            lines += (f"markets weighted by the share exported: {p.export_share.source}",)
        return lines

    return Measurement(weighted / total if total else 0.0, basis)


def m_foreign_buyers(p: _Rows) -> Measurement:
    return _fact(p.foreign_buyers, _foreign_buyers_scale)


def m_forward_ties(p: _Rows) -> Measurement:
    return _tie_quality(_ties(p, direction="forward"), "no forward ties recorded")


def m_trade_fairs(p: _Rows) -> Measurement:
    return _presence(p, TRADE_FAIRS, "trade fair organisation")


def m_external_buyers(p: _Rows) -> Measurement:
    groups = _groups(p, EXPORT_MARKET_ROLES)
    if groups is None:
        return UNKNOWN
    if not groups:
        said = p.foreign_buyers
        if said is not None and said.value:
            # Firms sell to foreign buyers, so there is at least one at the interface, though
            # no group lists them: one group's worth, not 0 beside 3c's full credit (Agra's
            # walk: 3c 1.0 and 4b 0.0 from the same answer).
            return Measurement(
                0.5, lambda: (f"foreign buyers, though no group lists them: {said.source}",)
            )
        # domestic wholesalers and traders do not count (criteria.EXPORT_MARKET_ROLES)
        return Measurement(0.0, ("no export agents or export-market buyers recorded",))
    return Measurement(min(1.0, len(groups) / 2), lambda: tuple(str(g.source) for g in groups))


def m_buyer_know_how(p: _Rows) -> Measurement:
    ties = _ties(p, KNOW_HOW)
    if ties is not None:
        ties = [t for t in ties if t.from_role in MARKET_AGENT_ROLES]
    return _tie_quality(ties, "no technical help or information from buyers recorded")


def m_export_promotion(p: _Rows) -> Measurement:
    return _presence(p, EXPORT_PROMOTION, "export promotion body")


def m_technology_centre(p: _Rows) -> Measurement:
    return _active_or_proposed(p, TESTING, "technology centre")


def m_training(p: _Rows) -> Measurement:
    return _active_or_proposed(p, TRAINING, "training institution")


LOCAL_LEVELS = {"local", "regional"}  # as 5d reads "local levels of government"


def _association_worth(body: Body) -> float:
    general = body.sector_specific is False and body.level not in LOCAL_LEVELS
    return _reach(body) * (criteria.GENERAL_ASSOCIATION_FACTOR if general else 1.0)


def m_associations(p: _Rows) -> Measurement:
    """An association by its reach; one serving other sectors too counts half unless it is
    local (point 5 asks for local and sectoral institutions: a local one serving many sectors,
    like Novo Hamburgo's business association ACI, lines 276-277, is local)."""
    bodies = _bodies(p, ASSOCIATIONS)
    if bodies is None:
        return UNKNOWN
    return _counted(bodies, (), 1, "no trade association recorded", _association_worth, True)


def m_local_government(p: _Rows) -> Measurement:
    """Local or regional government involved: a government body at that level, or a body there
    run by or with it (public or public-private) other than a university or school."""
    if p.institutions is None:
        return UNKNOWN
    bodies = [
        b
        for b in p.institutions
        if b.level in {"local", "regional"}
        and (
            b.kind == "government"
            or b.ownership == "mixed"
            or (b.ownership == "public" and b.kind not in {"research", "training"})
        )
    ]
    return _counted(bodies, (), 1, "no local or regional public body recorded", best=True)


def m_self_help(p: _Rows) -> Measurement:
    return _presence(p, SELF_HELP, "self-help financial institution")


def m_reach(p: _Rows) -> Measurement:
    if p.institutions is None:
        return UNKNOWN
    judged = [b for b in p.institutions if b.reach in REACH_VALUE]
    if not judged:
        return UNKNOWN
    values = [REACH_VALUE[b.reach] for b in judged]

    def basis():
        return tuple(f"reach to small firms {b.reach}: {b.source}" for b in judged)

    return Measurement(sum(values) / len(values), basis)


def m_large_firms(p: _Rows) -> Measurement:
    groups = _groups(p, LARGE_ROLES)
    if groups is None:
        return UNKNOWN
    if not groups:
        return Measurement(0.0, ("no large or lead firms recorded",))
    return Measurement(1.0, lambda: tuple(str(g.source) for g in groups))


def _to_smaller_partners(ties: list[Tie] | None) -> list[Tie] | None:
    """The ties from a larger firm to a smaller one (TO_SMALLER_PARTNER)."""
    if ties is None:
        return None
    return [t for t in ties if (t.from_role, t.to_role) in TO_SMALLER_PARTNER]


def m_supplier_upgrading(p: _Rows) -> Measurement:
    ties = _to_smaller_partners(_ties(p, UPGRADING))
    return _tie_quality(ties, "no supplier upgrading by larger firms recorded")


def m_putting_out(p: _Rows) -> Measurement:
    """Work put out to smaller firms: the ties' strengths added up, three strong ties = 1."""
    ties = _to_smaller_partners(_ties(p, CONTRACTING))
    if ties is None:
        return UNKNOWN
    if not ties:
        return Measurement(0.0, ("no work put out to smaller firms recorded",))
    total = sum([STRENGTH[t.strength] for t in ties])  # a list: summed without a generator
    return Measurement(min(1.0, total / 3), lambda: _tie_basis(ties))


def m_supplier_associations(p: _Rows) -> Measurement:
    """Present or not: a supplier association is its members' own, so reach does not apply."""
    bodies = _bodies(p, SUPPLIER_BODIES)
    ties = _ties(p, CONSORTIUM)
    if bodies is None and ties is None:
        return UNKNOWN
    empty = "no supplier association or consortium recorded"
    return _counted(bodies or (), ties or (), 1, empty, _present, best=True, ties_present=True)


def m_trade_regime(p: _Rows) -> Measurement:
    return _fact(p.trade_regime, TRADE_REGIME_SCALE)


def m_incentives(p: _Rows) -> Measurement:
    return _fact(p.sme_incentives, INCENTIVES_SCALE)


def m_contract_rules(p: _Rows) -> Measurement:
    """Rules for fair contracts between large firms and SMEs: 1; none: neutral (0.5), as 7b's
    "no size-based incentives" is. Not applicable where the groups show no large firm: there
    are no large-firm contracts to be fair about (criteria, 7c). A ties list without a
    contract with a large firm does not make it so: the officer is never asked to say "none"
    of those, and unknown is not read as absent."""
    if p.groups is not None and not _groups(p, LARGE_ROLES):
        return Measurement(
            None, ("not applicable: no large or lead firm among the groups",), applies=False
        )
    return _fact(p.contract_rules, _contract_rules_scale)


def m_private_initiative(p: _Rows) -> Measurement:
    if p.institutions is None:
        return UNKNOWN
    known = [b for b in p.institutions if b.ownership in {"private", "mixed", "public"}]
    if not known:
        return UNKNOWN
    private = [b for b in known if b.ownership in {"private", "mixed"}]
    return Measurement(
        len(private) / len(known), lambda: tuple(f"{b.ownership}: {b.source}" for b in known)
    )


def m_facilitator(p: _Rows) -> Measurement:
    return _fact(p.intervention_style, FACILITATOR_SCALE)


def m_own_initiatives(p: _Rows) -> Measurement:
    """Producer-led collective bodies: producer groups, private associations, and joint ties
    among producers (a consortium a large firm organises for its suppliers is point 6's). Ties
    count by their strength, so weak co-operation among producers counts little."""
    bodies = _bodies(p, OWN_INITIATIVE_BODIES, active_only=False)
    if bodies is not None:
        bodies = [b for b in bodies if b.kind == "joint_action" or b.ownership == "private"]
    ties = _ties(p, JOINT)
    if ties is not None:
        ties = [t for t in ties if t.from_role not in LARGE_ROLES]
    if bodies is None and ties is None:
        return UNKNOWN
    empty = "no producer-led joint initiative recorded"
    return _counted(bodies or (), ties or (), 2, empty, _collective)


LIST_MEASURES: Mapping[str, Callable[[ClusterProfile], Measurement]] = {
    "1a": m_producers,
    "1b": m_backward_depth,
    "1c": m_collective_vehicles,
    "1d": m_not_by_fiat,
    "2a": m_sector_bodies,
    "2b": m_group_support,
    "2c": m_upgrading_tools,
    "3a": m_export_share,
    "3b": m_beyond_price,
    "3c": m_foreign_buyers,
    "3d": m_forward_ties,
    "4a": m_trade_fairs,
    "4b": m_external_buyers,
    "4c": m_buyer_know_how,
    "4d": m_export_promotion,
    "5a": m_technology_centre,
    "5b": m_training,
    "5c": m_associations,
    "5d": m_local_government,
    "5e": m_self_help,
    "5f": m_reach,
    "6a": m_large_firms,
    "6b": m_supplier_upgrading,
    "6c": m_putting_out,
    "6d": m_supplier_associations,
    "7a": m_trade_regime,
    "7b": m_incentives,
    "7c": m_contract_rules,
    "8a": m_private_initiative,
    "8b": m_facilitator,
    "8c": m_own_initiatives,
}


def measure(code: str, p: ClusterProfile) -> Measurement:
    """An indicator's value: what the lists show; when no listed row shows it, the direct
    answer if the indicator has one, else 0 only if every kind it counts was answered "none"
    (`criteria.INVENTORIES`), else unknown. A profile without `declared` (lists vouched
    complete) keeps the lists' 0."""
    rows = _Rows(p)
    return _completed(criteria.indicator(code), LIST_MEASURES[code](rows), rows)


def _completed(record: criteria.Indicator, found: Measurement, p: _Rows) -> Measurement:
    """`measure` after the lists: what direct answers and the inventories make of them."""
    code = record.code
    if not found.applies:
        return found
    answer = None
    if record.direct is not None and p.direct is not None:
        answer = p.direct.get(code)
    known = found.value is not None
    if not known or not found.empty:
        if known and answer is not None and answer.value is False:
            note = f"answered no, but the lists record these: {answer.source}"
            return Measurement(found.value, lambda: found.basis + (note,))
        return found
    if answer is not None:
        if answer.value:
            value = record.direct.yes_value
            return Measurement(
                value, lambda: (f"yes, no row in the lists gives details: {answer.source}",)
            )
        return Measurement(0.0, lambda: (f"no: {answer.source}",))
    if record.inventories and p.declared is not None:
        said = [p.declared.get(kind) for kind in record.inventories]
        if all(fact is not None and fact.value == "none" for fact in said):
            return Measurement(0.0, lambda: found.basis + tuple(f"none: {f.source}" for f in said))
        return UNKNOWN
    if record.direct is not None and p.direct is not None:
        return UNKNOWN  # asked directly and left "don't know"
    return found


MEASURES: Mapping[str, Callable[[ClusterProfile], Measurement]] = {
    code: (lambda profile, code=code: measure(code, profile)) for code in LIST_MEASURES
}


# Scoring ---------------------------------------------------------------------------------------


def level_for(score: float | None, completeness: float) -> str:
    if score is None or completeness < criteria.MIN_COMPLETENESS:
        return criteria.UNKNOWN_LEVEL
    for threshold, name in criteria.LEVELS:
        if score >= threshold:
            return name
    return criteria.LEVELS[-1][1]


# Each point's indicators as scoring reads them: code, name, record, list measure and
# recommendation, looked up once here rather than for every indicator of every score. The
# record is None where `_completed` cannot change what the lists show: it does only through
# an indicator's direct question or its inventories, and 14 of the 31 have neither.
POINT_INDICATORS: Mapping[int, tuple[tuple, ...]] = {
    p.number: tuple(
        (
            i.code,
            i.name,
            i if i.direct is not None or i.inventories else None,
            LIST_MEASURES[i.code],
            RECOMMENDATIONS[i.code],
        )
        for i in criteria.indicators_for(p.number)
    )
    for p in criteria.POINTS
}


def _score_point(profile: _Rows, point: criteria.Point, weights: Mapping[str, float]) -> PointScore:
    number = point.number
    indicators = POINT_INDICATORS[number]
    weighed, measurements = [], []
    total = known_weight = weighted = 0.0
    # Without direct answers (a library case), `_completed` can change only a measure whose
    # lists show nothing (`empty`): the others skip the call.
    answered = profile.direct is not None
    for code, _, record, list_measure, _ in indicators:
        weight = weights[code]
        measurement = list_measure(profile)
        if record is not None and (answered or measurement.empty):
            measurement = _completed(record, measurement, profile)
        value = measurement.value
        weighed.append(weight)
        measurements.append(measurement)
        if not measurement.applies:  # out of the point: not in its score nor its completeness
            continue
        total += weight
        if value is not None:
            known_weight += weight
            weighted += weight * value
    score = round(100 * weighted / known_weight, 1) if known_weight else None
    if not total:
        completeness = 0.0
    elif known_weight == total:  # most points: exactly 1, without round() (as slow as 10 ties)
        completeness = 1.0
    else:
        completeness = round(known_weight / total, 3)
    level = level_for(score, completeness)
    return _filled(
        PointScore,
        number=number,
        title=point.title,
        score=score,
        level=level,
        completeness=completeness,
        _write_details=partial(_point_details, number, level, indicators, weighed, measurements),
    )


def _point_details(
    number: int,
    level: str,
    indicators: tuple[tuple, ...],
    weights: list[float],
    measurements: list[Measurement],
) -> dict:
    """A point's evidence, missing indicators and recommendations, from what `_score_point`
    measured."""
    evidence, missing, recommendations = [], [], []
    if level != "strong":
        recommendations.append(POINT_RECOMMENDATIONS[number])
    for (code, name, _, _, recommendation), weight, measurement in zip(
        indicators, weights, measurements, strict=True
    ):
        if not measurement.applies:
            evidence.append(
                Evidence.measured(code, name, None, weight, "not applicable", measurement._basis)
            )
            continue
        value = measurement.value
        if value is not None:
            effect = "raises" if value >= criteria.EFFECT_THRESHOLD else "lowers"
        else:
            missing.append(name)
            effect = "unknown"
        evidence.append(
            Evidence.measured(
                code,
                name,
                None if value is None else round(value, 3),
                weight,
                effect,
                measurement._basis,
            )
        )
        if effect != "raises":
            recommendations.append(recommendation)
    return {
        "evidence": tuple(evidence),
        "missing": tuple(missing),
        "recommendations": tuple(recommendations),
    }


def score(
    profile: ClusterProfile, weights: Mapping[str, float] = criteria.DEFAULT_WEIGHTS
) -> Scorecard:
    """Score one cluster against the eight points. Deterministic; no I/O."""
    if weights is not criteria.DEFAULT_WEIGHTS:
        missing = set(criteria.DEFAULT_WEIGHTS) - set(weights)
        if missing:
            raise ValueError(f"weights missing for indicators: {', '.join(sorted(missing))}")
    rows = _Rows(profile)  # the profile's rows sorted once for all 31 measures
    points = tuple([_score_point(rows, p, weights) for p in criteria.POINTS])
    # The overall score averages the points whose evidence is at least half known, so a point
    # resting on one answer cannot lift or sink it.
    rated = [p.score for p in points if p.level != criteria.UNKNOWN_LEVEL]
    overall = round(sum(rated) / len(rated), 1) if rated else None
    completeness = round(sum([p.completeness for p in points]) / len(points), 3)
    return _filled(
        Scorecard,
        subject=profile.subject,
        engine_version=criteria.ENGINE_VERSION,
        overall=overall,
        completeness=completeness,
        points=points,
    )
