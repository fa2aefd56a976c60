"""HTML and JSON compressed where that cannot leak a secret (BREACH), the shared part once.

BREACH recovers a secret from a compressed response's size when the same response also
reflects text the attacker chose. So a response is compressed only when it holds no secret of
the person asking: every response to an anonymous visitor (the public library; the login
form's CSRF token is masked anew on every response, and Django's GZipMiddleware pads each
response at random, "Heal the BREACH"), and the library pages cached per data version
(cases/derived.py), whose content is the same for everyone. Pages of a signed-in officer
that show their assessments or reflect their input are sent uncompressed.

Compressing a 470 kB page (the paper) costs 20 ms, more than rendering it from the cache. So
the shared part of a library page is deflated once, when it is cached, and each response
deflates only what surrounds it (the navigation, a few kB) and splices the three into one
gzip stream: deflate blocks that end on a byte boundary (a sync flush) may be followed by
other blocks, and a compressor started afresh refers back to nothing before it (RFC 1951).
"""

import gzip
import secrets
import struct
import zlib

from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers

# Set on a response by cases.derived.render_library_page: nothing in it is the user's.
SHARED_CONTENT = "clusterdx_shared_content"
# Set with it: the shared parts, in the order they occur in the response, each as (UTF-8
# bytes, those bytes deflated by `deflate_part`).
DEFLATED_PARTS = "clusterdx_deflated_parts"
LEVEL = 6  # as Django's GZipMiddleware


def deflate_part(data: bytes) -> bytes:
    """`data` as raw deflate blocks that end on a byte boundary and are not the last, so that
    they can stand between the blocks of other parts of one gzip stream."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def gzip_around(content: bytes, parts: list[tuple[bytes, bytes]], max_random_bytes: int) -> bytes:
    """`content` gzipped, the `parts` (bytes, deflated), which occur in it in this order, taken
    as deflated already (see the module); what lies between them is deflated now. The header's
    file name is padded at random, as Django's `compress_string` does."""
    header = bytes([0x1F, 0x8B, 8, gzip.FNAME, 0, 0, 0, 0, 0, 255])
    chunks = [header, b"a" * secrets.randbelow(max_random_bytes) + b"\x00"]
    position = 0
    for part, deflated in parts:
        at = content.find(part, position) if part else -1
        if at < 0:
            raise ValueError("A shared part is not in the response (or not in this order).")
        chunks += [deflate_part(content[position:at]), deflated]
        position = at + len(part)
    tail = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    chunks.append(tail.compress(content[position:]) + tail.flush())
    chunks.append(struct.pack("<II", zlib.crc32(content), len(content) & 0xFFFFFFFF))
    return b"".join(chunks)


class SafeGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        user = getattr(request, "user", None)
        anonymous = user is None or not user.is_authenticated
        if not (anonymous or getattr(response, SHARED_CONTENT, False)):
            return response
        parts = getattr(response, DEFLATED_PARTS, None)
        if parts is None or response.streaming or response.has_header("Content-Encoding"):
            return super().process_response(request, response)
        # GZipMiddleware's steps for a whole response, with the shared part deflated already.
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        response.content = gzip_around(response.content, parts, self.max_random_bytes)
        response.headers["Content-Length"] = str(len(response.content))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
