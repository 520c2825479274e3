"""Back-office screens of the file imports."""

app_name = "imports"
urlpatterns: list = []
