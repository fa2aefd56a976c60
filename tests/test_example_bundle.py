"""The example bundle in docs/examples: a sixth case from another source, imported by an admin,
listed, compared, scored, downloaded, and undone; its passages are the editor's summaries of a
copyrighted article, and every page, the API and the bundle say so rather than quote them."""

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from openpyxl import load_workbook

from cases import imports
from cases.bundles import case_objects, export_bundle
from cases.models import CaseStudy, Source

from .test_bundles import library_dump

pytestmark = pytest.mark.django_db
EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "sialkot-example.json"


def test_an_admin_adds_the_sixth_case_sees_compares_scores_and_undoes_it(client):
    admin = User.objects.create_user("admin", password="pw-admin", is_staff=True)
    before = library_dump()
    record = imports.preview_upload(user=admin, filename=EXAMPLE.name, content=EXAMPLE.read_bytes())
    assert record.status == "previewed", record.errors
    assert imports.confirm_import(record=record) is None
    case = CaseStudy.objects.get(slug="sialkot-example")
    assert case.source.slug == "nadvi-1999" and case.line_from is None
    assert case.source.passages == "summary" and case.passage_kind == "summary"

    assert "Sialkot surgical instruments (example)" in client.get("/cases/").content.decode()
    page = client.get("/cases/sialkot-example/").content.decode()
    assert '<span class="cite-source">Nadvi 1999 (example)</span> Section 3' in page
    # A case from another source does not speak of "the paper", nor show its conclusions table.
    assert "What the source says" in page and "What the paper says" not in page
    assert 'id="conclusions"' not in page
    assert "What the paper says" in client.get("/cases/tiruppur/").content.decode()
    # The page says once, above the facts, that the passages are summaries, and each fact's
    # link shows its passage as a summary, not in quotation marks.
    assert "are <strong>the editor's summaries, not quotations</strong>" in page
    assert (
        "Nadvi 1999 (example): the editor's summary, not a quotation: about 300 "
        "manufacturers of surgical instruments" in page
    )
    assert "“about 300 manufacturers" not in page and "(paraphrase)" not in page
    tiruppur_page = client.get("/cases/tiruppur/").content.decode()
    assert "Review paper: “" in tiruppur_page and "not quotations" not in tiruppur_page
    source_page = client.get("/sources/nadvi-1999/").content.decode()
    assert "<strong>These passages are summaries, not quotations</strong>" in source_page
    compare = client.get("/compare/", {"case": ["sialkot-example", "tiruppur"]})
    assert compare.status_code == 200
    assert "Nadvi 1999 (example)" in compare.content.decode("utf-8-sig")
    # Every cell of the sixth case names its source, the producing firms' total too.
    producing = re.search(r"Producing firms</td>(.*?)</tr>", compare.content.decode(), re.S).group(
        1
    )
    cells = re.findall(r'<td class="small" data-label="([^"]*)">(.*?)</td>', producing, re.S)
    sialkot = next(html for name, html in cells if "Sialkot" in name)
    assert '<span class="cite-source">Nadvi 1999 (example)</span>' in sialkot
    tiruppur = next(html for name, html in cells if "Tiruppur" in name)
    assert '<span class="cite-source">Review paper</span>' in tiruppur
    # The API and the bundle say what each passage is.
    detail = client.get("/api/cases/sialkot-example/").json()
    assert detail["provenance"]["passage_kind"] == "summary"
    assert {g["provenance"]["passage_kind"] for g in detail["firms"]["groups"]} == {"summary"}
    assert client.get("/api/cases/tiruppur/").json()["provenance"]["passage_kind"] == "checked"
    book = load_workbook(io.BytesIO(export_bundle(case_objects(case), "xlsx")))
    sources = list(book["sources"].values)
    assert dict(zip(sources[0], sources[1], strict=True))["passages"] == "summary"
    card = client.get("/api/cases/sialkot-example/scorecard/").json()
    assert len(card["points"]) == 8 and 0 < card["overall"] <= 100
    scorecard = client.get("/cases/sialkot-example/scorecard/").content.decode()
    # Nadvi's study is not the paper: what the bundle leaves out is unknown, not absent.
    assert "the paper records no" not in scorecard
    evidence = {e["indicator"]: e for p in card["points"] for e in p["evidence"]}
    assert evidence["4a"]["value"] is None  # no fair body in the bundle: unknown
    assert "the paper records no" in client.get("/cases/tiruppur/scorecard/").content.decode()

    undo = imports.undo_import(record=record, user=admin)
    assert not isinstance(undo, str), undo
    assert not CaseStudy.objects.filter(slug="sialkot-example").exists()
    assert not Source.objects.filter(slug="nadvi-1999").exists()
    assert library_dump() == before


