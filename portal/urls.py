"""Public pages, no login: file a complaint and track it."""

app_name = "portal"
urlpatterns: list = []
