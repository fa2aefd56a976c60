"""Score the external validation set (validation/*.json) and print how its expectations held."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.models import CaseStudy
from checklist.adapters import build_assessment_profile, scored_case
from checklist.answers import AnswersInvalid, create_assessment_from_answers
from engine.scoring import score
from engine.similarity import ScoredProfile, resemblances

VALIDATION_DIR = Path(settings.BASE_DIR) / "validation"
VALIDATION_USER = "validation-set"


@dataclass(frozen=True)
class Check:
    what: str  # "nearest" or "point 3"
    expected: str
    got: str
    held: bool
    reason: str = ""


@dataclass(frozen=True)
class ClusterResult:
    file: str
    cluster: str
    checks: tuple[Check, ...] = ()
    errors: tuple[str, ...] = ()  # the file did not load: nothing scored

    @property
    def nearest_held(self) -> bool:
        return any(c.what == "nearest" and c.held for c in self.checks)


def _score_one(path: Path, owner, cases: dict[str, ScoredProfile]) -> ClusterResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return ClusterResult(path.name, path.stem, errors=(f"not readable JSON: {error}",))
    if not isinstance(data, dict):
        return ClusterResult(path.name, path.stem, errors=("the file must hold one object",))
    answers = data.get("answers")
    profile = answers.get("profile") if isinstance(answers, dict) else None
    name = (profile.get("name") if isinstance(profile, dict) else None) or path.stem
    try:
        assessment = create_assessment_from_answers(owner=owner, data=data)
    except AnswersInvalid as invalid:
        return ClusterResult(path.name, name, errors=tuple(str(e) for e in invalid.errors))
    profile = build_assessment_profile(assessment)
    card = score(profile)
    ranked = resemblances(ScoredProfile(profile, card), cases)
    expectations = data.get("expectations", {})
    checks = []
    nearest = expectations.get("nearest")
    if nearest:
        got = ranked[0].key if ranked else "(not compared)"
        tie = (
            f" (near-tie with {', '.join(ranked[0].near_tie_with)})"
            if ranked and ranked[0].near_tie_with
            else ""
        )
        checks.append(
            Check(
                "nearest",
                " or ".join(nearest["cases"]),
                f"{got} {ranked[0].similarity}{tie}" if ranked else got,
                got in nearest["cases"],
                nearest.get("reason", ""),
            )
        )
    for number, expected in sorted(expectations.get("points", {}).items(), key=lambda i: int(i[0])):
        point = card.point(int(number))
        got = f"{point.level} ({'—' if point.score is None else point.score})"
        checks.append(
            Check(
                f"point {number}",
                expected["level"],
                got,
                point.level == expected["level"],
                expected.get("reason", ""),
            )
        )
    return ClusterResult(path.name, name, tuple(checks))


def run_validation(directory: Path = VALIDATION_DIR, *, keep: bool = False) -> list[ClusterResult]:
    """Load every file as an assessment, score it, and check its expectations. Unless `keep`,
    everything written is rolled back."""
    paths = sorted(directory.glob("*.json"))
    cases = {case.slug: scored_case(case) for case in CaseStudy.objects.with_library()}
    with transaction.atomic():
        owner, _ = get_user_model().objects.get_or_create(username=VALIDATION_USER)
        results = [_score_one(path, owner, cases) for path in paths]
        if not keep:
            transaction.set_rollback(True)  # a check, not a load: nothing stays
    return results


def table(results: list[ClusterResult]) -> list[str]:
    # "got" last and whole: it may name a near-tie with a long case name
    lines = [f"{'cluster':<40} {'check':<9} {'expected':<34} held got"]
    for result in results:
        if result.errors:
            lines.append(f"{result.cluster:<40} DID NOT LOAD: {'; '.join(result.errors)}")
            continue
        for check in result.checks:
            mark = "yes" if check.held else "NO"
            lines.append(
                f"{result.cluster[:40]:<40} {check.what:<9} {check.expected[:34]:<34} "
                f"{mark:<4} {check.got}"
            )
    checks = [c for r in results for c in r.checks]
    nearest = [r for r in results if any(c.what == "nearest" for c in r.checks)]
    lines.append(
        f"Loaded {sum(1 for r in results if not r.errors)} of {len(results)} files; nearest case "
        f"held for {sum(1 for r in nearest if r.nearest_held)} of {len(nearest)}; point levels "
        f"held {sum(1 for c in checks if c.what != 'nearest' and c.held)} of "
        f"{sum(1 for c in checks if c.what != 'nearest')}."
    )
    return lines


class Command(BaseCommand):
    help = (
        "Score the external validation set (validation/*.json: real clusters from the "
        "literature, entered as assessments, with expectations written before scoring) and "
        "print expected against got for each judged point and the nearest case. Nothing is "
        "kept unless --keep; the files' figures are test inputs, never library facts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(VALIDATION_DIR), help="Folder of JSON files.")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the assessments (owner validation-set)."
        )

    def handle(self, *args, **options):
        directory = Path(options["dir"])
        if not directory.is_dir():
            raise CommandError(f"No folder {directory}")
        results = run_validation(directory, keep=options["keep"])
        for line in table(results):
            self.stdout.write(line)
