from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/remise/", views.delivery_receipt, name="delivery_receipt"),
]
