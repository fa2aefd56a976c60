"""The Eight Point Programme & Policy Checklist and the indicators that score it, as data.

Point texts are verbatim from the paper (lines 2644-2698, split into points as the reading
guide explains). Indicators are the observable signs the case studies themselves use as
evidence for each point; each cites the lines that justify it. Weights live here and only
here. Standard library only: the engine and its tests run without Django.
"""

from __future__ import annotations

from dataclasses import dataclass

# 1.1.0: direct yes / no / don't-know answers for 2b, 4c, 5e, 6b and 6d (DIRECT_YES_VALUE);
#        2a leaves out bodies said not to serve the sector; 8c no longer counts joint ties a
#        large firm organises (Korea's point 8: 50.5 -> 33.8). Other library scores unchanged.
# 2.0.0: a kind of body or tie the lists do not show is absent only when the officer answered
#        "none" for it (INVENTORIES); bodies count by their reach to small firms and ties by
#        their strength; price ticked with other bases lowers 3b; a producers' row fills 1a;
#        buyers and large firms are counted in one place. docs/scoring.md gives each movement.
# 2.1.0: 1b asks about stage work (stage units, job-workers, subcontractors, homeworkers) and
#        leaves it out, not absent, when the answer is "don't know"; 4b counts only buyers and
#        agents of export markets (a domestic wholesaler is not one); 7c does not apply where
#        there are no large firms, and "no rules" where it does is neutral (0.5); 5c
#        halves a general association only when it is not local or regional either.
#        docs/scoring.md gives each movement of the library cases.
# 2.2.0: a trade or business association counts by its reach to small firms in 1c and 8c
#        too, as it already did in 5c (an association reaching few small firms had made
#        collective action "strong"); "closest on" puts first what sets the nearest case
#        apart from the others; 4b counts firms said to sell to foreign buyers as one
#        export-market group when no group lists them.
ENGINE_VERSION = "2.2.0"


@dataclass(frozen=True)
class Redefinition:
    """An answer whose meaning a version changed, so a scorecard recorded under an earlier
    version asks the officer to check it: no migration can tell, say, which stored "buyers"
    were domestic wholesalers. It applies where the assessment has a group in `group_role`,
    or has left `question` (a field of the assessment) unanswered."""

    version: str
    check: str
    group_role: str | None = None
    question: str | None = None


REDEFINITIONS = (
    Redefinition(
        "2.1.0",
        "The \u201cforeign buyers and retailers\u201d role now means buyers for export markets, "
        "which 4b counts; domestic wholesalers, retailers and selling agents have a role of "
        "their own. Check each buyer group on the firms step.",
        group_role="buyer",
    ),
    Redefinition(
        "2.1.0",
        "The firms step now asks whether there are stage units, job-workers and "
        "subcontractors (1b); until it is answered, stage work is unknown in 1b, not absent.",
        question="stage_units",
    ),
)


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def redefined_since(version: str) -> tuple[Redefinition, ...]:
    """The redefinitions an answer recorded under `version` has not seen."""
    recorded = version_tuple(version)
    return tuple(r for r in REDEFINITIONS if version_tuple(r.version) > recorded)


HEADING = (
    "Eight Point Programme & Policy Checklist for Supporting SMEs in Industrial Clusters "
    "and Networks"
)
HEADING_LINES = (2644, 2646)


@dataclass(frozen=True)
class Point:
    number: int
    title: str
    text: str  # verbatim
    lines: tuple[int, int]
    short: str = ""  # axis label on charts


@dataclass(frozen=True)
class CaseExample:
    """How one of the library's cases dealt with the same matter, as the paper reports it."""

    case: str  # case slug
    text: str
    lines: tuple[int, int]
    citation: str = ""

    @property
    def case_name(self) -> str:
        return CASE_NAMES[self.case]


# The library cases the examples name, as their short titles read (a test holds these to the
# fixtures).
CASE_NAMES = {
    "sinos-valley": "Sinos Valley shoes",
    "leon-guadalajara": "Leon & Guadalajara shoes",
    "tiruppur": "Tiruppur knitwear",
    "bangalore": "Bangalore high-tech networks",
    "korea-chaebol-networks": "Korean chaebol networks",
}


@dataclass(frozen=True)
class DirectQuestion:
    """An indicator the form also asks directly (yes / no / don't know), because an empty list
    alone cannot say "none": where it is asked, the field that holds it, and what "yes" counts
    when no listed row shows the indicator (what one listed row of unjudged strength would)."""

    step: str
    field: str
    yes_value: float


@dataclass(frozen=True)
class Inventory:
    """A kind of body or tie indicators count. The form asks, on the step that lists such rows,
    whether there are any: "listed below", "none" or "don't know" (INVENTORY_ANSWERS). Only
    "none" makes the kind absent; a kind neither listed nor answered "none" stays unknown."""

    field: str  # the assessment's answer field
    label: str
    step: str
    rows: str  # which rows are of this kind, in the form's words
    library_silence: str  # what the paper's silence about this kind is read as: none/unknown
    why: str  # why the library reads its silence so
    # One fact, one question: the code of the indicator whose direct question (yes / no /
    # don't know) already asks whether there are any of this kind. The form then asks that
    # question only, and its answer stands for the kind's: no = "none", yes = "listed".
    asked_by: str = ""

    @property
    def question(self) -> str:
        return f"{self.label}: are there any?"


