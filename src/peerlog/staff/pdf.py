"""Printable PDFs (WeasyPrint): personal ID slips and paper forms.

Paper forms are rendered from the same definitions as the web forms (:mod:`.layout`), in any
shipped language, optionally with a personal ID printed in its boxes. The peer support grid
has one clear numeric box per cell, labelled "number of times", so a number is written
where the evaluation's forms invited a tick.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from peerlog.capture import personal_ids
from peerlog.capture.models import PersonalIdBatch
from peerlog.instruments import languages
from peerlog.staff.layout import instrument_for, paper_layout


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango takes a moment

    return HTML(string=html).write_pdf()


def slips_pdf(batch: PersonalIdBatch) -> bytes:
    ids = [personal_ids.display(code) for code in
           batch.ids.order_by("code").values_list("code", flat=True)]
    from django.conf import settings
    from django.urls import reverse

    from peerlog.capture.programme import instrument_settings
    from peerlog.capture.views.registration import qr_svg

    address = settings.PEERLOG["SITE_URL"] + reverse("capture:register")
    html = render_to_string("staff/pdf/slips.html", {
        "batch": batch, "ids": ids, "address": address, "support": instrument_settings(),
        "qr": qr_svg(address, "QR code of the registration address")})
    return html_to_pdf(html)


def paper_form_html(code: str, language: str = "en", personal_id: str = "") -> str:
    instrument = instrument_for(code, language)
    lang = next((x for x in languages() if x.code == language), None)
    with translation.override(language):
        return render_to_string("staff/pdf/paper_form.html", {
            "instrument": instrument,
            "sections": paper_layout(instrument),
            "language": language,
            "direction": lang.direction if lang else "ltr",
            "personal_id": personal_ids.display(personal_id) if personal_id else "",
            "id_digits": list(personal_id) if personal_id else [],
        })


def paper_form_pdf(code: str, language: str = "en", personal_id: str = "") -> bytes:
    return html_to_pdf(paper_form_html(code, language, personal_id))
