"""Frozen, Django-free objects describing a questionnaire.

Every consumer (web form, paper form, codebook, export labels, scoring) reads these objects, so
they are immutable: a form can be shared between threads and cached without defensive copies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any

#: Stored value for a peer-support box that was ticked instead of given a number.
TICKED = "ticked"
#: Stored value when a participant chose "Prefer not to answer".
PREFER_NOT = "prefer_not_to_answer"

ITEM_TYPES = frozenset(
    {"single", "multi", "integer", "count", "text", "date", "email", "phone", "postal",
     "personal_id"}
)
CHOICE_TYPES = frozenset({"single", "multi"})
NUMBER_TYPES = frozenset({"integer", "count"})
LAYOUTS = frozenset({"list", "scale", "peer_support_grid"})
KINDS = frozenset({"registration", "monthly", "quarterly"})
VERSIONS = frozenset({"full", "short"})

#: Programme-specific names used as ``{placeholders}`` in texts, with the evaluation's values.
DEFAULT_SETTINGS: Mapping[str, str] = MappingProxyType(
    {
        "online_network": "Elefriends",
        "programme_name": "Side by Side",
        "personal_id_length": "6",
        "programme_partners": "Mind, Bipolar UK and Depression Alliance",
        # Neutral, fictional contacts: the evaluation's real ones must not reach participants.
        "contact_name": "the PeerLog team",
        "contact_email": "peerlog-support@example.org",
        "contact_phone": "0113 496 0000",
        "prize_individual": "£25",
        "prize_project": "£50",
        "prize_final": "£50",
    }
)

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in ``text`` (the loader rejects unknown ones)."""
    return set(_PLACEHOLDER.findall(text))


def render_text(text: str | None, settings: Mapping[str, str] | None = None) -> str | None:
    """Fill programme-specific placeholders, so one definition serves every programme.

    Unknown placeholders are left as they are rather than raising, so a text with literal braces
    never crashes a page.
    """
    if text is None:
        return None
    values = {**DEFAULT_SETTINGS, **(settings or {})}
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


@dataclass(frozen=True)
class Option:
    """One response option; ``value`` is what is stored (ints for scored scale levels)."""

    value: int | str
    text: str
    group: str | None = None  # broad category, e.g. the ethnic group of an ethnicity option


@dataclass(frozen=True)
class AskIf:
    """Show an item only when another item's answer is (or, for multi, includes) one of ``in_``."""

    item: str
    in_: tuple[int | str, ...]

    def applies(self, answers: Mapping[str, object]) -> bool:
        """Whether the condition holds for ``answers`` (as stored)."""
        given = answers.get(self.item)
        if isinstance(given, list | tuple | set | frozenset):
            return any(v in self.in_ for v in given)
        return given in self.in_


@dataclass(frozen=True)
class GridLabel:
    """A row or column of a table of items (peer-support grid, service-use tables)."""

    code: str
    text: str
    help: str | None = None


@dataclass(frozen=True)
class Item:
    """One question. ``optional`` defaults to True: peers may leave any question out."""

    code: str
    type: str
    text: str
    help: str | None = None
    options: tuple[Option, ...] = ()
    min: int | None = None
    max: int | None = None
    optional: bool = True
    prefer_not: bool = False
    contact: bool = False
    ask_if: AskIf | None = None
    row: str | None = None
    column: str | None = None
    section: str = ""
    group: str = ""
    derived_text: bool = False  # text built from row and column labels (table cells)

    def option(self, value: object) -> Option | None:
        """The option stored as ``value``, or None."""
        for opt in self.options:
            if opt.value == value:
                return opt
        return None

    @property
    def option_values(self) -> tuple[int | str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Group:
    """Items shown together; ``layout`` tells renderers how (list, scale matrix or grid)."""

    code: str
    items: tuple[Item, ...]
    layout: str = "list"
    title: str | None = None
    instructions: str | None = None
    options: tuple[Option, ...] = ()
    rows: tuple[GridLabel, ...] = ()
    columns: tuple[GridLabel, ...] = ()


@dataclass(frozen=True)
class Section:
    """One web page of a form, in order."""

    code: str
    title: str  # in plain words ("How you have been feeling")
    groups: tuple[Group, ...]
    intro: str | None = None
    outro: str | None = None
    scale: str | None = None  # the questionnaire's own name, shown in small print

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for group in self.groups for item in group.items)