# "listed" and "" (don't know) both leave a kind unknown when no row shows it; only "none"
# counts it absent. The codes are the assessment's stored values.
INVENTORY_ANSWERS = (("listed", "Listed below"), ("none", "None"), ("", "Don't know"))
_SURVEYED = (
    "every case section surveys the case's institutions and the conclusions table rates "
    "them for all five (lines 2313-2369), so a kind the paper does not record is absent"
)
INVENTORIES: tuple[Inventory, ...] = (
    Inventory(
        "stage_units",
        "Stage units, job-workers and subcontractors (firms or homeworkers doing stages of "
        "production for the producers)",
        "firms",
        "groups of role 'Stage units and subcontractors' or 'Homeworkers'",
        "none",
        "every case section describes how production is organised and who does its stages "
        "(Sinos' 700 stage units, 205-206; Mexico's home-based subcontractors; Tiruppur's "
        "job-work units, 1089; Bangalore's job-working ancillaries; GSA's subcontractors)",
    ),
    Inventory(
        "trade_fair_bodies",
        "Trade fair organisations",
        "institutions",
        "institutions of kind 'Trade fair organisation'",
        "none",
        _SURVEYED,
    ),
    Inventory(
        "export_promotion_bodies",
        "Export promotion bodies",
        "institutions",
        "institutions of kind 'Export promotion council'",
        "none",
        _SURVEYED,
    ),
    Inventory(
        "training_bodies",
        "Training schools or institutes",
        "institutions",
        "institutions of kind 'Training school or institute'",
        "none",
        _SURVEYED,
    ),
    Inventory(
        "technology_bodies",
        "Technology, standards and testing bodies",
        "institutions",
        "institutions of kind 'Technology centre' or 'Standards and testing body'",
        "none",
        _SURVEYED,
    ),
    Inventory(
        "associations",
        "Trade or business associations",
        "institutions",
        "institutions of kind 'Trade association' or 'Business association'",
        "none",
        _SURVEYED,
    ),
    Inventory(
        "self_help",
        "Credit unions and other self-help institutions (mutual finance run by its members; "
        "a producers' association is not one)",
        "institutions",
        "institutions of kind 'Credit union'",
        "unknown",
        "only the Mexican case discusses how small firms are financed (877-890); the others "
        "are silent, which is not evidence of absence",
        asked_by="5e",
    ),
    Inventory(
        "local_government",
        "Local or regional government bodies",
        "institutions",
        "local or regional government bodies, or public or public-private local bodies",
        "none",
        _SURVEYED,
    ),
    Inventory(
        "supplier_programmes",
        # Supplier associations are bodies, asked once, by 6d's question on the Institutions
        # step; this kind is the ties on this step.
        "Large-firm supplier programmes (help, training, credit or equipment for suppliers; "
        "consortia)",
        "linkages",
        "upgrading or consortium ties from larger firms",
        "none",
        "the conclusions table rates the role of large firms in every case (2342-2349) and "
        "each case section says what large firms do for their suppliers",
    ),
    Inventory(
        "horizontal_cooperation",
        "Co-operation among producers (joint purchasing or marketing, consortia)",
        "linkages",
        "horizontal joint ties among producers",
        "unknown",
        "the paper records co-operation where it found it and, for Sinos Valley, where it "
        "did not (ties 'No tie reported'); elsewhere its silence is not evidence of absence",
    ),
)


# The actor-group roles (cases.ActorGroup.Role) the rules read, written once here.
STAGE_WORK_ROLES = ("stage_unit", "homeworker")  # 1b: the firms and people doing stage work
# 4b: who connects producers with export markets. A domestic wholesaler, retailer or selling
# agent ("domestic_buyer") is not one: Tiruppur's selling and depot agents dealt with domestic
# wholesalers and retailers in standard products with "intense price bargaining" and no
# technical dealings, unlike merchant exporters and foreign buyers' agents (lines 1306-1332).
EXPORT_MARKET_ROLES = ("export_agent", "buyer", "tnc")
# 4c: know-how from any buyer or agent counts, domestic ones too: in Mexico "some domestic
# wholesalers" sent technical staff to producers (lines 795-804).
MARKET_AGENT_ROLES = (*EXPORT_MARKET_ROLES, "domestic_buyer")
LARGE_FIRM_ROLES = ("lead_firm", "tnc")


def inventory(field: str) -> Inventory:
    return next(i for i in INVENTORIES if i.field == field)


@dataclass(frozen=True)
class Indicator:
    """One indicator, written once: the engine, the form's questions, `/method/` and
    docs/scoring.md are all derived from these records."""

    code: str  # "4a": point number and letter
    name: str
    question: str  # what an officer is asked, in plain words
    rationale: str  # why it belongs to its point, citing the paper
    lines: tuple[int, int]
    action: str  # what to do when it is weak or unknown, from the paper's lessons
    examples: tuple[CaseExample, ...] = ()
    weight: float = 1.0  # within its point; a change of weight is a new ENGINE_VERSION
    rule: str = ""  # how its data become a value from 0 to 1, in words
    reads: tuple[str, ...] = ()  # "step.field" of the assessment answers it reads
    inventories: tuple[str, ...] = ()  # Inventory.field of the kinds it counts
    direct: DirectQuestion | None = None
    # The kinds it counts are one part of its value, not all of it: a kind neither listed nor
    # answered "none" leaves that part out (the rule says how), not the indicator unknown.
    inventory_part: bool = False

    @property
    def point(self) -> int:
        return int(self.code[0])


