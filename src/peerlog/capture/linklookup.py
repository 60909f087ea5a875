"""The personal link, its participant (with project and personal ID) and, on log pages, the
open draft and a finished draft with the page's key: one query, written once per database.

Every participant page starts with this lookup. Through the ORM it cost more CPU than
anything else on the page (Django builds and compiles the three-join SELECT afresh on every
request), so the SELECT is written here once from the models' own metadata (columns, and
Django's converters for their values: dates, JSON, booleans on SQLite) and the instances are
made with ``Model.from_db``, related caches filled exactly as ``select_related`` fills them.
tests/capture/test_hot_path.py checks that the objects equal the ORM's, on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model

from peerlog.capture.models import Draft, Participant, PersonalId, PersonalLink, Project


@dataclass
class Found:
    """What the lookup found; ``link`` is None for a token nobody has."""

    link: PersonalLink | None
    open_draft: Draft | None = None
    finished: bool = False  # the key given is that of a log already stored


class _Table:
    """One model's columns in the SELECT, and how to turn its row slice into an instance."""

    def __init__(self, model: type[Model], alias: str, connection) -> None:
        self.model, self.alias = model, alias
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        quote = connection.ops.quote_name
        self.columns = [f"{alias}.{quote(f.column)}" for f in self.fields]
        self.converters = []
        for field in self.fields:
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            self.converters.append((col, found))

    def make(self, db: str, connection, row: tuple, start: int) -> Model | None:
        values = list(row[start:start + len(self.fields)])
        if values[0] is None:  # the outer join found nothing
            return None
        for i, (col, converters) in enumerate(self.converters):
            for convert in converters:
                values[i] = convert(values[i], col, connection)
        return self.model.from_db(db, self.names, values)


class _Query:
    def __init__(self, connection, with_drafts: bool) -> None:
        quote = connection.ops.quote_name
        self.tables = [_Table(PersonalLink, "l", connection), _Table(Participant, "p", connection),
                       _Table(Project, "pr", connection), _Table(PersonalId, "i", connection)]
        joins = [
            f"{quote(PersonalLink._meta.db_table)} l",
            f"INNER JOIN {quote(Participant._meta.db_table)} p ON p.id = l.participant_id",
            f"INNER JOIN {quote(Project._meta.db_table)} pr ON pr.id = p.project_id",
            f"INNER JOIN {quote(PersonalId._meta.db_table)} i ON i.id = p.personal_id_id",
        ]
        limit = 1
        if with_drafts:
            # At most two drafts: the open one (one per person, a constraint) and the finished
            # one with this key (keys are unique).
            self.tables.append(_Table(Draft, "d", connection))
            joins.append(f"LEFT OUTER JOIN {quote(Draft._meta.db_table)} d"
                         " ON d.participant_id = p.id AND (d.log_id IS NULL OR"
                         " (d.submission_key = %s AND d.log_id IS NOT NULL))")
            limit = 2
        columns = ", ".join(c for t in self.tables for c in t.columns)
        self.sql = (f"SELECT {columns} FROM {' '.join(joins)}"
                    f" WHERE l.token_hash = %s LIMIT {limit}")


_LINK = PersonalLink._meta.get_field("participant")
_PROJECT = Participant._meta.get_field("project")
_PERSONAL_ID = Participant._meta.get_field("personal_id")
_DRAFT_PARTICIPANT = Draft._meta.get_field("participant")


def find(token_hash: str, draft_key: str | None = None) -> Found:
    """The link with this token hash; with ``draft_key`` (a log page), the drafts as well."""
    db = router.db_for_read(PersonalLink)
    connection = connections[db]
    with_drafts = draft_key is not None
    cache: dict[Any, _Query] = connection.__dict__.setdefault("_peerlog_link_queries", {})
    query = cache.get(with_drafts)
    if query is None:
        query = cache[with_drafts] = _Query(connection, with_drafts)
    params = [draft_key, token_hash] if with_drafts else [token_hash]
    with connection.cursor() as cursor:
        cursor.execute(query.sql, params)
        rows = cursor.fetchall()
    if not rows:
        return Found(None)
    link, participant, project, personal_id = _linked(query, db, connection, rows[0])
    found = Found(link)
    for row in rows if with_drafts else ():
        draft = query.tables[4].make(db, connection, row, sum(len(t.fields)
                                                              for t in query.tables[:4]))
        if draft is None:
            continue
        _DRAFT_PARTICIPANT.set_cached_value(draft, participant)
        if draft.log_id is None:
            found.open_draft = draft
        else:
            found.finished = True
    return found


def _linked(query: _Query, db: str, connection, row: tuple) -> tuple:
    objects, start = [], 0
    for table in query.tables[:4]:
        objects.append(table.make(db, connection, row, start))
        start += len(table.fields)
    link, participant, project, personal_id = objects
    _LINK.set_cached_value(link, participant)
    _PROJECT.set_cached_value(participant, project)
    _PERSONAL_ID.set_cached_value(participant, personal_id)
    _PERSONAL_ID.remote_field.set_cached_value(personal_id, participant)
    return link, participant, project, personal_id
