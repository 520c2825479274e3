"""Answer templates: the managers' screens, and the preview of the drafting step."""

from django.urls import path

from answers import views

app_name = "answers"
urlpatterns = [
    path("modeles-de-reponse/", views.template_list, name="list"),
    path("modeles-de-reponse/nouveau/", views.template_create, name="create"),
    path("modeles-de-reponse/<int:pk>/", views.template_detail, name="detail"),
    path("modeles-de-reponse/<int:pk>/modifier/", views.template_edit, name="edit"),
    path("modeles-de-reponse/<int:pk>/desactiver/", views.template_deactivate, name="deactivate"),
    path("modeles-de-reponse/<int:pk>/reactiver/", views.template_reactivate, name="reactivate"),
    path("reclamations/<int:pk>/modeles-de-reponse/<int:template_pk>/apercu/", views.preview, name="preview"),
]