POINTS: tuple[Point, ...] = (
    Point(
        1,
        "Identify existing clusters and networks",
        "Identify existing clusters and networks of SMEs, however nascent. Such forms of "
        "production organisation generate significant economies for small producers, encourage "
        "backward and forward linkages and raise prospects for collective action. Attempting to "
        "set up clusters and networks by administrative fiat, it should be noted, rarely succeed.",
        (2648, 2654),
        "Clusters",
    ),
    Point(
        2,
        "Target groups of producers, sector by sector",
        "Policy must concentrate on groups of producers and not individual small firms. "
        "Furthermore, intervention needs to be targeted, sector specific and strategic. "
        "Generalist support programmes tend to have limited impact.",
        (2656, 2660),
        "Groups",
    ),
    Point(
        3,
        "Focus on demand-led markets",
        "Focus on demand led product markets and the imperatives that they engender: namely "
        "achieving competitiveness on the basis of quality consciousness, fashion sensitivity, "
        "reliability, rapid delivery and not price alone.",
        (2662, 2666),
        "Markets",
    ),
    Point(
        4,
        "Institutions at the producer-market interface",
        "Concentrate on institutions and instruments that facilitate the inter-face between "
        "producers and the market, such as trade fairs, export visits and external buyers, for "
        "accessing marketing information, product development, fashion trends and for acquiring "
        "technical know-how.",
        (2668, 2674),
        "Interface",
    ),
    Point(
        5,
        "Local and sectoral producer-service institutions",
        "Support local and sectoral institutions that provide producer services such as "
        "technical training, technology support and market information. Use local levels of "
        "government for such support intervention and collaborate closely with representative "
        "business organisations and local self-help institutions.",
        (2676, 2682),
        "Services",
    ),
    Point(
        6,
        "Large firms as agents of change",
        "Use large firms as important agents of change by promoting supplier upgradation "
        "programmes, also as part of industrial restructuring strategies of large producers.",
        (2684, 2686),
        "Large firms",
    ),
    Point(
        7,
        "A level playing field for SMEs",
        "Work towards a macro-economic framework that provides for a levelled playing field and "
        "an incentive structure that allows SMEs to operate on fair terms.",
        (2688, 2690),
        "Level field",
    ),
    Point(
        8,
        "Do not smother: facilitate and enable",
        "Finally, do not smother. Intervention appears to be far more effective in cases where "
        "policy agents have acted as facilitators and enablers. This gives scope for private "
        "initiatives and entrepreneurial energies to come to the fore and to strengthen the "
        "development of clusters and networks.",
        (2692, 2698),
        "Enable",
    ),
)

