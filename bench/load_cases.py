"""Benchmark: queries and seconds of `load_cases` for a first load, an unchanged reload and a
reload with one changed datum (and an unchanged reload with --force, which compares
every object instead of trusting the fingerprint).

Sets up its own SQLite database in a temporary folder (or uses DATABASE_URL if given), migrates
it, and loads copies of the shipped fixtures three times, counting the queries sent. Prints
figures only; nothing is asserted.

    .venv/bin/python bench/load_cases.py [--repeat 3]
"""

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each load; medians.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="clusterdx-bench-load-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterdx.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cases.loading import default_fixture_paths

    call_command("migrate", verbosity=0)
    fixtures = folder / "fixtures"
    fixtures.mkdir()
    for path in default_fixture_paths():
        shutil.copy(path, fixtures / path.name)
    paths = sorted(fixtures.glob("*.json"))
    changed = paths[0]
    objects = json.loads(changed.read_text(encoding="utf-8"))
    # One datum: a case summary's wording (free text, so every rule still holds).
    original_summary = objects[0]["fields"]["summary"]

    def write_summary(text: str) -> None:
        objects[0]["fields"]["summary"] = text
        changed.write_text(json.dumps(objects, ensure_ascii=False, indent=1), encoding="utf-8")

    def empty_library() -> None:
        from django.apps import apps

        for model in reversed(list(apps.get_app_config("cases").get_models())):
            model._base_manager.all().delete()

    def measure(label: str, before, *options: str) -> None:
        seconds, queries, outputs = [], [], []
        for run in range(args.repeat):
            before(run)
            sent = []

            def count(execute, sql, params, many, context, sent=sent):
                sent.append(sql)
                return execute(sql, params, many, context)

            out = io.StringIO()
            with connection.execute_wrapper(count):
                start = time.perf_counter()
                call_command("load_cases", *map(str, paths), *options, stdout=out)
                seconds.append(time.perf_counter() - start)
            queries.append(len(sent))
            outputs.append(out.getvalue().strip())
        print(
            f"{label:<32} {statistics.median(queries):>7.0f} queries "
            f"{statistics.median(seconds):>7.2f} s   ({outputs[-1]})"
        )

    print(f"database: {connection.vendor}; {len(paths)} files; median of {args.repeat} runs")
    write_summary(original_summary)
    measure("(a) first load, empty database", lambda run: empty_library())
    measure("(b) unchanged reload", lambda run: None)
    measure("(b') unchanged reload, --force", lambda run: None, "--force")
    measure(
        "(c) reload, one datum changed",
        lambda run: write_summary(f"{original_summary} (edit {run})"),
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
