"""The paper layout of an instrument, shared by the printed form and the entry screen.

Both read the same definition and the same layout, so the entry screen shows the fields in
the order and shape of the paper in the staff member's hand: the peer support grid as a grid
(rows = kinds of peer support, columns = giving / receiving), scales as a matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from peerlog.capture.programme import instrument_settings
from peerlog.instruments import languages, load_instrument
from peerlog.instruments.model import Group, Instrument, Item, Option

PAPER_INSTRUMENTS = ("registration", "monthly", "quarterly", "monthly_short", "quarterly_short")
ENTRY_INSTRUMENTS = ("monthly", "quarterly", "monthly_short", "quarterly_short", "registration")


@dataclass
class GridRow:
    code: str
    text: str
    help: str | None
    cells: list[Item | None]


@dataclass
class PaperGroup:
    group: Group
    layout: str
    items: tuple[Item, ...]
    options: tuple[Option, ...] = ()
    columns: tuple = ()
    rows: list[GridRow] = field(default_factory=list)


@dataclass
class PaperSection:
    code: str
    title: str
    intro: str | None
    groups: list[PaperGroup]


def shipped_languages() -> list[Any]:
    """Languages a paper form may be printed in: every language the definitions ship."""
    return list(languages())


def instrument_for(code: str, language: str = "en") -> Instrument:
    inst = load_instrument(code)
    if language != "en":
        inst = inst.translated(language)
    return inst.rendered(instrument_settings())


def paper_layout(instrument: Instrument) -> list[PaperSection]:
    sections = []
    for s in instrument.sections:
        groups = []
        for g in s.groups:
            if g.layout == "peer_support_grid":
                by_cell = {(i.row, i.column): i for i in g.items}
                rows = [GridRow(r.code, r.text, r.help, [by_cell.get((r.code, c.code))
                                                         for c in g.columns]) for r in g.rows]
                groups.append(PaperGroup(g, "grid", g.items, columns=g.columns, rows=rows))
            elif g.layout == "scale" and g.options and all(i.options == g.options
                                                           for i in g.items):
                groups.append(PaperGroup(g, "scale", g.items, options=g.options))
            else:
                groups.append(PaperGroup(g, "list", g.items))
        sections.append(PaperSection(s.code, s.title, s.intro, groups))
    return sections
