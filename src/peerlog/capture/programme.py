"""The programme's own names and numbers, as the instrument texts' placeholders want them.

Definitions say ``{online_network}`` or ``{personal_id_length}``; every page, paper form
and reference table fills them from the same settings through :func:`instrument_settings`.
"""

from __future__ import annotations

from django.conf import settings


def instrument_settings() -> dict[str, str]:
    peerlog = settings.PEERLOG
    return {
        "online_network": peerlog["ONLINE_NETWORK_NAME"],
        # the random digits plus the check digit
        "personal_id_length": str(peerlog["PERSONAL_ID_DIGITS"] + 1),
        "contact_name": peerlog["SUPPORT_NAME"],
        "contact_email": peerlog["SUPPORT_EMAIL"],
        "contact_phone": peerlog["SUPPORT_PHONE"],
    }
