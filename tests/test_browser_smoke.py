"""The browser test tools work here: Chromium starts, axe-core runs and finds a real problem."""


def test_axe_finds_a_missing_label_and_passes_a_labelled_field(chromium, axe):
    page = chromium.new_page()
    page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                     '<input type="text"></main></body></html>')
    assert "label" in {v["id"] for v in axe(page)}
    page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                     '<label for="a">Name</label><input id="a" type="text"></main></body></html>')
    assert axe(page) == []
    page.close()
