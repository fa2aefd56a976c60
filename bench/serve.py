"""Benchmark: pages served for real, under a bounded load, against the login page in the same run.

Production serving: DEBUG off, gunicorn with 2 workers, PostgreSQL, whitenoise with collected
static files. Creates (or empties) its own database, loads the five cases plus 1,000
assessments, then sends each page a bounded load with apache2-utils' `ab` (a fixed number of
requests, a time limit, concurrency 8, loopback only) and prints requests/s, p50, p99, errors,
and each page's throughput as a share of the login page's (which renders the same base
template; measured first and last, the mean is the reference). The first request of each
page is timed on its own: after `manage.py warm_cache` (as bin/serve runs it), or with
--cold with nothing cached.

    .venv/bin/python bench/serve.py [--requests 400] [--seconds 10] [--concurrency 8]

Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and `ab` (apt-get install
apache2-utils). Set BENCH_DATABASE to choose the database name.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CASES = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
SETUP = """
import os
import django
django.setup()
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from checklist.models import STEPS, Assessment, AssessmentInstitution
n = int(os.environ["BENCH_ASSESSMENTS"])
user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True})
steps = list(STEPS)  # every step answered (the form's order: models.STEPS)
Assessment.objects.bulk_create(
    Assessment(owner=user, name=f"Cluster {i}", country="X", sector="Shoes", evidence_year=1995,
               export_share=i % 100, competes_on=["price", "quality"], trade_regime="open",
               steps_done=steps)
    for i in range(n)
)
ids = list(Assessment.objects.filter(owner=user).values_list("pk", flat=True))
AssessmentInstitution.objects.bulk_create(
    AssessmentInstitution(assessment_id=pk, name="Fair", kind="trade_fair") for pk in ids
)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print(session.session_key, ",".join(map(str, ids[:20])))
"""


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


def ab(url: str, requests: int, seconds: int, concurrency: int, cookie: str | None) -> dict:
    command = ["ab", "-t", str(seconds), "-n", str(requests), "-c", str(concurrency), "-q",
               "-H", "Accept-Encoding: gzip"]  # fmt: skip
    if cookie:
        command += ["-C", cookie]
    out = subprocess.run([*command, url], capture_output=True, text=True).stdout

    def number(pattern, default=0.0):
        match = re.search(pattern, out)
        return float(match.group(1)) if match else default

    return {
        "rps": number(r"Requests per second:\s+([\d.]+)"),
        "p50": number(r"\n\s+50%\s+(\d+)"),
        "p99": number(r"\n\s+99%\s+(\d+)"),
        "done": int(number(r"Complete requests:\s+(\d+)")),
        # ab counts a response whose length differs from the first as "failed"; compressed
        # responses vary in length (GZipMiddleware pads them at random), so those are not
        # errors: only connection, receive and exception failures and non-2xx answers are.
        "errors": int(
            number(r"Connect: (\d+)")
            + number(r"Receive: (\d+)")
            + number(r"Exceptions: (\d+)")
            + number(r"Non-2xx responses:\s+(\d+)")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--assessments", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--cold", action="store_true", help="No warm_cache after loading: time cold first views."
    )
    args = parser.parse_args()
    if not shutil.which("ab"):
        sys.exit("bench/serve.py needs ab: apt-get install apache2-utils")

    database = os.environ.get("BENCH_DATABASE", "clusterdx_bench_serve")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DJANGO_SETTINGS_MODULE": "clusterdx.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BENCH_ASSESSMENTS": str(args.assessments),
    }
    env.pop("CACHE_URL", None)  # the default: the database cache
    for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
        run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], env)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "createcachetable"], env)
    run([PYTHON, "manage.py", "load_cases", "-v0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    if not args.cold:  # as bin/serve does, and the background job after a change
        start = time.perf_counter()
        run([PYTHON, "manage.py", "warm_cache", "-v0"], env)
        print(f"warm_cache: {time.perf_counter() - start:.1f} s")
    session, ids = run([PYTHON, "-c", SETUP], env, capture_output=True, text=True).stdout.split()
    ids = ids.split(",")

    base = f"http://127.0.0.1:{args.port}"
    cases = "&".join(f"case={slug}" for slug in CASES)
    cookie = f"sessionid={session}"
    pages = [  # label, path, signed in
        ("login page (reference)", "/accounts/login/", False),
        ("/cases/", "/cases/", False),
        ("/cases/sinos-valley/", "/cases/sinos-valley/", False),
        ("/compare/ five cases", f"/compare/?{cases}", False),
        ("/api/cases/tiruppur/", "/api/cases/tiruppur/", False),
        ("case scorecard (Tiruppur)", "/cases/tiruppur/scorecard/", False),
        ("/paper/", "/paper/", False),
        ("assessment scorecard", f"/assess/{ids[0]}/", True),
        ("/compare/ five cases + 20 assessments",
         f"/compare/?{cases}&" + "&".join(f"assessment={pk}" for pk in ids), True),
        # Again at the end: the machine's load drifts, so the reference is the mean of both.
        ("login page (again)", "/accounts/login/", False),
    ]  # fmt: skip
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "clusterdx.wsgi", "-w", "2",
         "-b", f"127.0.0.1:{args.port}", "--log-level", "warning", "--timeout", "300"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        results = []
        for label, path, signed_in in pages:
            request = urllib.request.Request(base + path)
            if signed_in:
                request.add_header("Cookie", cookie)
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
            first = time.perf_counter() - start
            measured = ab(base + path, args.requests, args.seconds, args.concurrency,
                          cookie if signed_in else None)  # fmt: skip
            results.append((label, first, measured))
    finally:
        server.terminate()
        server.wait(timeout=30)

    login = (results[0][2]["rps"] + results[-1][2]["rps"]) / 2 or 1
    print(f"gunicorn 2 workers, PostgreSQL, DEBUG off; ab -n {args.requests} -t {args.seconds} "
          f"-c {args.concurrency}; {args.assessments} assessments; share = of the mean of the "
          f"two login runs; first = first request, {'cold' if args.cold else 'after warm_cache'}"
          )  # fmt: skip
    print(f"{'page':40} {'first':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'share':>7}")  # fmt: skip
    for label, first, m in results:
        print(f"{label:40} {first * 1000:6.0f}ms {m['rps']:8.1f} {m['p50']:7.0f} {m['p99']:7.0f} "
              f"{m['errors']:6d} {m['rps'] / login:7.1%}")  # fmt: skip


if __name__ == "__main__":
    main()
