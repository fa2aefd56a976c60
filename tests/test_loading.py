"""Loading fixtures: validate everything, write all or nothing, reload changes nothing."""

import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from cases.loading import default_fixture_paths, load_fixtures
from cases.models import CaseStudy, Figure, Institution

pytestmark = pytest.mark.django_db

CASE = {
    "model": "cases.casestudy",
    "fields": {
        "slug": "new-case",
        "position": 6,
        "title": "A new case",
        "short_title": "New case",
        "country": "Brazil",
        "world_region": "Latin America",
        "sector": "Shoes",
        "kind": "cluster",
        "summary": "For testing the loader.",
        "studies": "Schmitz 1995a",
        "line_from": 159,
        "line_to": 160,
        "passage": "In 1992 Brazil ranked as the world's third biggest exporter of leather shoes.",
        "citation": "",
        "confidence": "certain",
        "note": "",
    },
}


def figure(key="share-1970", value="0.5", passage="rose from 0.5% in 1970", **extra):
    fields = {
        "case": ["new-case"],
        "key": key,
        "cluster": None,
        "scope": "world",
        "metric": "market_share",
        "label": "Brazil's share of world leather-shoe trade",
        "value": value,
        "unit": "percent",
        "year": 1970,
        "line_from": 159,
        "line_to": 160,
        "passage": passage,
        "citation": "",
        "confidence": "certain",
        "note": "",
    }
    fields.update(extra)
    return {"model": "cases.figure", "fields": fields}


def write(tmp_path, objects, name="bundle.json"):
    path = tmp_path / name
    path.write_text(json.dumps(objects), encoding="utf-8")
    return path


def test_reloading_the_shipped_fixtures_changes_nothing(capsys):
    # The session fixture already loaded them once; a second run finds every row unchanged.
    call_command("load_cases")
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out
    assert f"from {len(default_fixture_paths())} file(s)" in out
    assert {p.stem for p in default_fixture_paths()} == {
        "sinos-valley",
        "leon-guadalajara",
        "tiruppur",
        "bangalore",
        "korea-chaebol-networks",
    }


def test_new_file_is_created_then_unchanged(tmp_path):
    path = write(tmp_path, [CASE, figure()])
    first = load_fixtures([path])
    assert (first.created, first.updated, first.errors) == (2, 0, [])
    second = load_fixtures([path])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)


def test_changed_value_is_an_update_not_a_duplicate(tmp_path):
    load_fixtures([write(tmp_path, [CASE, figure()])])
    corrected = figure(label="Brazil's share of world trade in leather shoes")
    report = load_fixtures([write(tmp_path, [CASE, corrected])])
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Figure.objects.get(case__slug="new-case", key="share-1970").label.endswith("shoes")


def test_passage_not_in_the_paper_is_rejected_with_file_object_and_field(tmp_path):
    bad = figure(passage="rose from 0.6% in 1970")
    report = load_fixtures([write(tmp_path, [CASE, bad], name="brazil.json")])
    assert not report.ok
    message = str(report.errors[0])
    assert "brazil.json, object #1" in message
    assert "cases.figure new-case/share-1970" in message
    assert "passage" in message and "0.6%" in message


def test_any_invalid_object_means_nothing_is_written(tmp_path):
    before = CaseStudy.objects.count()
    objects = [CASE, figure(), figure(key="bad", value="120")]  # a share above 100%
    report = load_fixtures([write(tmp_path, objects)])
    assert not report.ok
    assert "object #2" in str(report.errors[0])
    assert CaseStudy.objects.count() == before
    assert not Figure.objects.filter(case__slug="new-case").exists()


def test_uncertain_row_without_a_note_is_rejected(tmp_path):
    report = load_fixtures([write(tmp_path, [CASE, figure(confidence="ambiguous")])])
    assert "note" in str(report.errors[0])


def test_line_beyond_the_paper_is_rejected(tmp_path):
    report = load_fixtures([write(tmp_path, [CASE, figure(line_to=9999)])])
    assert "line_to" in str(report.errors[0])


def test_reference_to_a_missing_parent_is_reported(tmp_path):
    orphan = figure()
    orphan["fields"]["institution"] = ["new-case", "no-such-institution"]
    report = load_fixtures([write(tmp_path, [CASE, orphan])])
    assert not report.ok
    assert "object #1" in str(report.errors[0])
    assert not CaseStudy.objects.filter(slug="new-case").exists()


def test_invalid_json_is_reported_with_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"model": "cases.casestudy",\n "fields": {]}', encoding="utf-8")
    report = load_fixtures([path])
    assert "broken.json" in str(report.errors[0])
    assert "line 2" in str(report.errors[0])


def test_dry_run_validates_but_writes_nothing(tmp_path):
    report = load_fixtures([write(tmp_path, [CASE, figure()])], dry_run=True)
    assert report.ok and report.created == 2
    assert not CaseStudy.objects.filter(slug="new-case").exists()


def test_command_fails_and_lists_errors_when_a_file_is_invalid(tmp_path, capsys):
    path = write(tmp_path, [CASE, figure(passage="not in the paper at all")])
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_cases", str(path))
    assert "passage" in capsys.readouterr().err
    assert not Institution.objects.filter(case__slug="new-case").exists()


def test_library_exported_with_natural_keys_loads_back_unchanged(tmp_path):
    exported = tmp_path / "export.json"
    call_command(
        "dumpdata", "cases", natural_primary=True, natural_foreign=True, output=str(exported)
    )
    report = load_fixtures([exported])
    assert report.ok, [str(e) for e in report.errors][:3]
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == sum(
        model.objects.count() for model in apps.get_app_config("cases").get_models()
    )
