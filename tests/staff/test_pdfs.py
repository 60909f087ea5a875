"""Paper PDFs render: converted to PNG with pdftoppm (poppler-utils) and looked at."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from peerlog.staff.layout import PAPER_INSTRUMENTS, shipped_languages

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None and not __import__("os").environ.get("CI"),
    reason="pdftoppm (poppler-utils) is installed by `make browser`",
)


def page_png(pdf: bytes, tmp_path, page: int = 1, dpi: int = 60):
    from PIL import Image

    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(path), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("L")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def ink(image) -> float:
    """Share of the page that is not white."""
    histogram = image.histogram()
    return 1 - sum(histogram[200:]) / sum(histogram)


@pytest.mark.parametrize("code", PAPER_INSTRUMENTS)
@pytest.mark.parametrize("language", [lang.code for lang in shipped_languages()])
def test_every_paper_form_renders_in_every_language(code, language, tmp_path):
    from peerlog.staff.pdf import paper_form_pdf

    pdf = paper_form_pdf(code, language)
    assert pdf.startswith(b"%PDF")
    image = page_png(pdf, tmp_path)
    assert image.size[0] > 400 and image.size[1] > 600  # A4 portrait
    assert 0.01 < ink(image) < 0.5  # text and boxes, neither blank nor a black page


def test_a_prefilled_form_prints_the_id_and_numeric_grid_boxes(tmp_path):
    from peerlog.staff.pdf import paper_form_pdf

    pdf = paper_form_pdf("monthly", "en", "483920")
    text = pdf_text(pdf, tmp_path)
    assert "ID 483 920" in text  # in the page header
    assert "4 8 3 9 2 0" in text.replace("  ", " ") or "483920" in text.replace(" ", "")
    assert text.count("number of times") >= 16  # a box in each of the 16 grid cells
    assert "Please do not tick" in text
    image = page_png(pdf, tmp_path, dpi=50)
    (tmp_path / "keep").mkdir()
    image.save(tmp_path / "keep" / "monthly-1.png")  # for a human look: pytest --basetemp


@pytest.mark.django_db
def test_slips_print_every_id_of_the_batch(client, project_factory, make_staff, tmp_path):
    from peerlog.capture import personal_ids
    from peerlog.staff.views.ids import issue_batch

    project = project_factory(name="Harbour Peers")
    coordinator = make_staff("coordinator", projects=[project])
    batch = issue_batch(project, 12, coordinator)
    codes = list(batch.ids.values_list("code", flat=True))
    assert len(set(codes)) == 12 and all(personal_ids.is_valid(c) for c in codes)
    client.force_login(coordinator)
    response = client.get(f"/staff/ids/{batch.pk}/slips.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for code in codes:
        assert personal_ids.display(code) in text
    assert ink(page_png(response.content, tmp_path)) > 0.01
