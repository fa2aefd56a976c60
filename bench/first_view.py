"""Benchmark: a five-case comparison's first view in headless chromium, against the login page.

Starts the app as a newcomer does (`bin/serve`, on a fresh SQLite database in a temporary
folder) or under gunicorn with production settings (`--gunicorn`), then opens each page in a
fresh browser profile (cold: nothing cached) and again in the same profile (warm), and prints
the bytes moved over the network (as sent, i.e. compressed) and the time from navigation to
the last chart drawn (to the load event for the login page), each also as a ratio to the
login page.

    .venv/bin/python bench/first_view.py [--gunicorn] [--repeat 3]

Needs /usr/bin/chromium and the test extra (Playwright).
"""

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CASES = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
ALL_CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('.plotly-graph-div[data-figure]')];
  return charts.length > 0 && charts.every(chart => chart.querySelector('.main-svg'));
}"""


def start_server(port: int, gunicorn: bool) -> subprocess.Popen:
    folder = tempfile.mkdtemp(prefix="clusterdx-first-view-")
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3"}
    env.pop("CACHE_URL", None)
    if not gunicorn:
        # Its own process group, so that one TERM stops the server and (by its trap) the worker.
        return subprocess.Popen(["bin/serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                start_new_session=True)  # fmt: skip
    env.update(DEBUG="0", SECRET_KEY="bench-only", ALLOWED_HOSTS="127.0.0.1",
               SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", SECURE_HSTS_SECONDS="0")  # fmt: skip
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"],
                    ["load_cases", "-v0"], ["collectstatic", "--noinput", "-v0"]):  # fmt: skip
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "clusterdx.wsgi", "-w", "2",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env,
    )  # fmt: skip


def wait_until_up(url: str) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def visit(context, url: str, charts: bool) -> tuple[int, float]:
    """Bytes received and seconds from navigation to the last chart drawn (or to load)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = []
    cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
    page.goto(url, wait_until="load")
    if charts:
        page.wait_for_function(ALL_CHARTS_DRAWN, timeout=120_000, polling=50)
    elapsed = page.evaluate("performance.now()") / 1000
    page.wait_for_timeout(200)  # let the last loadingFinished events arrive
    page.close()
    return sum(received), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gunicorn", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=8781)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.port, args.gunicorn)
    try:
        wait_until_up(base + "/accounts/login/")
        pages = {
            "login page": ("/accounts/login/", False),
            "compare, five cases": ("/compare/?" + "&".join(f"case={c}" for c in CASES), True),
        }
        urllib.request.urlopen(base + pages["compare, five cases"][0], timeout=120)  # warm
        results = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for label, (path, charts) in pages.items():
                cold, warm = [], []
                for _ in range(args.repeat):
                    context = browser.new_context()
                    cold.append(visit(context, base + path, charts))
                    warm.append(visit(context, base + path, charts))
                    context.close()
                results[label] = {
                    "cold": (statistics.median(b for b, _ in cold),
                             statistics.median(t for _, t in cold)),
                    "warm": (statistics.median(b for b, _ in warm),
                             statistics.median(t for _, t in warm)),
                }  # fmt: skip
            browser.close()
    finally:
        if args.gunicorn:
            server.terminate()
        else:
            os.killpg(server.pid, signal.SIGTERM)  # bin/serve's trap stops the worker
        server.wait(timeout=30)

    how = "gunicorn + whitenoise, DEBUG off" if args.gunicorn else "bin/serve"
    print(f"{how}; medians of {args.repeat}; time = navigation to last chart drawn")
    login = results["login page"]
    for label, result in results.items():
        for view in ("cold", "warm"):
            size, seconds = result[view]
            print(f"{label:22} {view}: {size / 1000:8.0f} kB ({size / login[view][0]:5.1f}x login)"
                  f"  {seconds:5.2f} s ({seconds / login[view][1]:5.1f}x login)")  # fmt: skip


if __name__ == "__main__":
    main()
