"""Personal-link tokens never reach a log.

A token in ``/l/<token>/`` opens a person's logs, so every log line PeerLog or gunicorn writes
has it replaced by ``…``: request lines, paths, referrers, messages and tracebacks.
:class:`MaskTokens` is a :class:`logging.Filter` (attached in ``LOGGING`` to Django's loggers
and handlers); :class:`GunicornLogger` is gunicorn's ``--logger-class`` and masks its access
and error logs. Neither imports Django.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/l/)[^/\s\"'?#<>]+")
MASK = r"\1…"


def mask(text: str) -> str:
    """``text`` with the token of every personal-link path replaced by ``…``."""
    return TOKEN_IN_PATH.sub(MASK, text)


class MaskTokens(logging.Filter):
    """Rewrites the record itself, so every handler after it (and pytest's) sees it masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


class GunicornLogger(Logger):
    """gunicorn's logger with personal-link tokens masked in the access and error logs."""

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, MaskTokens) for f in log.filters):
                log.addFilter(MaskTokens())
