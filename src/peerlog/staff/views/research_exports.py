"""Item-level research exports in the console: the files ``peerlog export`` writes.

Central researchers only; every download is audited. The same logs as the contract files
(complete; people who asked for their data to be removed left out). Free text, which may hold
names, is never offered here: it needs ``peerlog export --include-free-text``, audited too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from peerlog.capture import audit
from peerlog.export import items
from peerlog.staff.access import role_required
from peerlog.staff.views.common import CENTRAL

FILES = {
    "items.csv": ("text/csv; charset=utf-8", False),
    "items_wide.csv": ("text/csv; charset=utf-8", False),
    "items_wide.sav": ("application/x-spss-sav", True),
    "items_wide.dta": ("application/x-stata-dta", True),
}


@role_required(CENTRAL)
def research_exports(request):
    return render(request, "staff/research_exports.html", {"files": list(FILES)})


@role_required(CENTRAL)
@never_cache
def research_export_file(request, name: str):
    if name not in FILES:
        raise Http404
    content_type, labelled = FILES[name]
    with tempfile.TemporaryDirectory(prefix="peerlog-items-") as folder:
        counts = items.write_from_db(Path(folder), include_free_text=False, labelled=labelled)
        # The open file outlives the folder (POSIX): nothing stays behind on disk.
        handle = (Path(folder) / name).open("rb")
    audit.record(request.user, "export", name, via="staff console", **counts)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
