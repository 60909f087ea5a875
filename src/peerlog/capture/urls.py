"""URLs of the participant pages (mounted at ``/``)."""

from django.urls import path

from peerlog.capture import views
from peerlog.capture.views import (
    contact,
    crisis,
    information,
    leaving,
    logs,
    newlink,
    registration,
)

app_name = "capture"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", registration.start, name="register"),
    path("register/done/", registration.done, name="register_done"),
    path("register/<slug:step>/", registration.step, name="register_step"),
    path("help/", crisis.crisis, name="crisis"),
    path("information/", information.information, name="information"),
    path("link/new/", newlink.new_link, name="new_link"),
    path("link/new/sent/", newlink.new_link_sent, name="new_link_sent"),
    path("l/<str:token>/", logs.link, name="link"),
    path("l/<str:token>/log/<slug:section>/", logs.log_page, name="log_page"),
    path("l/<str:token>/thanks/", logs.thanks, name="thanks"),
    path("l/<str:token>/change/", logs.change, name="change"),
    path("l/<str:token>/change/<slug:section>/", logs.change_page, name="change_page"),
    path("l/<str:token>/progress/", logs.my_progress, name="progress"),
    path("l/<str:token>/contact/", contact.contact, name="contact"),
    path("l/<str:token>/leaving/", leaving.leaving, name="leaving"),
]
