"""Warm the cache of derived library data after a change, so that the first viewer of a page
does not pay for drawing it (the five-case comparison took 10 s cold, a case page 1-2 s).

Each library page is asked of its own view, as an anonymous visitor would ask it, so exactly
what a request would cache is cached (the keys name the data version, not the request). Run by
`manage.py warm_cache` (bin/serve runs it after `load_cases`) and, after a change made in the
admin, by an import or by an undo, by the background task `cases.tasks.warm_library_cache`,
which `LibraryVersion.objects.record_change` queues once the change is committed.

The JSON API is left out: its payloads name the host they were asked on, which a warm-up
cannot know, and they cost a few hundred milliseconds cold, not seconds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory
from django.urls import resolve, reverse

from .models import CaseStudy, Source

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Warmed:
    url: str
    status: int
    seconds: float


def warmed_urls() -> list[str]:
    """The library pages whose drawing is cached: the case list, each case's page and
    scorecard, each source with a text, and the comparison of every case (in the library's
    order, as the compare form sends them), which also caches each case's comparison subject
    for any comparison with assessments."""
    slugs = list(CaseStudy.objects.values_list("slug", flat=True))
    urls = [reverse("cases:list")]
    for slug in slugs:
        urls += [reverse("cases:detail", args=[slug]),
                 reverse("checklist:case-scorecard", args=[slug])]  # fmt: skip
    sources = Source.objects.exclude(text="").values_list("slug", flat=True)
    urls += [Source(slug=slug).get_absolute_url() for slug in sources]
    if slugs:
        urls.append(f"{reverse('compare:page')}?{urlencode([('case', s) for s in slugs])}")
    return urls


def warm_library_cache(progress=None) -> list[Warmed]:
    """Draw every page of `warmed_urls` that is not cached yet (a cached one costs a read)."""
    factory, done = RequestFactory(), []
    for url in warmed_urls():
        request = factory.get(url)
        request.user = AnonymousUser()
        match = resolve(request.path_info)
        start = time.perf_counter()
        response = match.func(request, *match.args, **match.kwargs)
        done.append(Warmed(url, response.status_code, time.perf_counter() - start))
        if progress:
            progress(done[-1])
    return done


def schedule_warming() -> None:
    """Queue a warm-up for when the current transaction commits (at once outside one)."""
    if settings.WARM_LIBRARY_CACHE:
        transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from .tasks import warm_library_cache as task

    try:
        task.enqueue()
    except Exception:  # the change is committed: a warm-up that cannot be queued is no error
        logger.exception("Could not queue the warm-up of the library cache.")
