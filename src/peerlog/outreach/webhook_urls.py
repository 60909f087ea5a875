"""Public endpoints of the outreach app (mounted at /sms/): the SMS provider's webhook."""

from django.urls import path

from peerlog.outreach import inbound

app_name = "sms"
urlpatterns = [
    path("inbound/", inbound.inbound_sms, name="inbound"),
]
