"""Loading fixtures: validate everything, write all or nothing, reload changes nothing."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cases.loading import default_fixture_paths, library_models, load_fixtures
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
    assert "brazil.json, object #2" in message
    assert "cases.figure new-case/share-1970" in message
    assert "passage" in message and "0.6%" in message


def test_any_invalid_object_means_nothing_is_written(tmp_path):
    before = CaseStudy.objects.count()
    objects = [CASE, figure(), figure(key="bad", value="120")]  # a share above 100%
    report = load_fixtures([write(tmp_path, objects)])
    assert not report.ok
    assert "object #3" in str(report.errors[0])
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
    assert "object #2" in str(report.errors[0])
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
    # The export holds the library's version row too: bookkeeping, which the loader skips.
    assert report.unchanged == sum(model.objects.count() for model in library_models())


# Corrupted fixtures: each is refused with its file, object and field, never a traceback, and
# the database is left as it was.


def policy(key="trade", aspect="trade_regime"):
    fields = {
        "case": ["new-case"],
        "key": key,
        "aspect": aspect,
        "value": "open",
        "description": "For testing the loader.",
        **{k: CASE["fields"][k] for k in ("line_from", "line_to", "passage", "citation")},
        "confidence": "certain",
        "note": "",
    }
    return {"model": "cases.policysetting", "fields": fields}


def case(**changes):
    fields = {**CASE["fields"], **changes}
    return {"model": "cases.casestudy", "fields": {k: v for k, v in fields.items() if v != DROP}}


DROP = object()  # a field left out of the object


def dumped(objects) -> bytes:
    return json.dumps(objects).encode("utf-8")


def with_figure_field(**extra) -> bytes:
    return dumped([CASE, figure(**extra)])


def other_case_cluster() -> bytes:
    # A figure of the new case that points at a cluster of another case.
    return with_figure_field(cluster=["leon-guadalajara", "leon"])


CORRUPTIONS = {
    "invalid JSON": (b'[{"model": "cases.casestudy", "fields": {]', "not valid JSON at line 1"),
    "top level not a list": (dumped(CASE), "JSON list of objects"),
    "a non-object element": (dumped([CASE, 5]), "object #2: must be an object"),
    "missing model": (dumped([{"fields": CASE["fields"]}]), 'has no "model"'),
    "model not a string": (dumped([{"model": 5, "fields": {}}]), '"model" must be a string'),
    "unknown model": (dumped([{"model": "cases.spaceship", "fields": {}}]), "'cases.spaceship'"),
    "another app's model": (
        dumped([{"model": "auth.user", "fields": {"username": "x"}}]),
        "not a case-library model",
    ),
    "a pk": (dumped([{**CASE, "pk": 1}]), '"pk"'),
    "missing fields": (dumped([{"model": "cases.casestudy"}]), 'has no "fields"'),
    "fields not an object": (
        dumped([{"model": "cases.casestudy", "fields": ["slug"]}]),
        '"fields" must be an object',
    ),
    "unknown field": (dumped([case(colour="red")]), "unknown field(s) 'colour'"),
    "text as a number": (dumped([case(title=5)]), "title: must be text"),
    "number as text": (dumped([case(position="six")]), "position: must be a whole number"),
    "fraction for a whole number": (dumped([case(line_from=159.5)]), "line_from: must be a whole number, not 159.5"),  # noqa: E501
    "boolean for a number": (dumped([case(position=True)]), "position: must be a whole number"),
    "not a decimal": (with_figure_field(value="lots"), "value: 'lots' is not a number"),
    "infinite decimal": (with_figure_field().replace(b'"0.5"', b"Infinity"), "value:"),
    "bad choice": (dumped([case(kind="volcano")]), "kind: Value 'volcano' is not a valid choice"),
    "missing required": (dumped([case(title=DROP)]), "title: is missing, and it is required"),
    "null where not allowed": (dumped([case(summary=None)]), "summary: may not be null"),
    "bad foreign natural key": (
        with_figure_field(case=["no-such-case"]),
        "case: no cases.casestudy 'no-such-case'",
    ),
    "foreign key not a natural key": (
        with_figure_field(case="new-case"),
        "case: must be the natural key of a cases.casestudy",
    ),
    "a cluster of another case": (other_case_cluster(), "cluster: The cluster belongs to another"),
    "UTF-16 file": (json.dumps([CASE]).encode("utf-16"), "UTF-16"),
    "Latin-1 file": (
        json.dumps([case(title="Café")], ensure_ascii=False).encode("latin-1"), "not UTF-8"
    ),
    "NUL byte in a string": (dumped([case(title="A\u0000B")]), "title: contains a NUL character"),
    "NUL byte in the file": (dumped([CASE]).replace(b"A new", b"A\x00new"), "holds a NUL byte"),
    "empty file": (b"", "is empty"),
    "only whitespace": (b"  \n", "is empty"),
    "huge cell": (dumped([case(summary="x" * 1_000_000)]), "summary: is 1,000,000 characters"),
    "too long for its column": (dumped([case(title="x" * 201)]), "title: Ensure this value"),
    "a number of 5,000 digits": (
        dumped([case(position=1)]).replace(b'"position": 1', b'"position": ' + b"9" * 5000),
        "not valid JSON",
    ),
    "nested too deeply": (b"[" * 100_000, "not valid JSON"),
    "passage not in cited lines": (with_figure_field(passage="rose to 9% in 1970"), "passage:"),
    "line range reversed": (dumped([case(line_from=160, line_to=159)]), "line_to: The last line"),
    "line beyond the paper": (dumped([case(line_to=99_999)]), "line_to: The paper has only"),
    "uncertain without a note": (with_figure_field(confidence="likely"), "note:"),
    "share above 100%": (with_figure_field(value="120"), "value:"),
    "range upside down": (
        with_figure_field(value_max="0.1"),
        "value_max, value: Constraint “cases_figure_range_ordered” is violated.",
    ),
    "duplicate natural key": (
        dumped([CASE, figure(), figure(label="Again")]),
        "key: the natural key 'new-case/share-1970' was already given at bundle.json, object #2",
    ),
    "duplicate unique aspect": (
        dumped([CASE, policy("a"), policy("b")]),
        "aspect: the same value as bundle.json, object #2",
    ),
}  # fmt: skip


def library_counts() -> dict:
    from cases.models import LibraryVersion

    counts = {model.__name__: model.objects.count() for model in library_models()}
    counts["version"] = list(LibraryVersion.objects.values_list("version", "fixture_fingerprint"))
    return counts


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=list(CORRUPTIONS))
def test_a_corrupted_fixture_is_refused_with_file_object_and_field(corruption, tmp_path, capsys):
    content, expected = CORRUPTIONS[corruption]
    path = tmp_path / "bundle.json"
    path.write_bytes(content)
    before = library_counts()
    # Anything but a CommandError (a traceback) fails the test.
    with pytest.raises(CommandError, match=r"error\(s\) in the fixtures; nothing was written"):
        call_command("load_cases", str(path))
    err = capsys.readouterr().err
    assert "bundle.json" in err and expected in err
    assert "Traceback" not in err
    assert library_counts() == before


def test_there_are_at_least_22_kinds_of_corruption():
    assert len(CORRUPTIONS) >= 22


def test_a_duplicate_natural_key_across_files_names_both_places(tmp_path):
    first = write(tmp_path, [CASE, figure()], name="first.json")
    second = write(tmp_path, [figure(label="Again")], name="second.json")
    report = load_fixtures([first, second])
    assert [str(e) for e in report.errors] == [
        "second.json, object #1 (cases.figure new-case/share-1970): key: the natural key "
        "'new-case/share-1970' was already given at first.json, object #2; each object needs "
        "its own (loading both would overwrite the first with the second)"
    ]
    assert not CaseStudy.objects.filter(slug="new-case").exists()


def test_a_child_of_an_invalid_parent_says_so_rather_than_not_found(tmp_path):
    report = load_fixtures([write(tmp_path, [case(kind="volcano"), figure()])])
    assert "object #1" in str(report.errors[0]) and "kind" in str(report.errors[0])
    assert "has errors of its own" in str(report.errors[1])


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + dumped([CASE, figure()]))
    report = load_fixtures([path])
    assert report.ok and report.created == 2


def test_an_export_loads_into_an_empty_library_with_the_same_rows(tmp_path):
    exported = tmp_path / "export.json"
    call_command(
        "dumpdata", "cases", natural_primary=True, natural_foreign=True, output=str(exported)
    )
    before = json.loads(exported.read_text(encoding="utf-8"))
    empty_library()
    report = load_fixtures([exported])
    # all but the version row and the paper (the migration's source, kept by empty_library)
    assert report.ok and report.created == len(before) - 2 and report.unchanged == 1
    again = tmp_path / "again.json"
    call_command("dumpdata", "cases", natural_primary=True, natural_foreign=True, output=str(again))
    without_version = [o for o in before if o["model"] != "cases.libraryversion"]
    after = [o for o in json.loads(again.read_text()) if o["model"] != "cases.libraryversion"]
    assert after == without_version


# Checks done in Python instead of by the database: the same verdicts.


def test_check_constraints_evaluated_in_python_agree_with_the_database():
    from cases.loading import _check_constraint_errors
    from cases.models import Figure, HistoryEvent, Institution, Linkage

    figure_row = Figure.objects.select_related("case").first()
    candidates = []
    for changes in (
        {},
        {"line_from": 0},
        {"line_to": figure_row.line_from - 1},
        {"passage": ""},
        {"confidence": "likely", "note": ""},
        {"confidence": "likely", "note": "derived"},
        {"value_max": figure_row.value - 1},
        {"year": 1700},
        {"year": 2000, "year_to": 1990},
        {"year": None, "year_to": 1990},
        {"unit": "percent", "value": 120, "metric": "share"},
        {"unit": "percent", "value": 120, "metric": "growth"},
        {"unit": "percent", "value": -1, "metric": "share"},
    ):
        obj = Figure.objects.get(pk=figure_row.pk)
        for name, value in changes.items():
            setattr(obj, name, value)
        candidates.append(obj)
    linkage = Linkage.objects.first()
    linkage.from_institution_id = Institution.objects.first().pk  # both origins
    history = HistoryEvent.objects.first()
    history.year_to = history.year_from - 1
    institution = Institution.objects.first()
    institution.founded = 1500
    candidates += [linkage, history, institution]
    for obj in candidates:
        by_database = []
        for constraint in obj._meta.constraints:
            if hasattr(constraint, "condition"):
                try:
                    constraint.validate(type(obj), obj)
                except ValidationError as exc:
                    by_database.append(exc.messages[0])
        in_python = [message.split(": ", 1)[1] for _, message in _check_constraint_errors(obj)]
        assert in_python == by_database, obj


# Cost and the data version.


def shipped_object_count() -> int:
    return sum(
        len(json.loads(path.read_text(encoding="utf-8"))) for path in default_fixture_paths()
    )


# Derived from the files, so an audit that adds or removes a row does not break these tests.
SHIPPED_OBJECTS = shipped_object_count()


def empty_library():
    from cases.models import PAPER_SLUG, LibraryVersion, Source

    for model in reversed(library_models()):  # children first: some parents are protected
        # the paper stays, as a fresh migration makes it: the default source of every fact
        rows = model.objects.exclude(slug=PAPER_SLUG) if model is Source else model.objects
        rows.all().delete()
    LibraryVersion.objects.all().delete()


def test_first_load_sends_a_bounded_number_of_queries(django_assert_max_num_queries):
    empty_library()
    # Savepoint and release, the version row read and written, one read of each of the 12
    # models' stored rows, and the inserts, in batches (SQLite takes at most 999 parameters
    # per statement, so about 45 rows per insert): about 40 for the 789 objects, where the
    # loader used to send 20,636 (several per object).
    with django_assert_max_num_queries(60):
        report = load_fixtures()
    assert (report.created, report.updated, report.version) == (SHIPPED_OBJECTS, 0, 1)


def test_unchanged_reload_reads_only_the_version_row(django_assert_max_num_queries):
    # Savepoint, the version row, release: the files' fingerprint says nothing changed.
    with django_assert_max_num_queries(3):
        report = load_fixtures()
    assert report.skipped and (report.created, report.updated, report.unchanged) == (
        0,
        0,
        SHIPPED_OBJECTS,
    )


def test_forced_reload_compares_every_object_in_one_query_per_model(
    django_assert_max_num_queries,
):
    # Savepoint, the version row, the sources' and the 12 cited models' rows, the version row
    # saved, release.
    with django_assert_max_num_queries(17):
        report = load_fixtures(force=True)
    assert not report.skipped and (report.created, report.updated, report.unchanged) == (
        0,
        0,
        SHIPPED_OBJECTS,
    )


def test_a_changed_datum_is_an_update_that_moves_the_data_version(tmp_path):
    path = write(tmp_path, [CASE, figure()])
    first = load_fixtures([path])
    again = load_fixtures([path])
    assert again.skipped and again.version == first.version
    changed = load_fixtures([write(tmp_path, [case(summary="Reworded."), figure()])])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert changed.version == first.version + 1
    assert CaseStudy.objects.get(slug="new-case").summary == "Reworded."


def test_a_refused_load_leaves_the_data_version_where_it_was(tmp_path):
    from cases.models import LibraryVersion

    before = LibraryVersion.objects.current()
    report = load_fixtures([write(tmp_path, [case(kind="volcano")])])
    assert not report.ok
    after = LibraryVersion.objects.current()
    assert (after.version, after.fixture_fingerprint) == (
        before.version,
        before.fixture_fingerprint,
    )


def test_a_change_made_elsewhere_moves_the_version_and_the_next_load_compares_again():
    from cases.models import LibraryVersion

    start = LibraryVersion.objects.current().version
    figure_row = Figure.objects.first()
    correct_label = figure_row.label
    Figure.objects.filter(pk=figure_row.pk).update(label="Edited in the admin")
    LibraryVersion.objects.record_change("admin: figure label edited")
    assert LibraryVersion.objects.current().version == start + 1
    report = load_fixtures()
    # The fixtures are the truth when loaded: the edit is replaced, and the version moves.
    assert not report.skipped and (report.updated, report.unchanged) == (1, SHIPPED_OBJECTS - 1)
    assert Figure.objects.get(pk=figure_row.pk).label == correct_label
    assert report.version == start + 2


def test_force_finds_a_change_made_behind_the_apps_back(capsys):
    figure_row = Figure.objects.first()
    Figure.objects.filter(pk=figure_row.pk).update(label="Edited in a database shell")
    call_command("load_cases")
    assert "nothing was compared" in capsys.readouterr().out
    call_command("load_cases", "--force")
    assert f"0 created, 1 updated, {SHIPPED_OBJECTS - 1} unchanged" in capsys.readouterr().out