INDICATORS: tuple[Indicator, ...] = (
    # Point 1 ---------------------------------------------------------------------------------
    Indicator(
        "1a",
        "A concentration of producers",
        "How many producing firms are in the cluster or network?",
        "Point 1 starts from clusters that already exist; the cases' economies of agglomeration "
        "rest on many producers in one place (Sinos Valley's some 500 shoe producers, "
        "among 1,800 firms of its shoe sector counting stage units and suppliers, lines "
        "171-173 and 204-205; Leon's 2,700 shoe firms, line 655).",
        (2648, 2652),
        "Map the producers that are already there before designing any programme: point 1 "
        "asks policy to identify existing clusters, however nascent.",
        (
            CaseExample(
                "tiruppur",
                "Tiruppur grew from one knitting machine in 1925 to 438 "
                "units by 1961 before any export support existed.",
                (1120, 1123),
            ),
        ),
        weight=1.0,
        rule=(
            "Producing firms on a log scale: 500 or more = 1, 50 ≈ 0.6. The count is the "
            "'producing firms' box, or, when it is empty, the firms counted in the producer "
            "groups."
        ),
        reads=("firms.producer_count", "firms.groups (producers' count)"),
    ),
    Indicator(
        "1b",
        "Deep local backward linkages",
        "Which supplier groups are present locally (stage units and subcontractors, input and "
        "component suppliers, machinery makers, producer services), and how strong are the ties?",
        "The checklist says clusters 'encourage backward and forward linkages' (2650-2652); "
        "Sinos Valley's depth of local suppliers is its first success factor (229-231, "
        "245-249), Mexico's weak supply base its handicap (689-695).",
        (2650, 2652),
        "Strengthen local supply: work with component and machinery suppliers on quality and "
        "a common technical language, as the Mexican Camaras began to do with their suppliers' "
        "associations.",
        (
            CaseExample(
                "leon-guadalajara",
                "The Camaras held technical meetings with the "
                "component suppliers' associations ANPIC and APICEJ to standardise the "
                "measurement system.",
                (869, 875),
                "Rabellotti 1995b: 139",
            ),
            CaseExample(
                "sinos-valley",
                "Most inputs and machines are made locally: 'for every "
                "job in shoe manufacturing there is a job in the local supply "
                "industry'.",
                (245, 252),
                "Schmitz 1995a:11-12",
            ),
        ),
        weight=1.0,
        rule=(
            "Mean of (supplier-side kinds present, out of stage work, input suppliers, "
            "machinery makers and services) and (mean strength of backward ties). Stage work "
            "is a group of stage units, job-workers and subcontractors, or of homeworkers: the "
            "way a cluster like Tiruppur is deep (1089). With no such group listed it is "
            'absent only when the answer for stage units is "none"; with "don\'t know" it is '
            "left out (kinds out of three), never read as absent."
        ),
        reads=("firms.groups", "firms.stage_units", "linkages.ties"),
        inventories=("stage_units",),
        inventory_part=True,
    ),
    Indicator(
        "1c",
        "Vehicles for collective action",
        "Which trade associations, producer groups, consortia or credit unions exist?",
        "Clusters 'raise prospects for collective action' (2652); every case has such "
        "vehicles (Sinos' six associations, 271-277; Mexico's Camaras, 816-835; Tiruppur's TEA, "
        "1400-1411; Bangalore's consortia, 1809-1825; Korea's Hyupryukhoe, 2072-2073).",
        (2650, 2652),
        "Work through the associations and groups producers have formed themselves, and help "
        "small producers form groups where none exist.",
        (
            CaseExample(
                "leon-guadalajara",
                "Guadalajara's Camara formed 'agrupamentos "
                "industriales': seven groups of 120 firms in seven years.",
                (843, 854),
            ),
        ),
        weight=1.0,
        rule=(
            "Associations, producer groups, credit unions or chaebol associations: 2 or more = 1."
        ),
        reads=("institutions.institutions",),
        inventories=("associations", "self_help"),
    ),
    Indicator(
        "1d",
        "Grown, not created by fiat",
        "Did the cluster grow from producers' own initiative, or was it set up by an "
        "administrative decision?",
        "'Attempting to set up clusters and networks by administrative fiat … rarely succeed' "
        "(2652-2654); 'state intervention can at best only serve to aid clusters and networks "
        "that already exist in a nascent form' (2505-2507).",
        (2652, 2654),
        "Do not try to create a cluster by decree; support what exists. Where the state did "
        "seed a cluster (Bangalore), it took decades of investment in firms and institutions.",
        (
            CaseExample(
                "bangalore",
                "Bangalore's base came from a central-government location "
                "decision followed by three decades of public investment.",
                (1894, 1903),
            ),
        ),
        weight=0.5,
        rule=("Not started by administrative decision = 1; started by one = 0.4."),
        reads=("policy.state_created",),
    ),
    # Point 2 ---------------------------------------------------------------------------------
    Indicator(
        "2a",
        "Sector-specific support bodies",
        "Which support bodies serve this sector specifically (technology centres, training "
        "schools, testing, export promotion, trade fairs, research)?",
        "Intervention must be 'targeted, sector specific and strategic' (2658-2660); the cases' "
        "effective bodies are sectoral: SENAI's tanning school and CTCCA (509-513), ITC and "
        "CIATEG (892-901), AEPC (1376-1387), CMTI (1857-1867).",
        (2656, 2660),
        "Prefer sector-specific institutions over generalist SME schemes, which 'tend to have "
        "limited impact'.",
        (
            CaseExample(
                "bangalore",
                "CMTI, set up in 1961, played a pivotal role in the "
                "machine-tools sector: testing, design, CNC research, CAD-CAM.",
                (1857, 1863),
            ),
        ),
        weight=1.0,
        rule=(
            "Technology centres, training, standards, export promotion or research bodies, "
            "each counting by its reach to small firms: two that reach them widely = 1. "
            "Bodies said to serve other sectors too are not counted."
        ),
        reads=("institutions.institutions",),
        inventories=("technology_bodies", "training_bodies", "export_promotion_bodies"),
    ),
    Indicator(
        "2b",
        "Support reaches groups, not single firms",
        "Do programmes work with groups of producers (producer groups, consortia, credit "
        "unions, joint purchasing or marketing)?",
        "'Policy must concentrate on groups of producers and not individual small firms' "
        "(2656); Guadalajara's agrupamentos and credit union are the paper's group-level tools "
        "(843-854, 877-890).",
        (2656, 2658),
        "Organise support around groups of firms: joint purchasing and marketing, producer "
        "groups with factory visits and shared diagnostics, and self-help credit.",
        (
            CaseExample(
                "leon-guadalajara",
                "Guadalajara's agrupamentos used a UNIDO method of "
                "factory visits and independent diagnostic audits.",
                (843, 854),
            ),
            CaseExample(
                "leon-guadalajara",
                "The credit unions of both clusters largely financed their SME members' "
                "working capital; Guadalajara's had 235 members in 1993, 60% very small firms.",
                (877, 890),
            ),
            CaseExample(
                "bangalore",
                "Five machine-tool SMEs formed a sales and service "
                "consortium with six offices and 70 staff.",
                (1809, 1813),
            ),
        ),
        weight=1.0,
        rule=(
            "Producer groups, credit unions and chaebol associations, and consortium or joint "
            "purchasing/marketing ties, each tie by its strength (so weak co-operation counts "
            "little): 2 of full worth = 1."
        ),
        reads=("institutions.institutions", "linkages.ties", "linkages.group_support"),
        inventories=("self_help", "horizontal_cooperation"),
        direct=DirectQuestion("linkages", "group_support", 0.5),
    ),
    Indicator(
        "2c",
        "Strategic upgrading tools",
        "Is there a technology, testing or standards facility (working, or only proposed)?",
        "Strategic intervention provides what individual producers 'would be unlikely to be "
        "able to finance themselves', such as testing facilities (1424-1427); CMTI's CAD-CAM "
        "and CIM (1859-1863).",
        (1424, 1427),
        "Set up shared testing, design and technology services with the sector's own bodies, "
        "as AEPC and SITRA planned for Tiruppur.",
        (
            CaseExample(
                "tiruppur",
                "AEPC and SITRA collaborated on 'a research and development "
                "cum testing laboratory and training institute'.",
                (1422, 1429),
            ),
        ),
        weight=1.0,
        rule=(
            "A working technology or standards body, by its reach to small firms (the best "
            "one counts); only proposed = 0.3."
        ),
        reads=("institutions.institutions",),
        inventories=("technology_bodies",),
    ),
    # Point 3 ---------------------------------------------------------------------------------
    Indicator(
        "3a",
        "Output sold on demanding markets",
        "What share of the cluster's output is exported?",
        "Growth in every case was 'brought about by demand-led market conditions' (2375-2377); "
        "Sinos exports about 70% (176), GSA three-quarters (2086-2087), Mexico 7% (603).",
        (2375, 2377),
        "Help firms reach demanding markets at home and abroad; in Mexico, trade opening and "
        "NAFTA pushed a previously supply-driven industry towards quality.",
        (
            CaseExample(
                "sinos-valley",
                "About 70% of the cluster's production is exported, largely to the United States.",
                (176, 178),
            ),
        ),
        weight=1.5,
        rule=("Share of output exported ÷ 50%, at most 1."),
        reads=("markets.export_share",),
    ),
    Indicator(
        "3b",
        "Competition beyond price",
        "On what do firms compete: price, quality, fashion, delivery?",
        "Point 3 asks for competitiveness on 'quality consciousness, fashion sensitivity, "
        "reliability, rapid delivery and not price alone' (2662-2666); in Mexico 63% of firms "
        "named price as the main basis of competition (781).",
        (2662, 2666),
        "Shift support from cost cutting to quality, design and delivery: quality control, "
        "smaller batches, faster delivery.",
        (
            CaseExample(
                "sinos-valley",
                "After the 'Chinese shock' buyers moved to 'smaller "
                "orders, shorter delivery times and higher quality'; firms cut stocks "
                "and adopted cellular production.",
                (449, 453),
            ),
        ),
        weight=1.5,
        rule=(
            "Per market, how many of quality, fashion and delivery competition turns on ÷ 3, "
            "times {price} when price is among them too (competition still turns partly on "
            "price; price alone = 0); markets weighted by their share of output where the "
            "export share is known."
        ),
        reads=("markets.competes_on", "markets.export_share"),
    ),
    Indicator(
        "3c",
        "Demanding foreign buyers",
        "Do firms sell to demanding foreign buyers or retailers?",
        "Foreign buyers are the 'critical players' of the interface (2386-2392, 2598-2599).",
        (2386, 2392),
        "Connect producers to demanding buyers; their quality and design requirements drive "
        "upgrading.",
        (
            CaseExample(
                "tiruppur",
                "Tiruppur forged direct ties with Western retailers such as "
                "C & A and French Connection.",
                (1169, 1171),
            ),
        ),
        weight=1.0,
        rule=("Buyers, agents or TNCs serving an export market = 1; none = 0."),
        reads=("markets.foreign_buyers",),
    ),
    Indicator(
        "3d",
        "Strong forward ties",
        "How strong are ties with buyers and marketing agents?",
        "In Mexico 'forward ties with buyers … remain weak', one of the main reasons it did not "
        "gain competitiveness (944-947).",
        (944, 947),
        "Help firms build regular, contractual ties with buyers who share design and quality "
        "information.",
        (),
        weight=1.0,
        rule=("Mean strength of forward ties."),
        reads=("linkages.ties",),
    ),
    # Point 4 ---------------------------------------------------------------------------------
    Indicator(
        "4a",
        "Trade fairs",
        "Is there a trade fair organisation or are there regular fairs?",
        "Point 4 names trade fairs first (2668-2670); Sinos' FENAC 'helped to forge the link "
        "with the market' (2389-2392); fairs were the top information source for over 70% of "
        "Sinos firms (525-527).",
        (2668, 2670),
        "Support a local trade fair organisation run with producers, and bring foreign buyers "
        "to it.",
        (
            CaseExample(
                "sinos-valley",
                "FENAC, set up in 1963 by producers with the "
                "municipality, brought foreign buyers to the Valley and took firms to "
                "fairs abroad.",
                (506, 508),
            ),
            CaseExample(
                "leon-guadalajara",
                "The Camaras' regular trade fairs were often the "
                "leading sources of information in the clusters.",
                (823, 826),
            ),
        ),
        weight=1.0,
        rule=("A trade fair organisation, by its reach to small firms."),
        reads=("institutions.institutions",),
        inventories=("trade_fair_bodies",),
    ),
    Indicator(
        "4b",
        "External buyers and export agents",
        "Are export agents, export traders, foreign buyers or TNC clients active in the cluster?",
        "Point 4 names 'external buyers' (2670); Sinos has 70 local export agents (256-258), "
        "Tiruppur five kinds of marketing agents (1306-1312).",
        (2668, 2672),
        "Attract and work with export agents and buyers' representatives; they carry market "
        "and technical know-how.",
        (
            CaseExample(
                "sinos-valley",
                "Export agents set up model shops in the Valley, "
                "inspected quality on site and gave technical help.",
                (436, 442),
                "Schmitz 1995a:14",
            ),
        ),
        weight=1.0,
        rule=(
            "Groups of export agents, export-market buyers or TNC clients: 2 or more = 1. "
            "Domestic wholesalers, retailers and selling agents do not count: point 4 is the "
            "interface with external buyers (2668-2672), and Tiruppur's selling and depot "
            "agents, who served domestic wholesalers and retailers, had no technical dealings "
            "with producers (1314-1317); where a domestic buyer does pass on know-how, 4c "
            "counts it. Buyers named in Markets count only when the groups list none (one "
            "fact, one place), and as export-market buyers only when firms sell to foreign "
            "buyers; firms said to sell to foreign buyers with no export-market group listed "
            "count as one group (0.5)."
        ),
        reads=("firms.groups", "markets.key_buyers", "markets.foreign_buyers"),
    ),
    Indicator(
        "4c",
        "Buyers pass on know-how",
        "Do buyers or agents give producers technical help, design or market information?",
        "The interface is for 'accessing marketing information, product development, fashion "
        "trends and for acquiring technical know-how' (2670-2674).",
        (2670, 2674),
        "Encourage buyers' technical assistance and information sharing with producers, "
        "including smaller ones.",
        (
            CaseExample(
                "tiruppur",
                "Agents' local offices oversee production, check samples "
                "and test colour-fastness before shipment.",
                (1326, 1332),
            ),
        ),
        weight=1.0,
        rule=(
            "Mean strength of technical assistance, information or training ties from agents, "
            "buyers or TNCs, domestic ones too (Mexico's wholesalers sent technical staff to "
            "producers, 795-804)."
        ),
        reads=("linkages.ties", "linkages.buyer_know_how"),
        direct=DirectQuestion("linkages", "buyer_know_how", 0.6),
    ),
    Indicator(
        "4d",
        "Export promotion and visits",
        "Is there an export promotion body organising delegations, sales tours or market surveys?",
        "Point 4 names 'export visits' (2670); AEPC sponsors buyer/seller meetings, delegations "
        "and subsidised sales tours for smaller units (1393-1395).",
        (2668, 2670),
        "Organise export visits, trade delegations and market intelligence, with subsidies "
        "targeted at smaller firms.",
        (
            CaseExample(
                "tiruppur",
                "AEPC organises trade delegations and sales tours, often "
                "subsidised for smaller units.",
                (1393, 1398),
                "Cawthorne 1990: 160",
            ),
        ),
        weight=1.0,
        rule=("An export promotion body, by its reach to small firms."),
        reads=("institutions.institutions",),
        inventories=("export_promotion_bodies",),
    ),
    # Point 5 ---------------------------------------------------------------------------------
    Indicator(
        "5a",
        "Technology or testing centre",
        "Is there a technology, testing or standards centre serving the cluster?",
        "Point 5 names 'technology support' (2676-2678): CTCCA (512-513), ITC (892-898), CMTI "
        "(1857-1863); Tiruppur's buyers still test in Bombay (1428-1429).",
        (2676, 2678),
        "Create or strengthen a local technology and testing centre, run with producers.",
        (
            CaseExample(
                "sinos-valley",
                "CTCCA, the privately set up technology centre run by local shoe producers, "
                "opened in 1972.",
                (512, 513),
            ),
        ),
        weight=1.0,
        rule=(
            "A working technology or testing centre, by its reach to small firms (the best "
            "one counts); only proposed = 0.3."
        ),
        reads=("institutions.institutions",),
        inventories=("technology_bodies",),
    ),
    Indicator(
        "5b",
        "Training institutions",
        "Is there technical or vocational training for the sector?",
        "Point 5 names 'technical training' (2676-2678): SENAI schools (509-510), ITC (894), "
        "SISI and NTTF (1877-1891).",
        (2676, 2678),
        "Support sector-specific training for workers, supervisors and entrepreneurs.",
        (
            CaseExample(
                "sinos-valley",
                "SENAI vocational schools in tanning (1965) and shoe "
                "design and manufacturing (1968).",
                (509, 510),
            ),
        ),
        weight=1.0,
        rule=(
            "A working training institution, by its reach to small firms (the best one "
            "counts); only proposed = 0.3."
        ),
        reads=("institutions.institutions",),
        inventories=("training_bodies",),
    ),
    Indicator(
        "5c",
        "Representative business organisations",
        "Are there trade or business associations that provide services to members?",
        "Point 5: 'collaborate closely with representative business organisations' "
        "(2680-2682); the Camaras provide fiscal, legal and technical advice (816-821).",
        (2680, 2682),
        "Channel support through representative associations and help them offer services, "
        "not only lobbying.",
        (
            CaseExample(
                "tiruppur",
                "TEA, 'the most important and aggressive' institution, "
                "built a self-financed complex for 157 units.",
                (1406, 1418),
            ),
        ),
        weight=1.5,
        rule=(
            "A trade or business association, by its reach to small firms; one said to serve "
            "other sectors too counts half, unless it is local or regional: point 5 asks for "
            "'local and sectoral institutions' (2676), and the paper counts Novo Hamburgo's "
            "local business association (ACI) among Sinos' institutions (276-277)."
        ),
        reads=("institutions.institutions",),
        inventories=("associations",),
    ),
    Indicator(
        "5d",
        "Local or regional government involved",
        "Is local or regional government involved in the cluster's support bodies?",
        "Point 5: 'Use local levels of government for such support intervention' (2678-2680); "
        "the paper's examples are FENAC with Novo Hamburgo (506-508), Ludhiana (2521-2533) and "
        "Ceara (2535-2551).",
        (2678, 2680),
        "Involve municipal and regional government in partnership with producers' bodies.",
        (
            CaseExample(
                "sinos-valley",
                "FENAC was set up with Novo Hamburgo's municipal authorities.",
                (506, 508),
            ),
        ),
        weight=1.0,
        rule=(
            "A local or regional government body, or a local or regional body run by or with "
            "government (public or public-private), other than a university or school, by its "
            "reach to small firms."
        ),
        reads=("institutions.institutions",),
        inventories=("local_government",),
    ),
    Indicator(
        "5e",
        "Self-help institutions",
        "Are there self-help institutions: credit unions or other mutual finance run by their "
        "members? (A producers' association is not one; it counts for 5c.)",
        "Point 5 names 'local self-help institutions' (2682); the credit unions of Leon and "
        "Guadalajara lowered SMEs' transaction costs for credit (877-890).",
        (2680, 2682),
        "Help producers set up self-help finance tied to their association, with caps that "
        "keep any one firm from dominating.",
        (
            CaseExample(
                "leon-guadalajara",
                "Guadalajara's credit union, tied to the Camara, capped shares at 500 "
                "per member; 80% of the credit of both clusters' unions was for working "
                "capital.",
                (877, 890),
            ),
        ),
        weight=0.5,
        rule=(
            "A self-help institution (a credit union or other mutual finance run by its "
            "members; a producers' association is 5c's, not a self-help institution), by its "
            "reach to small firms."
        ),
        reads=("institutions.institutions", "institutions.self_help_finance"),
        inventories=("self_help",),
        direct=DirectQuestion("institutions", "self_help_finance", 1.0),
    ),
    Indicator(
        "5f",
        "Institutions reach small firms",
        "Do the support institutions reach small firms, or mainly larger ones?",
        "In Sinos 'the outreach of local technical support institutions towards smaller firms "
        "was limited' (547-548); AEPC's quotas favoured larger firms (1389-1393).",
        (539, 548),
        "Check who actually uses each institution and design outreach for small firms.",
        (
            CaseExample(
                "leon-guadalajara",
                "Guadalajara's Camara, with more active SME "
                "participation, was more active in collaborative initiatives than "
                "Leon's.",
                (832, 835),
            ),
        ),
        weight=1.0,
        rule=("Mean reach to small firms of the institutions whose reach is known."),
        reads=("institutions.institutions",),
    ),
    # Point 6 ---------------------------------------------------------------------------------
    Indicator(
        "6a",
        "Large firms present",
        "Are there large or lead firms (or TNCs) in or linked to the cluster?",
        "'large firms are a significant element in most Southern industrial clusters' "
        "(2427-2429); the conclusions table says large firms are important in every case "
        "(2342-2349).",
        (2427, 2431),
        "Map the large firms and their supply chains; include them in the SME programme.",
        (),
        weight=0.5,
        rule=("A large or lead firm (or TNC) group, or a named large firm = 1."),
        reads=("firms.groups", "firms.large_firms"),
    ),
    Indicator(
        "6b",
        "Supplier upgrading by large firms",
        "Do large firms give suppliers and subcontractors technical help, training, equipment "
        "or finance?",
        "Point 6: 'promoting supplier upgradation programmes' (2684-2686); upgrading small "
        "suppliers is a key policy conclusion (2443-2450).",
        (2684, 2686),
        "Promote supplier development programmes with large firms: technical assistance, "
        "training, shared equipment and stable contracts.",
        (
            CaseExample(
                "korea-chaebol-networks",
                "Gold Star Audio provides machines, "
                "technicians, designs, moulds, on-site service and subsidies to its "
                "subcontractors.",
                (2145, 2157),
                "Cho 1994",
            ),
            CaseExample(
                "sinos-valley",
                "A large producer began a collaborative strategy with "
                "60 suppliers; others followed.",
                (371, 374),
                "Schmitz 1995a:25-26",
            ),
        ),
        weight=1.0,
        rule=(
            "Mean strength of technical assistance, training, credit or equipment ties from "
            "larger firms to smaller ones (large firms to producers or suppliers; producers "
            "to stage units, suppliers, homeworkers)."
        ),
        reads=("linkages.ties", "linkages.supplier_upgrading"),
        inventories=("supplier_programmes",),
        direct=DirectQuestion("linkages", "supplier_upgrading", 0.6),
    ),
    Indicator(
        "6c",
        "Larger firms put work out to smaller ones",
        "Do large firms (or larger producers) subcontract work to smaller firms and stage units "
        "(how many contracting ties)?",
        "Point 6 links upgrading to 'industrial restructuring strategies of large producers' "
        "(2686); GSA put out 21 of 37 lines (2108-2110); Bangalore's large firms turned to "
        "specialised SMEs (1679-1683).",
        (2684, 2686),
        "Use large firms' restructuring (downsizing, outsourcing) as an opening for local SMEs.",
        (),
        weight=1.0,
        rule=(
            "Contracting ties from larger firms to smaller ones, their strengths added: three "
            "strong ties = 1."
        ),
        reads=("linkages.ties",),
    ),
    Indicator(
        "6d",
        "Supplier associations and shared information",
        "Are there supplier associations, shared information networks or SME consortia around "
        "large firms?",
        "GSA's Sungruckhoe and GISVAN (2176-2185) and Korea's Hyupryukhoe (2047-2049) "
        "institutionalise collaboration with large firms.",
        (2176, 2185),
        "Support supplier associations and information networks that link large firms and "
        "their SMEs.",
        (
            CaseExample(
                "bangalore",
                "When ITI stopped using ancillaries, 40 of them formed the "
                "ANCO consortium to design new equipment and win back work.",
                (1817, 1825),
            ),
        ),
        weight=1.0,
        rule=("A chaebol association, information network or consortium tie = 1."),
        reads=("institutions.institutions", "linkages.ties", "institutions.supplier_associations"),
        inventories=("supplier_programmes",),
        direct=DirectQuestion("institutions", "supplier_associations", 1.0),
    ),
    # Point 7 ---------------------------------------------------------------------------------
    Indicator(
        "7a",
        "Open, competitive trade regime",
        "Is the trade regime protected, liberalising or open?",
        "Liberalisation forced the pace of upgrading (2404-2411); Mexico's 'long closure of "
        "the domestic market' stunted its suppliers (928-929). The paper leaves the role of "
        "past protection open (2606-2611).",
        (2404, 2411),
        "Work towards a competitive framework; where markets are opening, help SMEs prepare "
        "rather than shelter them.",
        (
            CaseExample(
                "leon-guadalajara",
                "In 1988 tariffs fell from 35% to 17% and import "
                "licences were scrapped; imports rose from 2.2 to 38.2 million pairs.",
                (607, 610),
                "Rabellotti 1993:27",
            ),
        ),
        weight=1.0,
        rule=("Open = 1, liberalising = 0.7, protected = 0.2."),
        reads=("policy.trade_regime",),
    ),
    Indicator(
        "7b",
        "Fair incentives for SMEs",
        "Do size-based incentives exist, and do they work fairly or invite gaming?",
        "Point 7 asks for 'an incentive structure that allows SMEs to operate on fair terms' "
        "(2688-2690); Tiruppur's firms split to stay 'small' (1217-1223); Korea's 'mini-chaebol' "
        "keep companies small for cheap credit (2100-2103).",
        (2688, 2690),
        "Design incentives that do not reward firms for staying small or splitting up.",
        (),
        weight=1.0,
        rule=("Fair = 1, none = 0.5, distorting (firms split or stay small to keep them) = 0.3."),
        reads=("policy.sme_incentives",),
    ),
    Indicator(
        "7c",
        "Fair terms in large-firm contracts",
        "Are there rules for fair contracts between large firms and SMEs?",
        "Korea legislated minimum contract duration, no arbitrary changes to unit costs and "
        "fair payment terms, with a Fair Deal Supervision Committee (2068-2075); the paper "
        "notes no evidence of their effect (2099).",
        (2068, 2075),
        "Consider rules that protect SMEs in contracts with large firms, and monitor whether "
        "they work.",
        (
            CaseExample(
                "korea-chaebol-networks",
                "SMEs can take unfair deals to a Fair Deal "
                "Supervision Committee under the Prime Minister.",
                (2068, 2075),
                "Cho 1994: 14",
            ),
        ),
        weight=1.0,
        rule=(
            "Rules present = 1; no such rules = 0.5, neutral, as 7b's 'no size-based "
            "incentives' is: the paper's one example, Korea's, comes with no evidence that "
            "the rules work (2099), so their absence is not shown to tilt the field, and the "
            "form does not ask whether contracts are unfair. Not applicable (left out of point "
            "7, neither unknown nor 0) where there are no large-firm contracts to be fair "
            "about: no large or lead firm (or TNC) among the groups, as in a decentralised "
            "cluster of small firms. A ties list that shows no contract with a large firm does "
            "not make it so, as no one is asked to say there are none."
        ),
        reads=("policy.contract_rules", "firms.groups"),
    ),
    # Point 8 ---------------------------------------------------------------------------------
    Indicator(
        "8a",
        "Institutions from private initiative",
        "Are the cluster's institutions private or public-private, rather than wholly public?",
        "'This gives scope for private initiatives' (2694-2698); Sinos' institutions came from "
        "'collective campaigning and pressure from local producers' (502-503).",
        (2692, 2698),
        "Leave room for producers' own institutions; co-finance rather than replace them.",
        (
            CaseExample(
                "sinos-valley",
                "CTCCA was set up privately and is run by local producers.",
                (512, 513),
            ),
        ),
        weight=1.0,
        rule=("Share of institutions (ownership known) that are private or public-private."),
        reads=("institutions.institutions",),
    ),
    Indicator(
        "8b",
        "Government as facilitator",
        "Does government act as facilitator and enabler, or does it direct?",
        "'Intervention appears to be far more effective in cases where policy agents have "
        "acted as facilitators and enablers' (2692-2694); Levy's 'light touch' (2618-2619).",
        (2692, 2694),
        "Act as a facilitator: fund collective resources such as infrastructure and leave the "
        "lead to private initiative.",
        (),
        weight=1.0,
        rule=(
            "Facilitator = 1, little or no intervention = 0.6, directs and runs programmes = 0.3."
        ),
        reads=("policy.intervention_style",),
    ),
    Indicator(
        "8c",
        "Producers' own joint initiatives",
        "Have producers formed their own groups, consortia, joint ventures or privately run "
        "associations?",
        "Private 'entrepreneurial energies' (2694-2698): Bangalore's SME consortia (1809-1825), "
        "Leon's very small firms sharing a brand (862-864).",
        (2694, 2698),
        "Encourage producer-led joint initiatives among firms with complementary, not "
        "competing, products.",
        (
            CaseExample(
                "bangalore",
                "Consortia work best when members make complementary "
                "goods; rivalry has broken others apart.",
                (1937, 1941),
            ),
        ),
        weight=1.0,
        rule=(
            "Producer groups and privately run associations, and joint ties among producers "
            "not organised by a large firm, each tie by its strength (so weak co-operation "
            "counts little): 2 of full worth = 1."
        ),
        reads=("institutions.institutions", "linkages.ties"),
        inventories=("associations", "horizontal_cooperation"),
    ),
)

