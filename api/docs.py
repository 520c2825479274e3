"""Browsable API documentation: Swagger UI from static/vendor, scripts from this site only (CSP)."""

from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SwaggerDocs(SpectacularSwaggerSplitView):
    """The page loads Swagger UI vendored from npm (scripts/vendor-static.sh), never a CDN, and
    its start-up script from `?script`, since the Content-Security-Policy forbids inline scripts."""

    template_name = "api/swagger_ui.html"
    permission_classes = [AllowAny]
    authentication_classes = []
