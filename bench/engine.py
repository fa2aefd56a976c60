"""Benchmark: how many library profiles the scoring engine scores per second.

Sets up its own SQLite database in a temporary folder (or uses DATABASE_URL if given), loads
the five cases and builds their profiles once through `checklist.adapters`, then times
`engine.scoring.score(profile)` over the five profiles, round after round. The reference,
timed in the same run over the same profiles, is a trivial pure-Python walk that reads every
row of the profile once (each group's role, each tie's strength, each body's reach, each
fact's value) and counts them: the least any engine must do to look at all the data. The
ratio says how many such walks one score costs, so it holds across machines and load.

A score writes a point's evidence, missing indicators and recommendations, and the evidence
words, only when they are read (rankings, resemblance and charts never read them); the third
line times a score whose every field and word is then read, as a scorecard page or the API does.

    .venv/bin/python bench/engine.py [--seconds 2] [--rounds 5]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def walk(profile) -> int:
    """The reference: read every row and fact of the profile once."""
    seen = 0
    for group in profile.groups or ():
        seen += group.role != ""
    for tie in profile.ties or ():
        seen += tie.strength != "unknown"
    for body in profile.institutions or ():
        seen += body.reach != "unknown"
    for market in profile.competition or ():
        seen += len(market.bases)
    for fact in (profile.producer_count, profile.export_share, profile.trade_regime):
        seen += fact is not None
    return seen


def read_in_full(card) -> int:
    """Read every field of a scorecard, as its page or the API does: each deferred part is
    written on the way."""
    seen = 0
    for point in card.points:
        seen += len(point.missing) + len(point.recommendations)
        for evidence in point.evidence:
            seen += len(evidence.basis)
    return seen


def rate(function, profiles, seconds: float) -> float:
    """Profiles per second: whole passes over the profiles for about `seconds`."""
    passes, started = 0, time.perf_counter()
    while True:
        for profile in profiles:
            function(profile)
        passes += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return passes * len(profiles) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per timed round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="clusterdx-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterdx.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cases.models import CaseStudy
    from checklist.adapters import build_profile
    from engine.criteria import ENGINE_VERSION
    from engine.scoring import score

    call_command("migrate", verbosity=0)
    call_command("load_cases", verbosity=0)
    profiles = [build_profile(case) for case in CaseStudy.objects.with_library()]
    print(f"engine {ENGINE_VERSION}, {len(profiles)} library profiles, ", end="")
    print(f"{args.rounds} rounds of {args.seconds:g} s each (median shown)")

    def score_read(profile) -> int:
        return read_in_full(score(profile))

    scores, walks, reads = [], [], []
    for _ in range(args.rounds):  # interleaved, so load on the machine hits all alike
        scores.append(rate(score, profiles, args.seconds))
        walks.append(rate(walk, profiles, args.seconds))
        reads.append(rate(score_read, profiles, args.seconds))
    scored, walked, read = (statistics.median(r) for r in (scores, walks, reads))
    print(
        f"score(profile)        {scored:>12,.0f} profiles/s  ({1e6 / scored:,.1f} µs each)", end=""
    )
    print(f"  rounds {min(scores):,.0f}-{max(scores):,.0f}")
    print(f"reference walk        {walked:>12,.0f} profiles/s  ({1e6 / walked:,.2f} µs each)")
    print(f"score, all read       {read:>12,.0f} profiles/s  ({1e6 / read:,.1f} µs each)")
    ratios = sorted(s / w for s, w in zip(scores, walks, strict=True))
    print(
        f"one score costs {walked / scored:,.1f} walks; score/walk rate = {scored / walked:.4f}",
        end="",
    )
    print(f" (rounds {ratios[0]:.4f}-{ratios[-1]:.4f}); all read/walk = {read / walked:.4f}")
    print(f"goal 10,000 profiles/s: {'met' if scored >= 10_000 else 'not met'}")


if __name__ == "__main__":
    main()
