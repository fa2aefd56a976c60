"""The loader's fidelity checks (cases/fidelity.py): each with a row that fails it.

The pure checks run without a database; the model tests show the checks are what the loader
and the admin run (through `full_clean()`), so a bad row cannot be loaded."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from cases import fidelity
from cases.models import CaseStudy, Figure
from cases.paper import load_paper


@pytest.fixture(scope="module")
def paper():
    return load_paper(str(Path(settings.PAPER_PATH)))


# --- units -----------------------------------------------------------------------------------

TELEPHONE = (
    'These include: "an inland container terminal, a sewage plant, and a 400 line private '
    'telephone exchange" (Swaminathan & Jeyaranjan 1994).'
)


def test_a_unit_the_passage_does_not_state_is_refused():
    errors = fidelity.unit_errors(unit="months", passage=TELEPHONE)
    assert "unit" in errors


def test_telephone_lines_are_supported_by_a_line_telephone_exchange():
    assert fidelity.unit_errors(unit="telephone_lines", passage=TELEPHONE) == {}


def test_percent_needs_a_percent_sign_or_a_fraction_in_words():
    assert "unit" in fidelity.unit_errors(unit="percent", passage="there are 70 export agents")
    assert fidelity.unit_errors(unit="percent", passage="only 6% were aware") == {}
    assert fidelity.unit_errors(unit="percent", passage="95 per cent of leather soles") == {}
    assert fidelity.unit_errors(unit="percent", passage="Half the firms sampled") == {}


def test_a_converted_unit_may_be_explained_in_the_note_of_an_uncertain_figure():
    passage = "there were 5 plants"
    note = "Stored as a share: 5 of 10 plants is 50%."
    assert "unit" in fidelity.unit_errors(unit="percent", passage=passage, note=note)
    assert fidelity.unit_errors(unit="percent", passage=passage, note=note, certain=False) == {}


# --- qualifiers ------------------------------------------------------------------------------


def test_an_exact_figure_whose_passage_says_about_is_refused():
    passage = "the approximately 500 shoe producers that make up the core of the cluster"
    errors = fidelity.qualifier_errors(value="500", qualifier="exact", passage=passage)
    assert "approximately" in errors["qualifier"]
    assert fidelity.qualifier_errors(value="500", qualifier="about", passage=passage) == {}


@pytest.mark.parametrize(
    ("passage", "value"),
    [
        ("there are over 700 stage units", "700"),
        ("close to 40% of the small firm respondents", "40"),
        ("collectively export close to US$ 1 billion a year", "1000"),
        ("The 1,800 odd firms", "1800"),
        ("some 36,000 components used", "36000"),
        ("Less than 1 in 4 firms", "1"),
    ],
)
def test_each_qualifier_word_counts(passage, value):
    assert "qualifier" in fidelity.qualifier_errors(value=value, qualifier="exact", passage=passage)


def test_one_unqualified_mention_is_enough():
    passage = "over 700 stage units and a further 700 ancillary agents"
    assert fidelity.qualifier_errors(value="700", qualifier="exact", passage=passage) == {}


def test_the_papers_wording_in_value_text_keeps_the_qualifier():
    passage = "roughly one-third of all registered factories"
    assert (
        fidelity.qualifier_errors(
            value="33.333", qualifier="exact", passage=passage, value_text="roughly one-third"
        )
        == {}
    )


# --- citations -------------------------------------------------------------------------------


def test_a_citation_of_the_neighbouring_sentence_is_refused(paper):
    """Tiruppur's Rs 374m (1146-1147): "Cawthorne 1995:45" closes the white-vests sentence."""
    errors = fidelity.citation_errors(
        citation="Cawthorne 1995:45",
        passage="In 1986 Tiruppur was directly exporting Rs 374 million of knitwear.",
        paper=paper,
        line_from=1146,
        line_to=1147,
    )
    assert "neighbouring sentence" in errors["citation"]


def test_the_citation_of_the_sentence_itself_passes(paper):
    errors = fidelity.citation_errors(
        citation="Cawthorne 1995:45",
        passage="manufacturing over 60% of the domestic production of white cotton vests in 1986",
        paper=paper,
        line_from=1147,
        line_to=1149,
    )
    assert errors == {}


def test_a_citation_closing_the_quotation_the_passage_opens_passes(paper):
    errors = fidelity.citation_errors(
        citation="Cawthorne 1995:45",
        passage="there were \u201capproximately 65 \u2018large\u2019 firms in the knitting "
        "industry.",
        paper=paper,
        line_from=1082,
        line_to=1083,
    )
    assert errors == {}


def test_a_study_never_named_near_the_passage_is_refused(paper):
    errors = fidelity.citation_errors(
        citation="Cho 1994",
        passage="In 1992 Brazil ranked as the world\u2019s third biggest exporter of leather "
        "shoes.",
        paper=paper,
        line_from=159,
        line_to=159,
    )
    assert "'Cho'" in errors["citation"]


# --- through the model, as the loader and the admin run them ---------------------------------


def _figure(**fields) -> Figure:
    case = CaseStudy.objects.get(slug="tiruppur")
    values = {
        "case": case,
        "key": "test-figure",
        "metric": "count",
        "label": "A test figure",
        "value": "400",
        "unit": "telephone_lines",
        "qualifier": "exact",
        "line_from": 1415,
        "line_to": 1418,
        "passage": TELEPHONE,
        "citation": "Swaminathan & Jeyaranjan 1994",
        **fields,
    }
    return Figure(**values)


@pytest.mark.django_db
def test_the_telephone_exchange_row_as_corrected_passes_full_clean():
    # The control for the failing variants below: the corrected row raises nothing.
    try:
        _figure().full_clean()
    except ValidationError as error:
        pytest.fail(f"the corrected row was refused: {error.message_dict}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit": "months"}, "unit"),
        (
            {
                "passage": "the approximately 500 shoe producers",
                "value": "500",
                "unit": "firms",
                "line_from": 205,
                "line_to": 205,
                "citation": "",
            },
            "qualifier",
        ),
        (
            {
                "value": "374",
                "unit": "inr_million",
                "line_from": 1146,
                "line_to": 1147,
                "passage": "In 1986 Tiruppur was directly exporting Rs 374 million of knitwear.",
                "citation": "Cawthorne 1995:45",
            },
            "citation",
        ),
        ({"value_text": "about 400 lines"}, "value_text"),
    ],
)
def test_full_clean_refuses_a_row_that_fails_a_fidelity_check(fields, field):
    with pytest.raises(ValidationError) as refused:
        _figure(**fields).full_clean()
    assert field in refused.value.message_dict
