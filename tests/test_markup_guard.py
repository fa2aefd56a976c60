"""Markup is built one way: templates (autoescaped), format_html and clusterdx/html.py.

Every way around autoescaping (`|safe`, `mark_safe`, `escape=False`, ...) is how stored text
became script on /compare/ (issue 8). A new one fails this test unless its line says why it is
safe: `# safe: <reason>` in Python, `{# safe: <reason> #}` in a template.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", ".git", "node_modules", "staticfiles", "__pycache__"}
BYPASSES = re.compile(
    r"\|\s*safe(seq)?\b|mark_safe|SafeString\(|escape\s*=\s*False|autoescape\s+off"
    r"|safe_join|\.to_html\("
)
REASON = re.compile(r"(#|\{#)\s*safe:\s*\S")


def scanned_files():
    for path in sorted(ROOT.rglob("*")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIPPED_DIRS or not path.is_file() or path == Path(__file__):
            continue
        if path.suffix == ".py" or (path.suffix in {".html", ".txt"} and "templates" in parts):
            yield path


def offenders(lines_of_files) -> list[str]:
    found = []
    for name, lines in lines_of_files:
        for number, line in enumerate(lines, start=1):
            if BYPASSES.search(line) and not REASON.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_no_way_around_autoescaping_without_a_reason_on_its_line():
    files = [(str(p.relative_to(ROOT)), p.read_text().splitlines()) for p in scanned_files()]
    assert len(files) > 50  # the scan sees the project
    assert offenders(files) == []


def test_the_guard_catches_each_bypass_and_accepts_a_reason():
    lines = [
        "{{ chart|safe }}",
        "{{ rows|safeseq }}",
        "{% autoescape off %}",
        "return mark_safe(html)",
        "frame.to_html(escape=False)",
        "frame.to_html()",
        "SafeString(text)",
        "{{ figure|safe }} {# safe: built by plotly from constants only #}",
        "return mark_safe(icon)  # safe: a literal SVG from this file",
        "{{ name }}",
    ]
    assert [o.split(": ", 1)[1] for o in offenders([("t", lines)])] == lines[:7]


def test_no_template_comment_spans_lines():
    """Django's {# #} comment ends at its line: one split over two lines reaches the reader
    as text (the firm-table upload page showed its developer's note). Longer notes use
    {% comment %}."""
    split = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert split == []
