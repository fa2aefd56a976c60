"""Benchmark: a firm table of N rows into PostgreSQL three ways, rows per second and peak memory.

1. the app's path (firms.importer: chunked Arrow reading, vectorised validation, each clean
   chunk COPYed straight into the firm-record table in one transaction while the next chunk is
   checked), its seconds per phase printed below its line;
2. django-import-export 4, tuned for bulk (use_bulk, batch_size, skip_diff,
   force_init_instance, no transactions per row, no report of skipped rows);
3. a bare COPY of the same CSV file into a table of the same columns with NO index (the
   lower bound: what the server takes to parse and store the rows, nothing else);
4. the same bare COPY into a table that has the firm-record table's one index, its primary
   key (table_id, source_row), filled in the same order (table_id a constant default,
   source_row a cached identity: no per-row sequence cost). This is the fair reference: the
   app's COPY goes into firms_firmrecord, which has that primary key, and maintaining it is
   about a third of PostgreSQL's work in the app's COPY.
Both COPY ratios are printed; the issue's goal (within 3x of bare COPY) is stated against the
unindexed one.

Each method runs in its own child process so that its peak memory (ru_maxrss) is its own.
Uses DATABASE_URL if it points at PostgreSQL, else creates a fresh database
clusterdx_bench_import on 127.0.0.1 (trust auth, user postgres). Needs the bench extra:
    bin/setup bench   (or pip install -e ".[bench]")
    .venv/bin/python bench/import.py [--rows 1000000] [--import-export-rows 50000] [--repeat 3]
django-import-export is slow; it is run on fewer rows (--import-export-rows) and its rows/s is
reported as measured on those rows (its cost per row is flat: it does the same work per row).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/clusterdx_bench_import"


def generate(path: Path, rows: int, chunk: int = 200_000) -> None:
    """A plausible register: every column filled in most rows, ties as short lists."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(11)
    groups = np.array(["producers", "suppliers", ""])
    sizes = np.array(["small", "medium", "large", ""])
    buyers = np.array(["domestic_retail", "foreign_buyers", "local_cluster", ""])
    with open(path, "w", encoding="utf-8") as out:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = np.arange(start, start + n)
            employees = rng.integers(1, 600, n)
            frame = pd.DataFrame(
                {
                    "identifier": "F" + pd.Series(ids).astype(str),
                    "name": "Firm " + pd.Series(ids).astype(str),
                    "cluster": "",
                    "group": groups[ids % 3],
                    "size_class": sizes[ids % 4],
                    "employees": employees,
                    "founding_year": rng.integers(1900, 2020, n),
                    "output": (employees * rng.uniform(5, 50, n)).round(2),
                    "export_share": rng.uniform(0, 100, n).round(1),
                    "buyer_type": buyers[ids % 4],
                    "memberships": np.where(ids % 5 == 0, "ABICALCADOS", ""),
                    "firm_ties": np.where(ids % 2 == 0, "F1;F2", ""),
                    "institution_ties": np.where(ids % 3 == 0, "SENAI", ""),
                }
            )
            frame.to_csv(out, index=False, header=start == 0)


def setup_django():
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterdx.settings")
    import django

    django.setup()


def make_table():
    """A case with the cluster, groups and size classes the generated rows name."""
    from django.contrib.auth.models import User

    from cases.models import ActorGroup, CaseStudy, Cluster, SizeClass
    from firms.models import FirmTable

    cited = {"line_from": 1, "line_to": 1, "passage": "bench", "citation": "", "note": ""}
    case, _ = CaseStudy.objects.get_or_create(
        slug="bench",
        defaults=dict(
            position=99,
            title="Bench",
            short_title="Bench",
            country="-",
            world_region="-",
            sector="-",
            kind="cluster",
            summary="-",
            studies="-",
            **cited,
        ),
    )
    cluster, _ = Cluster.objects.get_or_create(
        case=case,
        key="bench",
        defaults=dict(name="B", kind="cluster", location="-", sector="-", description="-", **cited),
    )
    for key in ("producers", "suppliers"):
        ActorGroup.objects.get_or_create(
            case=case,
            key=key,
            defaults=dict(cluster=cluster, name=key, role="producer", description="-", **cited),
        )
    for key in ("small", "medium", "large"):
        SizeClass.objects.get_or_create(
            case=case, key=key, defaults=dict(cluster=cluster, name=key, definition="-", **cited)
        )
    user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True})
    return FirmTable.objects.create(
        case=case,
        cluster=cluster,
        title="bench",
        citation="generated",
        uploaded_by=user,
        file_name="bench.csv",
    )


SWAP = {}  # the app path's final delete + INSERT ... SELECT + commit, in seconds


def peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss survives
    fork and exec, so a child would report the parent's peak (the file generator's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_app(path: Path) -> int:
    from firms.importer import import_firm_table

    report = import_firm_table(make_table(), path)
    if not report.ok:
        raise SystemExit(f"app import failed: {report.errors[:3]}")
    SWAP["swap_seconds"] = report.swap_seconds
    SWAP["phases"] = report.phases
    return report.rows


