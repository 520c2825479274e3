"""The REST API under /api/v1/, its OpenAPI schema and its offline documentation."""

app_name = "api"
urlpatterns: list = []
