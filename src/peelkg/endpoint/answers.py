"""Answers the endpoint has already given, kept for the store version they came from.

A store version never changes once published (a rebuild publishes a new one), so the
same query text asked for the same result format gets the same answer for as long as
the engine serves that version: the named-query page and dashboards ask the same
queries again and again. The cache holds whole answers only (status 200), within a
bound in bytes, least recently used first out, and is emptied when the engine moves to
another version. Queries whose answer may differ from one run to the next (NOW, RAND,
UUID, STRUUID, BNODE) are never kept.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

DEFAULT_CACHE_MB = 64
LARGEST_SHARE = 8            # one answer may take at most 1/8 of the cache

_CHANGING = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str


def may_keep(query_text: str) -> bool:
    """False when the query may answer differently each time it runs.

    >>> may_keep("SELECT ?s WHERE { ?s ?p ?o }"), may_keep("SELECT (RAND() AS ?r) {}")
    (True, False)
    """
    return _CHANGING.search(query_text) is None


class AnswerCache:
    """Whole answers by (query text, Accept), for one store version at a time; `max_bytes` 0 keeps nothing."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.version: object = None
        self.hits = 0
        self.misses = 0
        self._size = 0
        self._answers: OrderedDict[tuple[str, str], Answer] = OrderedDict()

    def get(self, version: object, query_text: str, accept: str) -> Answer | None:
        if version != self.version:
            self._clear(version)
        answer = self._answers.get((query_text, accept))
        if answer is None:
            self.misses += 1
            return None
        self._answers.move_to_end((query_text, accept))
        self.hits += 1
        return answer

    def put(self, version: object, query_text: str, accept: str, answer: Answer) -> None:
        if self.max_bytes <= 0 or len(answer.body) > self.max_bytes // LARGEST_SHARE or not may_keep(query_text):
            return
        if version != self.version:
            self._clear(version)
        key = (query_text, accept)
        previous = self._answers.pop(key, None)
        if previous is not None:
            self._size -= len(previous.body)
        self._answers[key] = answer
        self._size += len(answer.body)
        while self._size > self.max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self._size -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._answers)

    def _clear(self, version: object) -> None:
        self._answers.clear()
        self._size = 0
        self.version = version
