from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from pmpp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("preferences/chiffres/", views.set_digits, name="set_digits"),
    # Before the apps' own pages: every API call resolves here without trying their 120 patterns.
    path("api/", include("api.urls")),
    path("", include("grievances.urls")),
    path("", include("stakeholders.urls")),
    path("", include("reporting.urls")),
    path("", include("portal.urls")),
    path("", include("imports.urls")),
    path("", include("privacy.urls")),
    path("", include("answers.urls")),
    path("", include("notifications.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
]

# A database lost outside any view (the session written after it) is a 503, not a 500.
handler500 = "pmpp.db_unavailable.server_error"
