"""Load and validate instrument definitions (YAML) and their translations.

Definitions are data edited by people, so every check fails loudly with the file, the place in
it (item code or ``sections[2].groups[0].items[3]``) and the problem, instead of letting a broken
form reach participants or a wrong score reach the analysis.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .model import (
    CHOICE_TYPES,
    DEFAULT_SETTINGS,
    ITEM_TYPES,
    KINDS,
    LAYOUTS,
    NUMBER_TYPES,
    PREFER_NOT,
    TICKED,
    VERSIONS,
    AskIf,
    GridLabel,
    Group,
    Instrument,
    Item,
    Language,
    Option,
    Section,
    grid_text,
    map_texts,
    placeholders,
)

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
TRANSLATIONS_DIR = DEFINITIONS_DIR / "translations"
#: Colon-separated directories with extra/overriding ``<lang>.yaml`` translation files.
TRANSLATIONS_ENV = "PEERLOG_TRANSLATIONS_DIR"
#: Shipped instruments, in the order catalogues and codebooks list them.
INSTRUMENT_CODES = ("registration", "monthly", "quarterly", "monthly_short", "quarterly_short")
SOURCE_LANGUAGE = "en"
STATUSES = frozenset({"source", "validated", "unvalidated", "test"})
STRICT_STATUSES = frozenset({"source", "validated", "test"})
INSTRUMENT_KEYS = ("title", "intro", "outro")

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# Texts made only of digits and punctuation ("3-4", "9+", "10") need no translation.
_NEUTRAL = re.compile(r"^[\d\s+\-–.,/%]*$")


class DefinitionError(Exception):
    """A definition or translation file is broken; the message names file, place and problem."""


class NotTranslated(DefinitionError):
    """A full form that a translation leaves out (it covers only the short forms, as the
    evaluation's did: doc 1011-1013). Not an error: the form is not offered in that language."""


# --------------------------------------------------------------------------- parsing helpers


class _File:
    """Error reporting bound to one file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def fail(self, where: str, problem: str) -> DefinitionError:
        return DefinitionError(f"{self.path.name}: {where}: {problem}" if where
                               else f"{self.path.name}: {problem}")

    def keys(self, raw: Any, where: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected a mapping, got {type(raw).__name__}")
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(map(str, unknown))}")
        missing = sorted(k for k in required if raw.get(k) in (None, ""))
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        return raw

    def text(self, raw: dict, key: str, where: str, required: bool = False) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"missing {key}")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{key} must be a non-empty string, got {value!r}")
        unknown = placeholders(value) - set(DEFAULT_SETTINGS)
        if unknown:
            raise self.fail(where, f"{key} uses unknown placeholder(s) {sorted(unknown)}")
        return value.strip()

    def code(self, raw: dict, where: str) -> str:
        code = raw.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise self.fail(where, f"code must be snake_case text, got {code!r}")
        return code

    def flag(self, raw: dict, key: str, where: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(where, f"{key} must be true or false, got {value!r}")
        return value


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise DefinitionError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from None


def _options(f: _File, raw: Any, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not raw:
        raise f.fail(where, "options must be a non-empty list")
    out: list[Option] = []
    seen: set[object] = set()
    for n, o in enumerate(raw):
        w = f"{where}.options[{n}]"
        f.keys(o, w, {"value", "text", "group"}, {"value", "text"})
        value = o["value"]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise f.fail(w, f"option value must be an integer or quoted text, got {value!r}")
        if value in (TICKED, PREFER_NOT):
            raise f.fail(w, f"option value {value!r} is reserved")
        if value in seen:
            raise f.fail(w, f"option values not unique: {value!r} appears twice")
        seen.add(value)
        text = f.text(o, "text", w, required=True)
        group = o.get("group")
        if group is not None and not isinstance(group, str):
            raise f.fail(w, f"group must be text, got {group!r}")
        out.append(Option(value=value, text=text or "", group=group))
    return tuple(out)


def _labels(f: _File, raw: Any, where: str) -> tuple[GridLabel, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise f.fail(where, "must be a non-empty list")
    out = []
    for n, lb in enumerate(raw):
        w = f"{where}[{n}]"
        f.keys(lb, w, {"code", "text", "help"}, {"code", "text"})
        out.append(GridLabel(code=f.code(lb, w), text=f.text(lb, "text", w, required=True) or "",
                             help=f.text(lb, "help", w)))
    if len({lb.code for lb in out}) != len(out):
        raise f.fail(where, "codes not unique")
    return tuple(out)


_ITEM_KEYS = {"code", "type", "text", "help", "options", "min", "max", "optional", "prefer_not",
              "contact", "ask_if", "row", "column"}


def _item(f: _File, raw: Any, where: str, group: Group, section: str) -> Item:
    f.keys(raw, where, _ITEM_KEYS, {"code", "type"})
    code = f.code(raw, where)
    where = f"{where} (item {code})"
    type_ = raw["type"]
    if type_ not in ITEM_TYPES:
        raise f.fail(where, f"unknown type {type_!r} (expected one of {sorted(ITEM_TYPES)})")
    row, column = raw.get("row"), raw.get("column")
    rows = {lb.code: lb for lb in group.rows}
    columns = {lb.code: lb for lb in group.columns}
    if row is not None and row not in rows:
        raise f.fail(where, f"row {row!r} is not one of the group's rows {sorted(rows)}")
    if column is not None and column not in columns:
        raise f.fail(where, f"column {column!r} is not one of the group's columns {sorted(columns)}")
    text = f.text(raw, "text", where)
    derived = False
    if text is None:
        if row is None:
            raise f.fail(where, "missing text")
        text, derived = grid_text(rows[row], columns.get(column or "")), True

    options: tuple[Option, ...] = ()
    if "options" in raw:
        options = _options(f, raw["options"], where)
    elif type_ in CHOICE_TYPES and group.options:
        options = group.options
    if type_ in CHOICE_TYPES and not options:
        raise f.fail(where, f"type {type_} needs options")
    if type_ not in CHOICE_TYPES and options:
        raise f.fail(where, f"type {type_} cannot have options")

    lo, hi = raw.get("min"), raw.get("max")
    for key, value in (("min", lo), ("max", hi)):
        if value is None:
            continue
        if type_ not in NUMBER_TYPES:
            raise f.fail(where, f"{key} only applies to integer and count items")
        if isinstance(value, bool) or not isinstance(value, int):
            raise f.fail(where, f"{key} must be an integer, got {value!r}")
    if type_ == "count" and (lo is None or hi is None or lo < 0):
        raise f.fail(where, "count items need min >= 0 and max")
    if lo is not None and hi is not None and lo > hi:
        raise f.fail(where, f"min > max ({lo} > {hi})")

    contact = f.flag(raw, "contact", where, False)
    if contact and type_ not in {"text", "email", "phone", "postal"}:
        raise f.fail(where, f"contact details must be text/email/phone/postal, not {type_}")

    ask_if = None
    if "ask_if" in raw:
        a = f.keys(raw["ask_if"], f"{where}.ask_if", {"item", "in"}, {"item", "in"})
        values = a["in"]
        if not isinstance(values, list) or not values:
            raise f.fail(f"{where}.ask_if", "'in' must be a non-empty list of values")
        ask_if = AskIf(item=str(a["item"]), in_=tuple(values))

    if group.layout == "peer_support_grid" and (type_ != "count" or row is None or column is None):
        raise f.fail(where, "peer_support_grid items must be type count with a row and a column")
    if group.layout == "scale" and (type_ != "single" or options != group.options):
        raise f.fail(where, "scale items must be single choice using the group's options")

    return Item(
        code=code, type=type_, text=text, help=f.text(raw, "help", where), options=options,
        min=lo, max=hi, optional=f.flag(raw, "optional", where, type_ != "personal_id"),
        prefer_not=f.flag(raw, "prefer_not", where, False), contact=contact, ask_if=ask_if,
        row=row, column=column, section=section, group=group.code, derived_text=derived,
    )


_GROUP_KEYS = {"code", "layout", "title", "instructions", "options", "items", "rows", "columns"}


def _group(f: _File, raw: Any, where: str, section: str) -> Group:
    f.keys(raw, where, _GROUP_KEYS, {"code", "items"})
    code = f.code(raw, where)
    layout = raw.get("layout", "list")
    if layout not in LAYOUTS:
        raise f.fail(where, f"unknown layout {layout!r} (expected one of {sorted(LAYOUTS)})")
    shell = Group(
        code=code, items=(), layout=layout, title=f.text(raw, "title", where),
        instructions=f.text(raw, "instructions", where),
        options=_options(f, raw["options"], where) if "options" in raw else (),
        rows=_labels(f, raw.get("rows"), f"{where}.rows"),
        columns=_labels(f, raw.get("columns"), f"{where}.columns"),
    )
    if layout == "scale" and not shell.options:
        raise f.fail(where, "a scale group needs shared options")
    if layout == "peer_support_grid" and not (shell.rows and shell.columns):
        raise f.fail(where, "a peer_support_grid group needs rows and columns")
    items = raw["items"]
    if not isinstance(items, list) or not items:
        raise f.fail(where, "items must be a non-empty list")
    return replace(shell, items=tuple(
        _item(f, it, f"{where}.items[{n}]", shell, section) for n, it in enumerate(items)
    ))


def _sections(f: _File, raw: Any, offset: int = 0) -> list[Section]:
    if not isinstance(raw, list) or not raw:
        raise f.fail("sections", "must be a non-empty list")
    out = []
    for n, s in enumerate(raw, start=offset):
        where = f"sections[{n}]"
        f.keys(s, where, {"code", "title", "intro", "outro", "groups", "scale"},
               {"code", "title", "groups"})
        code = f.code(s, where)
        groups = s["groups"]
        if not isinstance(groups, list) or not groups:
            raise f.fail(where, "groups must be a non-empty list")
        out.append(Section(
            code=code, title=f.text(s, "title", where, required=True) or "",
            intro=f.text(s, "intro", where), outro=f.text(s, "outro", where),
            scale=f.text(s, "scale", where),
            groups=tuple(_group(f, g, f"{where}.groups[{k}]", code) for k, g in enumerate(groups)),
        ))
    return out


def _subset(f: _File, base: Instrument, raw: Any) -> list[Section]:
    """The parts of ``base`` named in ``include``, in the base's order."""
    inc = f.keys(raw, "include", {"sections", "groups", "items"}, set())
    wanted: dict[str, set[str]] = {}
    known = {
        "sections": {s.code for s in base.sections},
        "groups": set(base.groups),
        "items": set(base.items),
    }
    for key, codes in known.items():
        names = inc.get(key) or []
        if not isinstance(names, list):
            raise f.fail(f"include.{key}", "must be a list of codes")
        unknown = [c for c in names if c not in codes]
        if unknown:
            raise f.fail(f"include.{key}", f"unknown {key[:-1]} code(s) {unknown} in {base.code}")
        wanted[key] = set(names)
    out = []
    for s in base.sections:
        if s.code in wanted["sections"]:
            out.append(s)
            continue
        groups = []
        for g in s.groups:
            if g.code in wanted["groups"]:
                groups.append(g)
                continue
            items = tuple(i for i in g.items if i.code in wanted["items"])
            if items:
                used_rows = {i.row for i in items}
                used_cols = {i.column for i in items}
                groups.append(replace(
                    g, items=items, rows=tuple(r for r in g.rows if r.code in used_rows),
                    columns=tuple(c for c in g.columns if c.code in used_cols),
                ))
        if groups:
            out.append(replace(s, groups=tuple(groups)))
    return out


def _check_instrument(f: _File, inst: Instrument) -> None:
    """Checks that need the whole form: unique codes and ask_if references."""
    seen: dict[str, str] = {}
    for kind, codes in (
        ("section", [s.code for s in inst.sections]),
        ("group", [g.code for s in inst.sections for g in s.groups]),
    ):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise f.fail(f"{kind} {dup[0]}", f"duplicate {kind} code {dup[0]!r}")
    for si, s in enumerate(inst.sections):
        for gi, g in enumerate(s.groups):
            for ii, item in enumerate(g.items):
                where = f"sections[{si}].groups[{gi}].items[{ii}] (item {item.code})"
                if item.code in seen:
                    raise f.fail(where, f"duplicate item code {item.code!r} "
                                        f"(first at {seen[item.code]})")
                seen[item.code] = where
                if item.ask_if is None:
                    continue
                target = inst.items.get(item.ask_if.item) if item.ask_if.item in seen else None
                if target is None:
                    raise f.fail(where, f"ask_if names unknown or later item "
                                        f"{item.ask_if.item!r}")
                if target.options:
                    bad = [v for v in item.ask_if.in_ if v not in target.option_values]
                    if bad:
                        raise f.fail(where, f"ask_if values {bad} are not options of "
                                            f"{target.code}")


def _parse(path: Path, raw: Any, resolve: Any) -> Instrument:
    f = _File(path)
    f.keys(raw, "", {"code", "kind", "version", "title", "intro", "outro", "sections", "base",
                     "include"}, {"code", "kind", "version", "title"})
    code = f.code(raw, "code")
    if raw["kind"] not in KINDS:
        raise f.fail("kind", f"unknown kind {raw['kind']!r} (expected one of {sorted(KINDS)})")
    if raw["version"] not in VERSIONS:
        raise f.fail("version", f"unknown version {raw['version']!r}")
    base: Instrument | None = None
    sections: list[Section] = []
    if raw.get("base") is not None:
        base = resolve(raw["base"])
        sections = _subset(f, base, raw["include"]) if "include" in raw else list(base.sections)
        if raw.get("sections") is not None:
            sections += _sections(f, raw["sections"], offset=len(sections))
    else:
        if "include" in raw:
            raise f.fail("include", "include needs a base")
        sections = _sections(f, raw.get("sections"))
    inst = Instrument(
        code=code, kind=raw["kind"], version=raw["version"],
        title=f.text(raw, "title", "title", required=True) or "",
        intro=f.text(raw, "intro", "intro") or (base.intro if base else None),
        outro=f.text(raw, "outro", "outro") or (base.outro if base else None),
        sections=tuple(sections), base=base.code if base else None,
        lineage=(base.code, *base.lineage) if base else (),
    )
    _check_instrument(f, inst)
    return inst


def load_file(path: str | os.PathLike[str], _stack: tuple[str, ...] = ()) -> Instrument:
    """Load and validate one definition file (uncached; for operators' own forms and tests).

    A ``base`` is looked up next to the file first, then among the shipped definitions.
    """
    path = Path(path)
    raw = _read_yaml(path)

    def resolve(name: Any) -> Instrument:
        if not isinstance(name, str) or not _CODE.match(name):
            raise _File(path).fail("base", f"base must be an instrument code, got {name!r}")
        if name in _stack or name == path.stem:
            raise _File(path).fail("base", f"circular base {' -> '.join((*_stack, name))}")
        local = path.parent / f"{name}.yaml"
        target = local if local.exists() else DEFINITIONS_DIR / f"{name}.yaml"
        if not target.exists():
            raise _File(path).fail("base", f"unknown base instrument {name!r}")
        return load_file(target, (*_stack, path.stem))

    inst = _parse(path, raw, resolve)
    if inst.code != path.stem:
        raise _File(path).fail("code", f"code {inst.code!r} must match the file name")
    return inst


# --------------------------------------------------------------------------- translations


def _translation_dirs(extra: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    dirs = [TRANSLATIONS_DIR]
    env = os.environ.get(TRANSLATIONS_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    if extra is not None:
        dirs.append(Path(extra))
    return tuple(dirs)


def _parse_language(f: _File, raw: Any, where: str) -> Language:
    f.keys(raw, where, {"code", "name", "direction", "status"}, {"code", "name", "status"})
    lang = Language(code=str(raw["code"]), name=str(raw["name"]),
                    direction=raw.get("direction", "ltr"), status=raw["status"])
    if lang.direction not in ("ltr", "rtl"):
        raise f.fail(where, f"direction must be ltr or rtl, got {lang.direction!r}")
    if lang.status not in STATUSES:
        raise f.fail(where, f"status must be one of {sorted(STATUSES)}, got {lang.status!r}")
    return lang


@lru_cache(maxsize=32)
def _translation_file(path: Path) -> tuple[Language | None, Mapping[str, str]]:
    f = _File(path)
    raw = f.keys(_read_yaml(path), "", {"language", "strings"}, {"strings"})
    lang = _parse_language(f, raw["language"], "language") if raw.get("language") else None
    strings = raw["strings"]
    if not isinstance(strings, dict):
        raise f.fail("strings", "must be a mapping of key to text")
    for key, value in strings.items():
        if not isinstance(value, str) or not value.strip():
            raise f.fail(f"strings.{key}", f"must be a non-empty string, got {value!r}")
    return lang, dict(strings)


@lru_cache(maxsize=8)
def _languages(dirs: tuple[Path, ...]) -> tuple[Language, ...]:
    path = DEFINITIONS_DIR / "languages.yaml"
    f = _File(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("languages"), list):
        raise f.fail("languages", "expected a list under 'languages'")
    found = {}
    for n, entry in enumerate(raw["languages"]):
        lang = _parse_language(f, entry, f"languages[{n}]")
        found[lang.code] = lang
    for d in dirs:
        for p in sorted(d.glob("*.yaml")) if d.is_dir() else ():
            header, _ = _translation_file(p)
            if header is not None:
                if header.code != p.stem:
                    raise _File(p).fail("language.code", "must match the file name")
                found[header.code] = header
            elif p.stem not in found:
                raise _File(p).fail("language", "a new language needs a 'language' header "
                                                "(code, name, direction, status)")
    return tuple(found.values())


def languages(translations_dir: str | os.PathLike[str] | None = None) -> list[Language]:
    """Shipped languages plus those added by files in extra translation directories."""
    return list(_languages(_translation_dirs(translations_dir)))


def _strings(language: str, dirs: tuple[Path, ...]) -> tuple[Path | None, Mapping[str, str]]:
    """The last directory's ``<language>.yaml`` wins, so a validated file replaces a shipped one."""
    chosen = None
    for d in dirs:
        if (d / f"{language}.yaml").is_file():
            chosen = d / f"{language}.yaml"
    if chosen is None:
        return None, {}
    return chosen, _translation_file(chosen)[1]


def candidate_keys(instrument: Instrument, key: str) -> list[str]:
    """Translation keys for one text, most specific first (see docs/instruments.md)."""
    chain = [f"{c}.{key}" for c in (instrument.code, *instrument.lineage)]
    return chain if key in INSTRUMENT_KEYS else [*chain, key]


def source_texts(instrument: Instrument) -> list[tuple[str, str]]:
    """(shared key, English text) for every translatable text of ``instrument``."""
    out: list[tuple[str, str]] = []

    def collect(key: str, text: str) -> str:
        out.append((key, text))
        return text

    map_texts(instrument, collect)
    return out


def is_neutral(text: str) -> bool:
    """Digits-and-punctuation texts ("3-4", "9+") are the same in every language."""
    return bool(_NEUTRAL.match(text))


def translation_catalog(instruments: Iterable[Instrument] | None = None) -> dict[str, str]:
    """Every key a complete translation must define, with its English source text.

    Keys are shared between instruments unless the English differs, in which case the
    instrument-specific key (``<instrument>.<key>``) is listed too. Translators start from this.
    """
    insts = list(instruments) if instruments is not None else list(load_all().values())
    catalog: dict[str, str] = {}
    for inst in insts:
        for key, text in source_texts(inst):
            if is_neutral(text):
                continue
            candidates = candidate_keys(inst, key)
            hit = next((c for c in candidates if c in catalog), None)
            if hit is not None and catalog[hit] == text:
                continue
            catalog[candidates[0] if hit is not None else candidates[-1]] = text
    return catalog


def _language(code: str, dirs: tuple[Path, ...]) -> Language:
    for lang in _languages(dirs):
        if lang.code == code:
            return lang
    raise DefinitionError(f"unknown language {code!r}")


def language(code: str, translations_dir: str | os.PathLike[str] | None = None) -> Language:
    """The Language with ``code`` (DefinitionError if it is not shipped or added)."""
    return _language(code, _translation_dirs(translations_dir))


def translate(instrument: Instrument, language_code: str, strict: bool | None = None,
              translations_dir: str | os.PathLike[str] | None = None) -> Instrument:
    """``instrument`` with all texts in ``language_code``.

    ``strict`` (default: True for source/validated/test languages, False for unvalidated ones)
    makes a missing key, or a translation that drops a ``{placeholder}``, a DefinitionError;
    non-strict falls back to the English text so an unvalidated draft can still be previewed.
    """
    return _translate(instrument, language_code, strict, _translation_dirs(translations_dir))


def _translate(instrument: Instrument, language_code: str, strict: bool | None,
               dirs: tuple[Path, ...]) -> Instrument:
    if instrument.language != SOURCE_LANGUAGE:
        raise DefinitionError("translate from the English source instrument")
    lang = _language(language_code, dirs)
    if language_code == SOURCE_LANGUAGE:
        return instrument
    strict = lang.status in STRICT_STATUSES if strict is None else strict
    path, strings = _strings(language_code, dirs)
    if path is None:
        raise DefinitionError(f"no translation file {language_code}.yaml in "
                              f"{', '.join(map(str, dirs))}")
    problems: list[str] = []

    def tr(key: str, text: str) -> str:
        keys = candidate_keys(instrument, key)
        hit = next((c for c in keys if c in strings), None)
        if hit is None:
            if not is_neutral(text):
                problems.append(f"missing key {keys[-1]}")
            return text
        if placeholders(strings[hit]) != placeholders(text):
            problems.append(f"{hit}: placeholders {sorted(placeholders(text))} must be kept")
            return text
        return strings[hit]

    result = map_texts(instrument, tr)
    if problems and strict and instrument.version == "full" and instrument.kind != "registration" \
            and all(p.startswith("missing key") for p in problems) \
            and _only_whole_sections_missing(instrument, strings):
        raise NotTranslated(f"{path.name}: instrument {instrument.code} is not translated "
                            f"({len(problems)} texts missing): offered in English only")
    if problems and strict:
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        raise DefinitionError(f"{path.name}: instrument {instrument.code}: "
                              f"{'; '.join(problems[:5])}{more}")
    return replace(result, language=language_code)


def _only_whole_sections_missing(instrument: Instrument, strings: Mapping[str, str]) -> bool:
    """Whether the translation leaves out whole parts (a short-only translation: at least one
    section with none of its texts, and no question, group or section half translated) rather
    than a few texts here and there (a broken one, which must fail loudly)."""
    def found(key: str) -> bool:
        return any(c in strings for c in candidate_keys(instrument, key))

    units: dict[str, list[bool]] = {}
    whole_section_missing = False
    for section in instrument.sections:
        keys = [k for k, text in source_texts(replace(instrument, sections=(section,)))
                if k not in INSTRUMENT_KEYS and not is_neutral(text)]
        hits = [found(k) for k in keys]
        whole_section_missing |= bool(hits) and not any(hits)
        for key, hit in zip(keys, hits, strict=True):
            parts = key.split(".")  # a question, a group, or one row/column of a table
            unit = parts[:4] if len(parts) > 3 and parts[2] in ("row", "column") else parts[:2]
            units.setdefault(".".join(unit), []).append(hit)
    return whole_section_missing and all(all(h) or not any(h) for h in units.values())


# --------------------------------------------------------------------------- public loading


@lru_cache(maxsize=8)
def _load_sources() -> dict[str, Instrument]:
    codes = [c for c in INSTRUMENT_CODES if (DEFINITIONS_DIR / f"{c}.yaml").exists()]
    codes += sorted(p.stem for p in DEFINITIONS_DIR.glob("*.yaml")
                    if p.stem not in codes and p.stem != "languages")
    return {c: load_file(DEFINITIONS_DIR / f"{c}.yaml") for c in codes}


@lru_cache(maxsize=64)
def _load(code: str, language_code: str, dirs: tuple[Path, ...]) -> Instrument:
    sources = _load_sources()
    if code not in sources:
        raise DefinitionError(f"unknown instrument {code!r} (known: {', '.join(sources)})")
    return _translate(sources[code], language_code, None, dirs)


def load_instrument(code: str, language: str = SOURCE_LANGUAGE) -> Instrument:
    """A shipped instrument in ``language`` (cached). Texts keep ``{placeholders}``:
    call ``.rendered(settings)`` to fill in programme names."""
    return _load(code, language, _translation_dirs())


def offered(code: str, language: str) -> bool:
    """Whether the form ``code`` exists in ``language``: a translation may cover only the short
    forms (and the registration); its full forms are then simply not offered in it. Any other
    problem with a translation still fails loudly (:class:`DefinitionError`)."""
    return language == SOURCE_LANGUAGE or _offered(code, language, _translation_dirs())


@lru_cache(maxsize=64)
def _offered(code: str, language: str, dirs: tuple[Path, ...]) -> bool:
    try:
        _load(code, language, dirs)
    except NotTranslated:
        return False
    return True


def load_all(language: str = SOURCE_LANGUAGE) -> dict[str, Instrument]:
    """All shipped instruments offered in ``language`` (see :func:`offered`), registration
    first."""
    return {code: load_instrument(code, language) for code in _load_sources()
            if offered(code, language)}


def clear_cache() -> None:
    """Forget loaded files, e.g. after an operator drops in a new translation."""
    for fn in (_load_sources, _load, _offered, _languages, _translation_file):
        fn.cache_clear()
