"""``peerlog instruments``: check definitions, write a codebook or a translation template.

Operators edit forms and translations as data; these commands let them check their files and
hand translators the exact list of texts without writing Python.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml


def run_check(args: argparse.Namespace) -> int:
    from . import DefinitionError, languages, load_all
    from .loader import INSTRUMENT_CODES

    try:
        for lang in languages():
            found = load_all(lang.code)
            for code, inst in found.items():
                print(f"ok  {code:<16} {lang.code:<4} {len(inst.items):>4} items ({lang.status})")
            for code in (c for c in INSTRUMENT_CODES if c not in found):
                print(f"--  {code:<16} {lang.code:<4} not translated: offered in English only")
    except DefinitionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def run_codebook(args: argparse.Namespace) -> int:
    from . import codebook, load_all

    count = codebook.write_csv(Path(args.out), load_all().values(), language=args.language)
    print(f"Wrote {count} rows to {args.out}")
    return 0


def run_template(args: argparse.Namespace) -> int:
    from . import translation_catalog

    header = {"code": args.language, "name": args.language, "direction": "ltr",
              "status": "unvalidated"}
    text = yaml.safe_dump({"language": header, "strings": translation_catalog()},
                          allow_unicode=True, sort_keys=False, width=100)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"Wrote a translation template for {args.language!r} to {args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("instruments", help="check forms, write codebook or template")
    sub = p.add_subparsers(dest="instruments_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="load every form in every language (strict)")
    check.set_defaults(func=run_check)
    cb = sub.add_parser("codebook", help="write the codebook of all forms as CSV")
    cb.add_argument("--out", required=True)
    cb.add_argument("--language", default="en")
    cb.set_defaults(func=run_codebook)
    tpl = sub.add_parser("template", help="write a translation template (English texts)")
    tpl.add_argument("--language", required=True, help="language code, e.g. ur")
    tpl.add_argument("--out", required=True)
    tpl.set_defaults(func=run_template)