# Every indicator counts once within its point unless reweighted here. Changing a weight is a
# change of method: bump ENGINE_VERSION with it.
DEFAULT_WEIGHTS: dict[str, float] = {i.code: i.weight for i in INDICATORS}
# What "yes" to a direct question counts when no listed row shows the indicator.
DIRECT_YES_VALUE: dict[str, float] = {i.code: i.direct.yes_value for i in INDICATORS if i.direct}
# A tie's strength counts weak 0.2, moderate 0.6, strong 1.0, not judged 0.6. A body counts by
# its reach to small firms: widely 1, some 0.7, few 0.3, not judged 0.7 (as "some"): a centre
# that reaches few small firms is not worth one that reaches many.
STRENGTH_VALUE = {"weak": 0.2, "moderate": 0.6, "strong": 1.0}
UNJUDGED_STRENGTH = 0.6
REACH_FACTOR = {"wide": 1.0, "partial": 0.7, "limited": 0.3}
UNJUDGED_REACH = 0.7
PRICE_FACTOR = 0.75  # 3b: price ticked beside quality, fashion or delivery
GENERAL_ASSOCIATION_FACTOR = 0.5  # 5c: one serving other sectors too, and not local
PROPOSED_VALUE = 0.3  # a technology centre or school only proposed

# Score bands for a point's level, and the evidence needed before any level is given.
LEVELS: tuple[tuple[float, str], ...] = ((70.0, "strong"), (40.0, "developing"), (0.0, "weak"))
UNKNOWN_LEVEL = "not yet known"
MIN_COMPLETENESS = 0.5  # share of a point's indicator weight that must be known


