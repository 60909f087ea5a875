"""Reference data: the regions, taken from the registration form's own options.

The registration definition is the one source of truth for region codes and names, so a
programme with other regions edits its definition and reruns this (it is idempotent).
"""

from __future__ import annotations

from peerlog.capture.models import Region
from peerlog.capture.programme import instrument_settings
from peerlog.instruments import load_instrument


def load_reference() -> int:
    """Create or rename regions to match the definition; returns how many exist."""
    # Rendered, so the online network's region is named (e.g. "Elefriends"), not
    # "{online_network}".
    item = load_instrument("registration").rendered(instrument_settings()).items["region"]
    for option in item.options:
        Region.objects.update_or_create(code=str(option.value), defaults={"name": option.text})
    return Region.objects.count()
