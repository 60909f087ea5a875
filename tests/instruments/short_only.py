"""A short-only translation for tests: the shipped Arabic file cut down to the texts of the
registration and the short forms, as the evaluation translated them (doc 1011-1013)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from peerlog.instruments import clear_cache
from peerlog.instruments.loader import (
    TRANSLATIONS_DIR,
    TRANSLATIONS_ENV,
    candidate_keys,
    load_instrument,
    source_texts,
)

SHORT_ONLY = ("registration", "monthly_short", "quarterly_short")


def short_only_strings() -> dict:
    shipped = yaml.safe_load((TRANSLATIONS_DIR / "ar.yaml").read_text("utf-8"))
    strings = shipped["strings"]
    keep = {}
    for code in SHORT_ONLY:
        inst = load_instrument(code)
        for key, _text in source_texts(inst):
            hit = next((c for c in candidate_keys(inst, key) if c in strings), None)
            if hit is not None:
                keep[hit] = strings[hit]
    return {"language": {**shipped["language"], "status": "validated"}, "strings": keep}


def _clear() -> None:
    clear_cache()
    pages = sys.modules.get("peerlog.capture.views.pages")
    if pages is not None:
        pages._instrument.cache_clear()


@contextlib.contextmanager
def short_only_arabic(directory: Path, monkeypatch: pytest.MonkeyPatch,
                      strings: dict | None = None) -> Iterator[Path]:
    """PEERLOG_TRANSLATIONS_DIR=directory holding a short-only ``ar.yaml`` (it replaces the
    shipped one) for the duration."""
    data = strings or short_only_strings()
    (directory / "ar.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    monkeypatch.setenv(TRANSLATIONS_ENV, str(directory))
    _clear()
    try:
        yield directory
    finally:
        monkeypatch.delenv(TRANSLATIONS_ENV)
        _clear()