def test_the_example_claiming_its_summaries_as_quotations_is_refused_whole():
    """The example as it was: the source claiming quoted passages, each passage marked
    "(paraphrase)". The loader refuses it, and stores nothing."""
    objects = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for obj in objects:
        fields = obj["fields"]
        if obj["model"] == "cases.source":
            fields["passages"] = "quoted"
        else:
            fields["passage"] += " (paraphrase)"
    admin = User.objects.create_user("admin", password="pw-admin", is_staff=True)
    before = library_dump()
    content = json.dumps(objects).encode()
    record = imports.preview_upload(user=admin, filename=EXAMPLE.name, content=content)
    assert record.status != "previewed"
    messages = [e["message"] if isinstance(e, dict) else str(e) for e in record.errors]
    # The case's own row is refused for its passage; its rows wait on it (the loader names a
    # row whose parent failed), so the file is refused whole.
    assert messages[0].startswith("passage: The passage says it is not a quotation, but 'Nadvi")
    assert all("not a quotation" in m or "has errors of its own" in m for m in messages)
    assert library_dump() == before and not Source.objects.filter(slug="nadvi-1999").exists()


def test_no_passage_of_the_example_is_in_quotation_marks_or_marked_a_paraphrase():
    rows = [o["fields"] for o in json.loads(EXAMPLE.read_text(encoding="utf-8"))]
    passages = [r["passage"] for r in rows if "passage" in r]
    assert len(passages) == len(rows) - 1
    assert not [p for p in passages if "paraphrase" in p or p.startswith(('"', "“"))]


README = EXAMPLE.parent / "README.md"
# How docs/examples/README.md names a row of the bundle in its table of checks.
ROW_KINDS = {
    "cases.source": "source",
    "cases.casestudy": "case",
    "cases.cluster": "cluster",
    "cases.actorgroup": "actor group",
    "cases.institution": "institution",
    "cases.market": "market",
    "cases.linkage": "linkage",
    "cases.historyevent": "history",
    "cases.figure": "figure",
    "cases.policysetting": "policy",
}


def test_every_row_of_the_example_has_its_check_in_the_readme_and_in_its_note():
    """The README's table says, row by row, what public text of the article was found for the
    bundle; a row added to the bundle without a check there (or a note saying it) fails."""
    table = [line for line in README.read_text(encoding="utf-8").splitlines() if line[:2] == "| "]
    for obj in json.loads(EXAMPLE.read_text(encoding="utf-8")):
        fields = obj["fields"]
        label = f"| {ROW_KINDS[obj['model']]} `{fields.get('key') or fields['slug']}` |"
        assert any(line.startswith(label) for line in table), label
        if obj["model"] != "cases.source":
            assert "Checked on 2 December 2026" in fields["note"], label


def test_the_corrections_from_the_check_reach_the_source_page_and_the_api(client):
    admin = User.objects.create_user("admin", password="pw-admin", is_staff=True)
    record = imports.preview_upload(user=admin, filename=EXAMPLE.name, content=EXAMPLE.read_bytes())
    assert imports.confirm_import(record=record) is None
    # The DOI is the article's own PII (printed on its first page), not the one first given.
    source_page = client.get("/sources/nadvi-1999/").content.decode()
    assert "DOI 10.1016/S0305-750X(99)00078-9" in source_page
    assert "DOI 10.1016/S0305-750X(99)00074-8" not in source_page
    detail = client.get("/api/cases/sialkot-example/").json()
    # The abstract gives the main markets as the United States and Western Europe.
    assert [m["destinations"] for m in detail["markets"]] == ["United States, Western Europe"]
    # The 1994 import alert was not found; FDA-related pages date the alert to 1991.
    (alert,) = detail["history"]
    assert alert["year_from"] == 1994 and alert["provenance"]["confidence"] == "ambiguous"
    assert "1991" in alert["provenance"]["note"]
    # The count of about 300 manufacturers was seen in Section 1, and says so.
    producers = next(f for f in detail["figures"] if f["key"] == "producers-count")
    assert producers["display"] == "about 300 firms"
    assert producers["provenance"]["locator"] == "Section 1 (introduction)"
    assert "confirmed" in producers["provenance"]["note"]
