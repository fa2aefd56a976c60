"""HTML and JSON compressed where that cannot leak a secret (BREACH).

BREACH recovers a secret from a compressed response's size when the same response also
reflects text the attacker chose. So a response is compressed only when it holds no secret of
the person asking: every response to an anonymous visitor (the public library; the login
form's CSRF token is masked anew on every response, and Django's GZipMiddleware pads each
response at random, "Heal the BREACH"), and the library pages cached per data version
(cases/derived.py), whose content is the same for everyone. Pages of a signed-in officer
that show their assessments or reflect their input are sent uncompressed.
"""

from django.middleware.gzip import GZipMiddleware

# Set on a response by cases.derived.render_library_page: nothing in it is the user's.
SHARED_CONTENT = "clusterdx_shared_content"


class SafeGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        user = getattr(request, "user", None)
        anonymous = user is None or not user.is_authenticated
        if anonymous or getattr(response, SHARED_CONTENT, False):
            return super().process_response(request, response)
        return response
