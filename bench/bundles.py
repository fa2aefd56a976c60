"""Benchmark: seconds of a case bundle's download and of its upload preview, per format, against
`load_cases --force` of the same case's fixture file (the reference, measured in the same run).

Sets up its own SQLite database in a temporary folder (or uses DATABASE_URL if given), migrates
it and loads the shipped fixtures. Prints figures and ratios only; nothing is asserted.

    .venv/bin/python bench/bundles.py [--case sinos-valley] [--repeat 3]
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


def median_seconds(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="sinos-valley")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each step; medians.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="clusterdx-bench-bundles-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterdx.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cases.bundles import case_objects, export_bundle, import_bundle
    from cases.loading import FIXTURE_DIR, load_fixtures
    from cases.models import CaseStudy

    call_command("migrate", verbosity=0)
    call_command("load_cases", verbosity=0)
    case = CaseStudy.objects.get(slug=args.case)
    fixture = FIXTURE_DIR / f"{args.case}.json"
    reference = median_seconds(lambda: load_fixtures([fixture], force=True), args.repeat)
    rows = len(case_objects(case))
    print(f"case {args.case}: {rows} rows; reference load_cases --force of its fixture "
          f"{reference:.3f} s")  # fmt: skip
    for fmt in ("json", "zip", "xlsx"):
        content = export_bundle(case_objects(case), fmt)
        download = median_seconds(
            lambda fmt=fmt: export_bundle(case_objects(case), fmt), args.repeat
        )
        preview = median_seconds(
            lambda fmt=fmt, content=content: import_bundle([(f"b.{fmt}", content)]), args.repeat
        )
        print(
            f"{fmt:>4}: {len(content):>9,} bytes; download {download:.3f} s "
            f"({download / reference:.2f}x reference); upload preview {preview:.3f} s "
            f"({preview / reference:.2f}x reference)"
        )


if __name__ == "__main__":
    main()
