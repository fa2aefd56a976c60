"""The external validation set: real clusters from the literature, scored against expectations
written before scoring. The floor below is what the engine reached on the first run; it is not
tuned to pass (see validation/README.md for where it disagrees and why)."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from checklist.forms import STEP_FORMS
from checklist.management.commands.score_validation import run_validation
from checklist.models import Assessment
from engine import criteria

FOLDER = Path(settings.BASE_DIR) / "validation"
FILES = sorted(FOLDER.glob("*.json"))
NEAREST_FLOOR = 5  # of 6: Hsinchu is a near-tie led by Sinos, not Bangalore (README)
LEVELS_FLOOR = (
    17  # of 21 under engine 2.2.0 (and 2.1.0) (README says where and why the others miss)
)
LEVELS = {name for _, name in criteria.LEVELS}


def test_the_set_has_at_least_five_cited_clusters_with_expectations():
    assert len(FILES) >= 5
    for path in FILES:
        data = json.loads(path.read_text())
        assert data["source"]["citation"] and "test inputs" in data["source"]["figures"].lower()
        expectations = data["expectations"]
        assert expectations["nearest"]["cases"] and expectations["nearest"]["cite"]
        for number, point in expectations["points"].items():
            assert 1 <= int(number) <= len(criteria.POINTS)
            assert point["level"] in LEVELS and point["reason"] and point["cite"], path.name


def test_readme_documents_every_question_of_every_step():
    readme = (FOLDER / "README.md").read_text()
    for form_class, formset_class in STEP_FORMS.values():
        names = list(form_class.base_fields) if form_class else []
        if formset_class:
            names += [n for n in formset_class.form.base_fields if n not in {"id", "DELETE"}]
        for name in names:
            if name != "assessment":
                assert f'"{name}"' in readme, name


@pytest.mark.django_db
def test_every_file_loads_and_the_nearest_case_holds_for_the_floor():
    results = run_validation()
    assert [r.errors for r in results] == [()] * len(FILES)
    assert sum(1 for r in results if r.nearest_held) >= NEAREST_FLOOR
    levels = [c for r in results for c in r.checks if c.what != "nearest"]
    assert sum(1 for c in levels if c.held) >= LEVELS_FLOOR
    assert not Assessment.objects.exists()  # rolled back: nothing kept


@pytest.mark.django_db
def test_score_validation_prints_the_table():
    out = StringIO()
    call_command("score_validation", stdout=out)
    text = out.getvalue()
    assert "Sialkot surgical instruments" in text and "nearest" in text
    assert f"Loaded {len(FILES)} of {len(FILES)} files" in text


@pytest.mark.django_db
def test_a_broken_file_is_reported_and_the_others_still_scored(tmp_path):
    sialkot = next(path for path in FILES if "sialkot" in path.name)
    (tmp_path / sialkot.name).write_text(sialkot.read_text())
    (tmp_path / "broken.json").write_text('{"answers": ')
    (tmp_path / "a-list.json").write_text("[]")
    out = StringIO()
    call_command("score_validation", "--dir", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert text.count("DID NOT LOAD") == 2 and "not readable JSON" in text
    assert "Loaded 1 of 3 files" in text
