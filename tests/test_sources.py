"""Sources beyond the paper: the paper is the first, a source without stored text is cited by
locator, a source with text is checked verbatim, and every page names each fact's source."""

import json

import pytest
from django.db import IntegrityError, transaction

from cases.loading import load_fixtures
from cases.models import PAPER_SLUG, CaseStudy, Source

pytestmark = pytest.mark.django_db

STUDY = {
    "model": "cases.source",
    "fields": {
        "slug": "a-field-study",
        "title": "A field study of a cluster",
        "short_title": "Field study",
        "authors": "A. Author",
        "year": 1999,
        "kind": "journal_article",
        "publisher": "A journal",
        "doi": "10.0000/example",
        "licence": "",
    },
}
WITH_TEXT = {
    "model": "cases.source",
    "fields": {
        "slug": "notes",
        "title": "Field notes with text",
        "short_title": "Notes",
        "kind": "field_notes",
        "text": "First line of the notes.\nThe cluster has 300 producers.\nLast line.",
    },
}


def case(source="a-field-study", **cited):
    fields = {
        "slug": "sixth",
        "position": 6,
        "title": "A sixth case",
        "short_title": "Sixth",
        "country": "Pakistan",
        "world_region": "South Asia",
        "sector": "Instruments",
        "kind": "cluster",
        "summary": "From another source.",
        "studies": "A. Author 1999",
        "source": [source],
        "passage": "The cluster has 300 producers.",
        "confidence": "certain",
        "note": "",
        **cited,
    }
    return {"model": "cases.casestudy", "fields": fields}


def load(tmp_path, objects):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(objects), encoding="utf-8")
    return load_fixtures([path])


def test_the_paper_is_the_first_source_and_holds_the_shipped_text(settings):
    paper = Source.objects.order_by("id").first()
    assert paper.slug == PAPER_SLUG and paper.has_text
    assert paper.text == settings.PAPER_PATH.read_text(encoding="utf-8")
    assert CaseStudy.objects.exclude(source=paper).count() == 0


def test_a_fact_from_a_source_without_text_is_stored_with_its_locator(tmp_path):
    report = load(tmp_path, [STUDY, case(locator="p. 1610, table 2")])
    assert report.ok, report.errors
    stored = CaseStudy.objects.get(slug="sixth")
    assert stored.source.slug == "a-field-study" and stored.line_from is None
    assert stored.where_label == "Field study, p. 1610, table 2"


def test_a_source_without_text_needs_a_locator_not_lines(tmp_path):
    report = load(tmp_path, [STUDY, case()])
    assert [e.message for e in report.errors] == [
        "locator: 'Field study' has no stored text: say where the passage is "
        "(page, section, table, sheet and row)."
    ]
    report = load(tmp_path, [STUDY, case(line_from=1, line_to=2)])
    assert "has no stored text to number lines in" in report.errors[0].message
    assert not Source.objects.filter(slug="a-field-study").exists()  # nothing half-written


def test_a_passage_is_checked_verbatim_against_its_own_source_text(tmp_path):
    assert load(tmp_path, [WITH_TEXT, case("notes", line_from=2, line_to=2)]).ok
    report = load(tmp_path, [WITH_TEXT, case("notes", line_from=1, line_to=1)])
    assert report.errors[0].message.startswith("passage: Not found verbatim in line 1 of 'Notes'")
    report = load(tmp_path, [WITH_TEXT, case("notes", line_from=2, line_to=9)])
    assert report.errors[0].message == "line_to: 'Notes' has only 3 lines."


def test_an_unknown_source_is_named(tmp_path):
    report = load(tmp_path, [case("nowhere", locator="p. 1")])
    assert "no cases.source 'nowhere' in these files or in the database" in str(report.errors[0])


def test_the_source_reader_highlights_the_cited_lines_and_the_paper_keeps_its_address(
    client, tmp_path
):
    assert load(tmp_path, [WITH_TEXT]).ok
    page = client.get("/sources/notes/?from=2&to=2")
    assert page.status_code == 200
    assert '<div class="paper-line hl" id="L2"><a class="n" href="?from=2&amp;to=2#L2">2</a>' in (
        page.content.decode()
    )
    assert client.get("/sources/notes/?from=2&to=4").status_code == 404
    assert client.get("/paper/?from=159&to=160").status_code == 200
    redirect = client.get("/sources/paper/?from=159&to=160")
    assert redirect.status_code == 302 and redirect["Location"] == "/paper/?from=159&to=160"
    listing = client.get("/sources/").content.decode()
    assert "Field notes with text" in listing and "Review paper" not in listing.split("<h1")[0]