def point(number: int) -> Point:
    return POINTS[number - 1]


# Lookups the engine makes for every indicator of every score, built once from the records.
_BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
_BY_POINT: dict[int, tuple[Indicator, ...]] = {
    p.number: tuple(i for i in INDICATORS if i.point == p.number) for p in POINTS
}


def indicators_for(number: int) -> tuple[Indicator, ...]:
    return _BY_POINT.get(number, ())


def indicator(code: str) -> Indicator:
    return _BY_CODE[code]


def value_rule(code: str) -> str:
    """The rule that turns an indicator's data into its 0-1 value, as the Method page and
    docs/scoring.md give it."""
    record = indicator(code)
    rule = record.rule.format(price=f"{PRICE_FACTOR:g}")
    if record.inventories and not record.inventory_part:
        kinds = " or ".join(inventory(k).label.split(" (")[0].lower() for k in record.inventories)
        rule += (
            f' With no such row listed, it is 0 only when the answer for {kinds} is "none"; '
            "otherwise unknown."
        )
    if record.direct:
        rule += (
            " Assessments also answer the question directly: with no row in the lists, yes = "
            f"{record.direct.yes_value:g}, no = 0, don't know = unknown."
        )
    return rule


VALUE_RULES: dict[str, str] = {i.code: value_rule(i.code) for i in INDICATORS}


