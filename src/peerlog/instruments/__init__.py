"""Questionnaire definitions, translations and scoring for PeerLog (pure Python, no Django).

Forms are data (``definitions/*.yaml``); this package loads and validates them, translates
them and scores answers, so the web form, paper form, codebook and analysis all agree.
"""

from .loader import (
    DefinitionError,
    NotTranslated,
    clear_cache,
    languages,
    load_all,
    load_file,
    load_instrument,
    offered,
    translate,
    translation_catalog,
)
from .model import (
    DEFAULT_SETTINGS,
    PREFER_NOT,
    TICKED,
    AskIf,
    GridLabel,
    Group,
    Instrument,
    Item,
    Language,
    Option,
    Section,
    render_text,
)
from .scoring import SCORE_NAMES, Score, ScoringError, score

__all__ = [
    "DEFAULT_SETTINGS",
    "PREFER_NOT",
    "SCORE_NAMES",
    "TICKED",
    "AskIf",
    "DefinitionError",
    "GridLabel",
    "Group",
    "Instrument",
    "Item",
    "Language",
    "NotTranslated",
    "Option",
    "Score",
    "ScoringError",
    "Section",
    "clear_cache",
    "languages",
    "load_all",
    "load_file",
    "load_instrument",
    "offered",
    "render_text",
    "score",
    "translate",
    "translation_catalog",
]
