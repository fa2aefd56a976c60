"""Everything derived from the case library, computed once per data version and shared.

The library changes only when its data changes (a load, an admin edit, an import or an undo),
and every such change moves `LibraryVersion`: the loader itself, every other writer by one call
of `LibraryVersion.objects.record_change(what)` in the transaction of its writes. So profiles,
scorecards, API payloads, figures and the rendered library parts of pages are kept in Django's
cache under a key that names the data version (and the engine version, for anything scored):
a change makes a new key, so a stale value is never read again; old entries simply age out of
the cache. Nothing per-user goes in here: pages are cached as the parts rendered without the
request (title, head, content) and the navigation, messages and CSRF token are rendered around
them on every request.

The cache backend is the `CACHES["default"]` of settings (a database table by default, shared by
every process of every machine that uses the same database).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from hashlib import sha256
from threading import Lock
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from clusterdx.compression import DEFLATED_PARTS, SHARED_CONTENT, deflate_part
from engine.criteria import ENGINE_VERSION

from .models import LibraryVersion

# The blocks of a library page that are cached, rendered through the one-template base
# `includes/page_parts.html`; everything else of base.html is rendered per request.
PAGE_BLOCKS = ("title", "head", "content")
PART_SEPARATOR = "\n<!-- clusterdx:page-part -->\n"
# Entries live until culled: their key changes when the data does, so age is no reason to drop.
FOREVER = None


def library_key() -> str:
    """The data version and engine version everything derived is keyed by (one query).

    The time of the change is part of it, so a database that is emptied and loaded again (whose
    version count may start over) never meets the entries of an earlier life."""
    row = LibraryVersion.objects.current()
    stamp = row.changed_at.timestamp() if row.changed_at else 0
    return f"{row.version}-{stamp:.6f}-engine{ENGINE_VERSION}"


def _cache_key(version: str, name: str, parts: tuple[Hashable, ...]) -> str:
    # Hashed: memcached refuses keys over 250 characters or with spaces, and slugs and query
    # values are user input.
    digest = sha256(repr((version, name, parts)).encode()).hexdigest()
    return f"library:{name}:{digest}"


class _ProcessMemo:
    """The values this process read last, by cache key, in front of the shared cache: a big
    page's parts are then neither fetched from the cache table nor unpickled per request.
    Safe for the same reason as the shared cache: the key names the data version, read from
    the database on every request. Only for values nobody mutates (rendered parts, bytes)."""

    def __init__(self, size: int):
        self.size, self.values, self.lock = size, OrderedDict(), Lock()

    def get(self, key: str):
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


# About 30 pages' parts (the paper's are the biggest, 0.6 MB), the five cases' comparison
# subjects (about 1 MB each) and recent comparisons: some tens of MB per process at most.
process_memo = _ProcessMemo(size=64)


def derived(
    name: str,
    *parts: Hashable,
    build: Callable[[], Any],
    version: str | None = None,
    immutable: bool = False,
    timeout: int | None = FOREVER,
):
    """The value `build()` returns, computed at most once per data version for `name` and
    `parts` (e.g. a slug) and then read from the shared cache. `build` must depend on nothing
    but the library and `parts`, and its result must pickle. An `immutable` value (one no
    caller changes) is also kept in this process (`process_memo`). A value whose key names
    something that changes often (an assessment's answers) gets a `timeout`, so that the
    cache drops it before the library's own values when it is full."""
    key = _cache_key(version or library_key(), name, parts)
    value = process_memo.get(key) if immutable else None
    if value is None:
        value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    if immutable:
        process_memo.put(key, value)
    return value


def derived_many(
    name: str,
    keys: list[Hashable],
    *,
    build_missing: Callable[[list[Hashable]], dict[Hashable, Any]],
    version: str | None = None,
    immutable: bool = False,
    timeout: int | None = FOREVER,
) -> dict[Hashable, Any]:
    """`derived` for several keys (e.g. the slugs of a comparison) in one cache read: the
    missing ones are built together by `build_missing(missing_keys) -> {key: value}`, so that a
    cold cache costs one query set for all of them, not one per key. `immutable` values are
    also kept in this process, as for `derived` (a case's comparison subject holds some 800
    model rows, which cost far more to unpickle on each request than to keep)."""
    version = version or library_key()
    cache_keys = {key: _cache_key(version, name, (key,)) for key in keys}
    values = {}
    if immutable:
        for key, ck in cache_keys.items():
            value = process_memo.get(ck)
            if value is not None:
                values[key] = value
    wanted = [ck for key, ck in cache_keys.items() if key not in values]
    found = cache.get_many(wanted) if wanted else {}
    values.update({key: found[ck] for key, ck in cache_keys.items() if ck in found})
    missing = [key for key in keys if key not in values]
    if missing:
        built = build_missing(missing)
        cache.set_many({cache_keys[key]: value for key, value in built.items()}, timeout)
        values.update(built)
    if immutable:
        for key, value in values.items():
            process_memo.put(cache_keys[key], value)
    return values


def _render_parts(template: str, context: dict) -> tuple:
    """The page's title, head and content (autoescaped template output), and the content as
    UTF-8 bytes with those bytes deflated, for the compression of each response."""
    # No request: what is cached cannot hold a user, a CSRF token or a message.
    html = render_to_string(template, {**context, "page_base": "includes/page_parts.html"})
    parts = html.split(PART_SEPARATOR)
    if len(parts) != len(PAGE_BLOCKS):
        raise ValueError(f"{template} rendered {len(parts)} parts, expected {len(PAGE_BLOCKS)}.")
    # safe: each part is a piece of autoescaped template output, cut at the separator; stored
    # text cannot forge the separator, as autoescaping turns its "<" into "&lt;"
    return (*(SafeString(part) for part in parts), deflated_part(parts[-1]))  # safe: as above


def deflated_part(html: str) -> tuple[bytes, bytes]:
    """A shared part of pages as UTF-8 bytes and those bytes deflated (for `mark_shared`)."""
    data = html.encode()
    return data, deflate_part(data)


def mark_shared(response, deflated_parts: list[tuple[bytes, bytes]]):
    """Mark `response` as holding nothing of the user's, so it may be compressed, with the
    parts of it deflated already (clusterdx/compression.py)."""
    setattr(response, SHARED_CONTENT, True)
    setattr(response, DEFLATED_PARTS, deflated_parts)
    return response


def render_library_page(
    request,
    template: str,
    name: str,
    *parts: Hashable,
    build_context: Callable[[], dict],
    request_part: str | None = None,
    request_context: dict | None = None,
    status: int = 200,
):
    """Render `template` (which extends `page_base|default:"base.html"`) for this request, its
    title, head and content blocks taken from the cache of this data version, so that neither
    the queries of `build_context` nor the rendering of the content run once cached.

    `request_part`, a template rendered with `request_context` after the content on every
    request, holds what depends on who asks (an admin's tools); it must not show a secret,
    as the page may be compressed."""
    title, head, content, deflated_content = derived(
        f"page:{name}",
        *parts,
        build=lambda: _render_parts(template, build_context()),
        immutable=True,
    )
    response = render(
        request,
        "includes/library_page.html",
        {
            "cached_title": title,
            "cached_head": head,
            "cached_content": content,
            "request_part": request_part,
            **(request_context or {}),
        },
        status=status,
    )
    return mark_shared(response, [deflated_content])


def json_response(name: str, *parts: Hashable, build: Callable[[], Any], **dumps_params):
    """A JSON payload of the library (`build()`), serialized and deflated once per data
    version, as JsonResponse would send it (`dumps_params` as its `json_dumps_params`)."""

    def encoded() -> tuple[bytes, bytes]:
        return deflated_part(json.dumps(build(), cls=DjangoJSONEncoder, **dumps_params))

    body, deflated = derived(f"json:{name}", *parts, build=encoded, immutable=True)
    return mark_shared(HttpResponse(body, content_type="application/json"), [(body, deflated)])
