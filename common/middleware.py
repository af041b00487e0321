"""Headers Django's SecurityMiddleware does not set: CSP and no-store caching."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Every asset is served by the project itself; no inline script anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# The API docs page (Swagger UI) needs inline style attributes.
_DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = _DOCS_POLICY if request.path.startswith("/api/docs") else None
        response.headers.setdefault(
            "Content-Security-Policy", policy or CONTENT_SECURITY_POLICY
        )
        # Personal data must never sit in a shared phone's or a proxy's cache.
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
