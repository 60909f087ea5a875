"""URLs of the outreach app (mounted at /staff/outreach/)."""

from django.urls import path

from peerlog.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("", views.outbox, name="home"),  # the staff console's navigation links here
    path("messages/<int:pk>/decide/", views.decide, name="decide"),
    path("draws/", views.draws, name="draws"),
    path("draws/<int:pk>/", views.draw_detail, name="draw"),
]
