"""Codebook: one row per question, generated from the same definitions the forms use.

Researchers and data managers need to know what every stored code means; generating the
codebook from the definitions means it can never drift from the forms.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Mapping

from .model import PREFER_NOT, TICKED, Instrument

COLUMNS = ("instrument", "kind", "version", "section", "group", "item", "type", "text",
           "options", "min", "max", "optional", "prefer_not", "contact", "ask_if")


def rows(instrument: Instrument, language: str = "en",
         settings: Mapping[str, str] | None = None) -> Iterator[dict[str, object]]:
    """Codebook rows for ``instrument`` in ``language``, placeholders filled from ``settings``.

    Contact items are listed (they are questions) but flagged, because the capture layer stores
    them apart and never exports their answers.
    """
    inst = instrument if language == instrument.language else instrument.translated(language)
    inst = inst.rendered(settings)
    for section in inst.sections:
        for group in section.groups:
            for item in group.items:
                options = [f"{o.value}={o.text}" for o in item.options]
                if item.type == "count":
                    options.append(f"{TICKED}=box ticked instead of a number")
                if item.prefer_not:
                    options.append(f"{PREFER_NOT}=Prefer not to answer")
                ask_if = (f"{item.ask_if.item} in {', '.join(map(str, item.ask_if.in_))}"
                          if item.ask_if else "")
                yield {
                    "instrument": inst.code,
                    "kind": inst.kind,
                    "version": inst.version,
                    "section": section.code,
                    "group": group.code,
                    "item": item.code,
                    "type": item.type,
                    "text": item.text,
                    "options": "; ".join(options),
                    "min": "" if item.min is None else item.min,
                    "max": "" if item.max is None else item.max,
                    "optional": item.optional,
                    "prefer_not": item.prefer_not,
                    "contact": item.contact,
                    "ask_if": ask_if,
                }


def write_csv(path: str | os.PathLike[str], instruments: Iterable[Instrument],
              language: str = "en", settings: Mapping[str, str] | None = None) -> int:
    """Write the codebook of ``instruments`` to ``path`` (UTF-8 CSV); returns the row count."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for inst in instruments:
            for row in rows(inst, language, settings):
                writer.writerow(row)
                count += 1
    return count