def counted_by(field: str) -> tuple[str, ...]:
    """The codes of the indicators that count a kind of body or tie (Inventory.field)."""
    return tuple(i.code for i in INDICATORS if field in i.inventories)


def scales_words() -> str:
    """How strengths, reach and unknowns count, in words (the Method page and the docs)."""
    strength = ", ".join(f"{name} {value:g}" for name, value in STRENGTH_VALUE.items())
    reach_names = {"wide": "widely", "partial": "some", "limited": "few"}
    reach = ", ".join(f"{reach_names[k]} {v:g}" for k, v in REACH_FACTOR.items())
    return (
        f"A tie's strength counts {strength}, not judged {UNJUDGED_STRENGTH:g}. A service body "
        f"(fair, export promotion, school, technology centre, association, credit union, "
        f"government body) counts by how many small firms it reaches: {reach}, not judged "
        f"{UNJUDGED_REACH:g}, wherever it is counted (an association as a vehicle for "
        "collective action too); the producers' own collective bodies (groups, consortia, "
        "supplier associations) count by being there. A kind of body or tie that no row shows "
        'is absent (0) only where the answer for that kind is "none"; otherwise it is unknown. '
        f"An indicator at {EFFECT_THRESHOLD:g} or more raises its point; below, it lowers it."
    )


EFFECT_THRESHOLD = 0.5  # an indicator at or above this "raises" its point; below, "lowers"
