"""Benchmark: server time of the compare page, against the login page in the same run.

Sets up its own SQLite database in a temporary folder (or uses DATABASE_URL if given), loads
the five cases, creates 1,000 assessments, then times requests through Django's test client
(no network, so the figures are the server's work). Prints medians, warm (derived library data
cached, as after the first request of a data version), cold (the cache emptied before each
request) and, for the comparison with assessments, edited (one of its assessments saved before
each request: drawn anew from the other subjects, cached), and ratios to the login page,
which renders the same base template; for the full server under load see bench/serve.py.

    DEBUG=1 .venv/bin/python bench/compare_page.py [--repeat 15]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--assessments", type=int, default=1000)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="clusterdx-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterdx.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db.models import F
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cases.derived import process_memo
    from checklist.models import STEPS, Assessment, AssessmentInstitution

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_cases", verbosity=0)
    admin = User.objects.create_user("bench", password="x", is_staff=True)
    steps = list(STEPS)  # every step answered (the form's order: models.STEPS)
    Assessment.objects.bulk_create(
        Assessment(
            owner=admin, name=f"Cluster {n}", country="X", sector="Shoes", evidence_year=1995,
            export_share=n % 100, competes_on=["price", "quality"], trade_regime="open",
            steps_done=steps,
        )
        for n in range(args.assessments)
    )  # fmt: skip
    ids = list(Assessment.objects.values_list("pk", flat=True))
    AssessmentInstitution.objects.bulk_create(
        AssessmentInstitution(assessment_id=pk, name="Fair", kind="trade_fair") for pk in ids
    )
    client = Client()
    client.force_login(admin)
    cases = "&".join(
        f"case={s}"
        for s in ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore",
                  "korea-chaebol-networks"]
    )  # fmt: skip
    call_command("createcachetable", verbosity=0)
    pages = {
        "login page (reference)": "/accounts/login/",
        "trivial page (/favicon.ico)": "/favicon.ico",
        "home page": "/",
        f"compare: 5 cases ({args.assessments} assessments in the form)": f"/compare/?{cases}",
        "compare: 5 cases + 20 assessments": f"/compare/?{cases}&"
        + "&".join(f"assessment={pk}" for pk in ids[:20]),
    }
    timings = {}
    mixed = "compare: 5 cases + 20 assessments"
    for label, url in pages.items():
        assert client.get(url).status_code in (200, 204), url  # warm up
        for view in ("warm", "cold", "edited") if label == mixed else ("warm", "cold"):
            samples = []
            for _ in range(args.repeat):
                if view == "cold":  # nothing derived: neither shared nor in this process
                    cache.clear()
                    process_memo.clear()
                if view == "edited":  # as a save of its answers does (services.save_step)
                    Assessment.objects.filter(pk=ids[0]).update(revision=F("revision") + 1)
                start = time.perf_counter()
                client.get(url)
                samples.append(time.perf_counter() - start)
            timings[label, view] = statistics.median(samples)
    print(f"{'page':58} {'view':>5} {'median ms':>10} {'x login':>8} {'share':>7}")
    for (label, view), seconds in timings.items():
        login = timings["login page (reference)", "warm" if view == "edited" else view]
        print(f"{label:58} {view:>5} {seconds * 1000:10.1f} {seconds / login:8.1f} "
              f"{login / seconds:7.1%}")  # fmt: skip


if __name__ == "__main__":
    main()