def test_a_source_without_text_has_a_page_saying_so(client, tmp_path):
    assert load(tmp_path, [STUDY]).ok
    page = client.get("/sources/a-field-study/").content.decode()
    assert "not stored here" in page and "DOI 10.0000/example" in page


def test_case_page_and_api_name_the_source_of_each_fact(client, tmp_path):
    assert load(tmp_path, [STUDY, case(locator="p. 1610, table 2")]).ok
    page = client.get("/cases/sixth/").content.decode()
    assert '<span class="cite-source">Field study</span> p. 1610, table 2' in page
    paper_page = client.get("/cases/sinos-valley/").content.decode()
    assert '<span class="cite-source">Review paper</span> L' in paper_page
    detail = client.get("/api/cases/sixth/").json()
    provenance = detail["provenance"] if "provenance" in detail else detail["case"]["provenance"]
    assert provenance["source"] == {"slug": "a-field-study", "title": "A field study of a cluster"}
    assert provenance["lines"] is None and provenance["locator"] == "p. 1610, table 2"


SUMMARISED = {"model": "cases.source", "fields": {**STUDY["fields"], "passages": "summary"}}


def test_a_source_without_text_may_say_its_passages_are_the_editors_summaries(client, tmp_path):
    report = load(tmp_path, [SUMMARISED, case(locator="Section 3")])
    assert report.ok, report.errors
    stored = CaseStudy.objects.get(slug="sixth")
    assert stored.source.summarised and stored.passage_kind == "summary"
    detail = client.get("/api/cases/sixth/").json()
    assert detail["provenance"]["passage_kind"] == "summary"
    page = client.get("/cases/sixth/").content.decode()
    assert "Field study: the editor's summary, not a quotation: The cluster has 300" in page
    assert "“The cluster has 300 producers.”" not in page


def test_what_each_passage_is_reads_from_its_source(client, tmp_path):
    """Checked against stored text, quoted without text to check, or a summary: the API says
    which, one vocabulary for every row."""
    assert load(tmp_path, [STUDY, case(locator="p. 1610")]).ok
    assert client.get("/api/cases/sixth/").json()["provenance"]["passage_kind"] == "quoted"
    page = client.get("/cases/sixth/").content.decode()
    assert "Field study: “The cluster has 300 producers.”" in page
    assert "not quotations" not in page
    assert load(tmp_path, [WITH_TEXT, case("notes", line_from=2, line_to=2)]).ok
    assert client.get("/api/cases/sixth/").json()["provenance"]["passage_kind"] == "checked"


def test_a_source_with_stored_text_cannot_call_its_passages_summaries(tmp_path):
    with_text = {"model": "cases.source", "fields": {**WITH_TEXT["fields"], "passages": "summary"}}
    report = load(tmp_path, [with_text, case("notes", line_from=2, line_to=2)])
    assert report.errors[0].message == (
        "passages: 'Notes' has its text stored, so its passages are quoted and checked against "
        "it; a summary cannot be. Quote the text, or leave the text out."
    )
    assert not Source.objects.filter(slug="notes").exists()  # nothing half-written


def test_the_database_refuses_a_summarised_source_with_text():
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(slug="s", title="S", short_title="S", kind="survey",
                              text="A line.", passages="summary")  # fmt: skip
    Source.objects.create(slug="s", title="S", short_title="S", kind="survey", passages="summary")


def test_a_row_claiming_a_quotation_its_passage_denies_is_refused(tmp_path):
    report = load(tmp_path, [STUDY, case(locator="p. 1", passage="300 producers (paraphrase)")])
    assert report.errors[0].message.startswith(
        "passage: The passage says it is not a quotation, but 'Field study' has quoted passages."
    )
    report = load(tmp_path, [SUMMARISED, case(locator="p. 1", passage="“300 producers”")])
    assert "reads as a quotation of 'Field study'" in report.errors[0].message
    assert not CaseStudy.objects.filter(slug="sixth").exists()


def test_the_page_of_a_summarised_source_says_its_passages_are_not_quotations(client, tmp_path):
    assert load(tmp_path, [SUMMARISED, STUDY | {"fields": {**STUDY["fields"], "slug": "b"}}]).ok
    page = client.get("/sources/a-field-study/").content.decode()
    assert "<strong>These passages are summaries, not quotations</strong>" in page
    quoted = client.get("/sources/b/").content.decode()
    assert "the passage it quotes (not checked here" in quoted and "summaries" not in quoted