@dataclass(frozen=True)
class Language:
    """A language the forms can be shown in; ``status`` says how far its texts can be trusted."""

    code: str
    name: str
    direction: str = "ltr"
    status: str = "unvalidated"  # source | validated | unvalidated | test


@dataclass(frozen=True)
class Instrument:
    """A whole form (registration, monthly or quarterly log; full or short)."""

    code: str
    kind: str
    version: str
    title: str
    sections: tuple[Section, ...]
    intro: str | None = None
    outro: str | None = None
    language: str = "en"
    base: str | None = None
    lineage: tuple[str, ...] = ()  # base, base of base, ...: where inherited texts come from

    @cached_property
    def items(self) -> Mapping[str, Item]:
        """Ordered, read-only mapping code -> Item over all sections."""
        return MappingProxyType({i.code: i for s in self.sections for i in s.items})

    @cached_property
    def groups(self) -> Mapping[str, Group]:
        return MappingProxyType({g.code: g for s in self.sections for g in s.groups})

    def item(self, code: str) -> Item:
        return self.items[code]

    def translated(self, language: str, strict: bool | None = None) -> Instrument:
        """This form with every text in ``language`` (see loader.translate for ``strict``)."""
        from .loader import translate  # late import: loader builds on this module

        return translate(self, language, strict=strict)

    def rendered(self, settings: Mapping[str, str] | None = None) -> Instrument:
        """This form with programme placeholders (e.g. ``{online_network}``) filled in."""
        return map_texts(self, lambda _key, text: render_text(text, settings))


def grid_text(row: GridLabel | None, column: GridLabel | None) -> str:
    """Question text of a table cell, built from its row and column labels."""
    return " – ".join(lb.text for lb in (row, column) if lb is not None)


def map_texts(instrument: Instrument, fn: Callable[[str, str], str | None]) -> Instrument:
    """Rebuild ``instrument`` with every human-readable text passed through ``fn(key, text)``.

    ``key`` is the shared translation key of the text (``title``/``intro``/``outro`` for the
    instrument's own texts; see docs/instruments.md), which lets translation and placeholder
    rendering share one traversal. Table-cell items whose text is built from their row and
    column labels are rebuilt from the mapped labels, so they need no key of their own.
    """

    def t(key: str, text: str | None) -> Any:
        return None if text is None else fn(key, text)

    def opts(prefix: str, options: tuple[Option, ...]) -> tuple[Option, ...]:
        return tuple(replace(o, text=t(f"{prefix}.option.{o.value}", o.text)) for o in options)

    def labels(prefix: str, labels_: tuple[GridLabel, ...]) -> tuple[GridLabel, ...]:
        return tuple(
            replace(lb, text=t(f"{prefix}.{lb.code}.text", lb.text),
                    help=t(f"{prefix}.{lb.code}.help", lb.help))
            for lb in labels_
        )

    sections = []
    for s in instrument.sections:
        groups = []
        for g in s.groups:
            gk = f"group.{g.code}"
            rows = {lb.code: lb for lb in labels(f"{gk}.row", g.rows)}
            columns = {lb.code: lb for lb in labels(f"{gk}.column", g.columns)}
            group_options = opts(gk, g.options)
            items = []
            for i in g.items:
                if i.derived_text:
                    text = grid_text(rows.get(i.row or ""), columns.get(i.column or ""))
                else:
                    text = t(f"item.{i.code}.text", i.text)
                if g.options and i.options == g.options:
                    options = group_options
                else:
                    options = opts(f"item.{i.code}", i.options)
                items.append(
                    replace(i, text=text, help=t(f"item.{i.code}.help", i.help), options=options)
                )
            groups.append(
                replace(
                    g,
                    items=tuple(items),
                    title=t(f"{gk}.title", g.title),
                    instructions=t(f"{gk}.instructions", g.instructions),
                    options=group_options,
                    rows=tuple(rows.values()),
                    columns=tuple(columns.values()),
                )
            )
        sk = f"section.{s.code}"
        sections.append(
            replace(
                s,
                groups=tuple(groups),
                title=t(f"{sk}.title", s.title),
                intro=t(f"{sk}.intro", s.intro),
                outro=t(f"{sk}.outro", s.outro),
                scale=t(f"{sk}.scale", s.scale),
            )
        )
    return replace(
        instrument,
        sections=tuple(sections),
        title=t("title", instrument.title),
        intro=t("intro", instrument.intro),
        outro=t("outro", instrument.outro),
    )
