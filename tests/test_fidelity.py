"""The loader's fidelity checks (cases/fidelity.py): each with a row that fails it.

The pure checks run without a database; the model tests show the checks are what the loader
and the admin run (through `full_clean()`), so a bad row cannot be loaded."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from cases import fidelity
from cases.loading import load_fixtures
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


# --- the qualifier the paper's wording carries (second audit, docs/audit-2.md) ----------------


@pytest.mark.parametrize(
    ("value_text", "qualifier"),
    [
        ("halved", "exact"),
        ("three-quarters", "exact"),
        ("close to half", "nearly"),
        ("roughly one-third", "about"),
        ("in the order of Rs. 20 billion", "about"),
        ("less than 1 in 4", "under"),
        ("a third or less", "up_to"),
        ("", "about"),  # no wording stored: the digits and the qualifier are shown
    ],
)
def test_a_qualifier_the_wording_carries_passes(value_text, qualifier):
    assert fidelity.value_text_qualifier_errors(qualifier=qualifier, value_text=value_text) == {}


@pytest.mark.parametrize(
    ("value_text", "qualifier"),
    [
        ("halved", "about"),  # GSA's workforce, as stored before the second audit
        ("half", "about"),  # the first audit's survey shares
        ("close to half", "exact"),
        ("less than one quarter", "nearly"),
    ],
)
def test_a_qualifier_the_wording_does_not_carry_is_refused(value_text, qualifier):
    errors = fidelity.value_text_qualifier_errors(qualifier=qualifier, value_text=value_text)
    assert "qualifier" in errors and value_text in errors["qualifier"]


# --- an event's years are in its passage ------------------------------------------------------

TURNING_POINT = "The second turning point came some two decades later in 1987-88"


def test_an_abbreviated_range_states_both_years():
    assert fidelity.event_year_errors(year_from=1987, year_to=1988, passage=TURNING_POINT) == {}


def test_a_year_outside_the_passage_is_refused_for_a_certain_event():
    passage = "attempts were made by retailers to reduce costs by reducing inventory stocks"
    errors = fidelity.event_year_errors(year_from=1987, year_to=1988, passage=passage)
    assert set(errors) == {"year_from", "year_to"}


def test_only_the_year_stated_passes_not_its_neighbour():
    errors = fidelity.event_year_errors(year_from=1987, year_to=1989, passage=TURNING_POINT)
    assert set(errors) == {"year_to"}


def test_a_decade_rendered_as_years_must_be_marked_uncertain():
    passage = "was during the 1970s the fastest growing city in India."
    assert set(fidelity.event_year_errors(year_from=1970, year_to=1979, passage=passage)) == {
        "year_to"
    }
    assert (
        fidelity.event_year_errors(
            year_from=1970, year_to=1979, passage=passage, note="1970-1979", certain=False
        )
        == {}
    )
    # the decade named is enough for an uncertain event, but not another decade
    late_forties = "Most large public sector firms date back to the late 1940s"
    assert (
        fidelity.event_year_errors(
            year_from=1947, year_to=None, passage=late_forties, certain=False
        )
        == {}
    )
    assert "year_from" in fidelity.event_year_errors(
        year_from=1957, year_to=None, passage=late_forties, certain=False
    )


def test_a_computed_year_needs_the_note_to_give_it():
    passage = "Six years later there were reportedly five knitting firms in the town."
    refused = fidelity.event_year_errors(
        year_from=1931, year_to=None, passage=passage, note="'six years' after 1925", certain=False
    )
    assert "year_from" in refused
    assert (
        fidelity.event_year_errors(
            year_from=1931,
            year_to=None,
            passage=passage,
            note="1931 is six years after 1925",
            certain=False,
        )
        == {}
    )


# --- both checks as the loader runs them ------------------------------------------------------


def _bundle(tmp_path, *objects):
    case = {
        "model": "cases.casestudy",
        "fields": {
            "slug": "new-case", "position": 6, "title": "A new case", "short_title": "New case",
            "country": "Brazil", "world_region": "Latin America", "sector": "Shoes",
            "kind": "cluster", "summary": "For testing the loader.", "studies": "Schmitz 1995b",
            "line_from": 288, "line_to": 288, "passage": TURNING_POINT, "citation": "",
            "confidence": "certain", "note": "",
        },
    }  # fmt: skip
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps([case, *objects]), encoding="utf-8")
    return path


def _event(**fields):
    values = {
        "case": ["new-case"], "key": "second-turning-point", "cluster": None,
        "kind": "turning_point", "year_from": 1987, "year_to": 1988,
        "title": "Second turning point", "description": "The Chinese shock.",
        "line_from": 288, "line_to": 288, "passage": TURNING_POINT, "citation": "",
        "confidence": "certain", "note": "",
    }  # fmt: skip
    values.update(fields)
    return {"model": "cases.historyevent", "fields": values}


def _workforce(**fields):
    values = {
        "case": ["new-case"], "key": "workforce", "cluster": None, "scope": "cluster",
        "metric": "growth", "label": "Change in GSA's workforce", "value": "-50",
        "unit": "percent", "qualifier": "exact", "value_text": "halved", "year": 1992,
        "year_to": 1994, "line_from": 2085, "line_to": 2086,
        "passage": "Between 1992 and 1994 … the workforce has been halved, productivity has "
        "been raised by 40%",
        "citation": "", "confidence": "certain", "note": "",
    }  # fmt: skip
    values.update(fields)
    return {"model": "cases.figure", "fields": values}


@pytest.mark.django_db
def test_the_loader_accepts_the_rows_as_corrected(tmp_path):
    report = load_fixtures([_bundle(tmp_path, _event(), _workforce())], dry_run=True)
    assert report.errors == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "field"),
    [
        # discovery-inventory-costs before the second audit: its years were two lines earlier
        (_event(line_from=290, line_to=292, passage="the other the “Discovery of Inventory Costs”"),
         "year_from"),
        (_event(year_to=1989), "year_to"),
        (_workforce(qualifier="about"), "qualifier"),
    ],
)  # fmt: skip
def test_the_loader_refuses_a_row_that_fails_the_second_audits_checks(tmp_path, row, field):
    report = load_fixtures([_bundle(tmp_path, row)], dry_run=True)
    assert [error.label.split()[0] for error in report.errors] == [row["model"]]
    assert field in report.errors[0].message


# --- a note that calls a value a reading, on a certain row ------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "Level 'national' is inferred: they are chaebol-wide, not local.",  # the Hyupryukhoe
        "Ownership 'private' is general knowledge of the chaebols, not stated in the paper.",
        "Basis not stated: presumably the owners of sewing units.",
        "The start year 1925 is ours.",
    ],
)
def test_a_certain_row_whose_note_calls_a_value_a_reading_is_refused(note):
    assert "confidence" in fidelity.reading_errors(confidence="certain", note=note)
    assert fidelity.reading_errors(confidence="likely", note=note) == {}


def test_a_certain_row_with_a_factual_note_passes():
    note = "Spelled 'Hyuprykhoe' in the text (line 2047) and 'Hyupryukhoe' in footnote 16."
    assert fidelity.reading_errors(confidence="certain", note=note) == {}


@pytest.mark.django_db
def test_the_loader_refuses_a_certain_row_whose_note_calls_it_a_reading(tmp_path):
    row = _event(note="The years are inferred from the decade.")
    report = load_fixtures([_bundle(tmp_path, row)], dry_run=True)
    assert len(report.errors) == 1 and "confidence" in report.errors[0].message


# --- what a passage is: a quotation or the editor's summary -----------------------------------


@pytest.mark.parametrize(
    "passage",
    [
        "about 300 manufacturers (paraphrase)",
        "about 300 manufacturers ( Paraphrased )",
        "about 300 manufacturers (summary)",
        "about 300 manufacturers (summarized)",
        "paraphrasing the study: about 300 manufacturers",
    ],
)
def test_a_passage_calling_itself_a_paraphrase_is_no_quotation(passage):
    errors = fidelity.quotation_errors(passage=passage, source="'Study'", summary=False)
    assert errors["passage"].startswith("The passage says it is not a quotation, but 'Study'")
    # the same words are what a summary source's passages are: no contradiction there
    assert fidelity.quotation_errors(passage=passage, source="'Study'", summary=True) == {}


@pytest.mark.parametrize(
    "passage",
    [
        "about 300 manufacturers of surgical instruments",
        "the summary of the survey showed 300 manufacturers",  # "summary" as a word, unbracketed
        '"about 300 manufacturers"',  # a quotation, of a source whose passages are quotations
    ],
)
def test_a_quotation_is_accepted_from_a_source_of_quotations(passage):
    assert fidelity.quotation_errors(passage=passage, source="'Study'", summary=False) == {}


@pytest.mark.parametrize("passage", ['"about 300 manufacturers"', " “about 300 manufacturers” "])
def test_a_summary_in_quotation_marks_claims_words_nothing_can_check(passage):
    errors = fidelity.quotation_errors(passage=passage, source="'Study'", summary=True)
    assert "reads as a quotation of 'Study'" in errors["passage"]


@pytest.mark.parametrize(
    "passage",
    [
        'the association called it "a joint response"',  # a quoted phrase inside a summary
        "'about 300' firms, as the producers'",  # single quotes and apostrophes
        '"about 300" manufacturers',  # quotation marks that do not wrap the whole passage
        '"about 300" makers, "most" exported',  # two quoted phrases, not one quotation
    ],
)
def test_a_summary_quoting_a_phrase_inside_it_is_still_a_summary(passage):
    assert fidelity.quotation_errors(passage=passage, source="'Study'", summary=True) == {}
