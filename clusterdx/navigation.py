"""The main navigation (templates/base.html): which item is the page's, and where Compare
leads. One context processor, `navigation`, so every page that extends base.html gets it."""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from django.urls import reverse

# The item each page belongs to, by URL namespace and name; a namespace's "*" is the item of
# its other pages. A page listed nowhere (home, sign-in) has no current item, and a page has
# one at most: the item is chosen by its own name, not by a prefix its address shares with
# another item's (/library/imports/ is in the "cases" namespace but is not a case page).
SECTIONS: dict[str, dict[str, str]] = {
    "cases": {
        "list": "cases",
        "detail": "cases",
        "paper": "paper",
        "sources": "sources",
        "source": "sources",
        "imports": "imports",
        "import": "imports",
        "import-row": "imports",
        "import-confirm": "imports",
        "import-undo": "imports",
    },
    "checklist": {"method": "method", "case-scorecard": "cases", "*": "assess"},
    "compare": {"*": "compare"},
    "firms": {"upload-case": "cases", "upload-assessment": "assess"},
}


def section_of(namespace: str, url_name: str) -> str:
    """The navigation item of the page named `namespace:url_name`, or "" for none."""
    names = SECTIONS.get(namespace, {})
    return names.get(url_name, names.get("*", ""))


class Navigation:
    """What base.html's navigation needs, each part worked out only when the page uses it."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def current(self) -> str:
        match = getattr(self.request, "resolver_match", None)  # none on a 404 page
        return section_of(match.namespace, match.url_name) if match else ""

    @cached_property
    def compare_url(self) -> str:
        """A comparison of every case of the library (cases are public), in library order,
        up to the most a comparison takes. One query, on every page with the navigation."""
        from cases.models import CaseStudy  # models load after the settings read this module
        from compare.forms import MAX_SUBJECTS

        slugs = CaseStudy.objects.values_list("slug", flat=True)[:MAX_SUBJECTS]
        query = urlencode([("case", slug) for slug in slugs])
        return reverse("compare:page") + (f"?{query}" if query else "")


def navigation(request) -> dict:
    return {"nav": Navigation(request)}