def run_import_export(path: Path, rows: int) -> int:
    import tablib
    from import_export import fields, resources, widgets

    from firms.models import FirmRecord, FirmTable

    table = make_table()

    class FirmRecordResource(resources.ModelResource):
        table = fields.Field(
            attribute="table", column_name="table", widget=widgets.ForeignKeyWidget(FirmTable)
        )

        class Meta:
            model = FirmRecord
            exclude = ["id"]
            use_bulk = True
            batch_size = 5_000
            skip_diff = True
            force_init_instance = True  # never look an existing row up
            use_transactions = True
            report_skipped = False
            skip_html_report = True

    with open(path, encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(rows + 1)]
    dataset = tablib.Dataset().load("".join(lines), format="csv")
    dataset.append_col([table.pk] * len(dataset), header="table")
    dataset.append_col(list(range(2, len(dataset) + 2)), header="source_row")
    result = FirmRecordResource().import_data(dataset, raise_errors=True)
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("import-export failed")
    return FirmRecord.objects.filter(table=table).count()


def run_copy(path: Path, indexed: bool = False) -> int:
    from django.db import connection

    with open(path, encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    numeric = {
        "employees": "bigint",
        "founding_year": "bigint",
        "output": "numeric",
        "export_share": "numeric",
    }
    names = ", ".join(f'"{name}"' for name in header)
    columns = ", ".join(f'"{name}" {numeric.get(name, "text")}' for name in header)
    if indexed:  # the firm-record table's primary key, filled row after row as the app's is
        columns = (
            "table_id bigint NOT NULL DEFAULT 1, source_row integer GENERATED ALWAYS AS "
            f"IDENTITY (CACHE 100000), {columns}, PRIMARY KEY (table_id, source_row)"
        )
    with connection.cursor() as cursor, open(path, encoding="utf-8") as handle:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_copy")
        cursor.execute(f"CREATE TABLE bench_bare_copy ({columns})")
        cursor.copy_expert(
            f"COPY bench_bare_copy ({names}) FROM STDIN WITH (FORMAT csv, HEADER)", handle
        )
        cursor.execute("SELECT count(*) FROM bench_bare_copy")
        count = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_bare_copy")
    return count


def child(method: str, path: Path, rows: int) -> None:
    setup_django()
    if method == "app":
        import firms.importer  # noqa: F401  (pandas and Arrow load once per worker, not per file)
    started = time.perf_counter()
    if method == "app":
        count = run_app(path)
    elif method == "import-export":
        count = run_import_export(path, rows)
    else:
        count = run_copy(path, indexed=method == "copy-pk")
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": count, "seconds": seconds, "peak_mb": peak_memory_mb(), **SWAP}))


def fresh_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--import-export-rows", type=int, default=50_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of COPY, indexed COPY and app runs (the median round is kept)",
    )
    parser.add_argument(
        "--child", choices=["app", "import-export", "copy", "copy-pk"], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.import_export_rows)
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = DEFAULT_DATABASE
        fresh_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "SECRET_KEY": "bench-only"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    folder = Path(tempfile.mkdtemp(prefix="clusterdx-bench-import-"))
    path = folder / "firms.csv"
    started = time.perf_counter()
    generate(path, args.rows)
    print(
        f"Generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    ie_rows = min(args.import_export_rows, args.rows)

    def measure(method: str) -> dict:
        output = (
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    method,
                    "--file",
                    str(path),
                    "--import-export-rows",
                    str(ie_rows),
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        result = json.loads(output)
        result["rate"] = result["rows"] / result["seconds"]
        print(
            f"{method:>14}: {result['rows']:>9,} rows in {result['seconds']:7.1f} s = "
            f"{result['rate']:>9,.0f} rows/s, peak memory {result['peak_mb']:.0f} MB"
            + (f" (final swap {result['swap_seconds']:.1f} s)" if "swap_seconds" in result else "")
        )
        if "phases" in result:
            print(
                " " * 16
                + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result["phases"].items())
            )
        return result

    # COPY, indexed COPY and the app take turns (copy, copy-pk, app, copy, ...) so that a change
    # in the load of a shared machine falls on all alike; each round gives ratios, and the
    # median round (by the unindexed COPY's ratio) is reported. import-export runs once (its
    # ratio is two orders of magnitude from its goal).
    rounds = []
    for _ in range(args.repeat):
        copy_run, indexed_run, app_run = measure("copy"), measure("copy-pk"), measure("app")
        rounds.append(
            (
                copy_run["rate"] / app_run["rate"],
                indexed_run["rate"] / app_run["rate"],
                copy_run,
                indexed_run,
                app_run,
            )
        )
    peak = max(one[4]["peak_mb"] for one in rounds)
    rounds.sort(key=lambda one: one[0])
    _, _, copy_run, indexed_run, app_run = rounds[len(rounds) // 2]
    ie_run = measure("import-export")
    if args.repeat > 1:
        print(
            "bare COPY / app of each round: "
            + ", ".join(f"{one[0]:.1f}x (indexed COPY / app {one[1]:.1f}x)" for one in rounds)
        )
        print(
            f"the median round: COPY {copy_run['rate']:,.0f} rows/s, indexed COPY "
            f"{indexed_run['rate']:,.0f} rows/s, app {app_run['rate']:,.0f} rows/s; "
            f"app peak memory {peak:.0f} MB at most"
        )
    app, ie = app_run["rate"], ie_run["rate"]
    copy, indexed = copy_run["rate"], indexed_run["rate"]
    print(f"app / import-export:                      {app / ie:.1f}x (goal >= 10x)")
    print(f"bare COPY (no index) / app:               {copy / app:.1f}x (goal <= 3x)")
    print(f"indexed COPY (same primary key) / app:    {indexed / app:.1f}x")
    if ie_rows < args.rows:
        print(
            f"(import-export ran on the first {ie_rows:,} rows; extrapolated to {args.rows:,}: "
            f"{args.rows / ie:,.0f} s)"
        )
    path.unlink()


if __name__ == "__main__":
    main()
