"""The endpoint's kept answers: whole answers per store version, within a bound in bytes."""

from __future__ import annotations

from peelkg.endpoint.answers import Answer, AnswerCache

JSON = "application/sparql-results+json"


def answer(size: int) -> Answer:
    return Answer(b"x" * size, JSON)


def test_an_answer_is_given_again_for_the_same_text_format_and_version():
    cache = AnswerCache(1000)
    cache.put("v1", "SELECT 1", JSON, answer(10))
    assert cache.get("v1", "SELECT 1", JSON) == answer(10)
    assert cache.get("v1", "SELECT 1", "text/csv") is None
    assert cache.get("v1", "SELECT 2", JSON) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_another_store_version_starts_empty():
    cache = AnswerCache(1000)
    cache.put("v1", "SELECT 1", JSON, answer(10))
    assert cache.get("v2", "SELECT 1", JSON) is None
    assert len(cache) == 0
    cache.put("v2", "SELECT 1", JSON, answer(20))
    assert cache.get("v2", "SELECT 1", JSON) == answer(20)


def test_the_least_recently_asked_go_first_past_the_bound():
    cache = AnswerCache(800)                   # one answer may take 100 bytes
    for name in "abcdefgh":
        cache.put("v", name, JSON, answer(100))
    cache.get("v", "a", JSON)                  # a was asked again: b is now the oldest
    cache.put("v", "i", JSON, answer(100))
    assert cache.get("v", "b", JSON) is None
    assert cache.get("v", "a", JSON) is not None and cache.get("v", "i", JSON) is not None
    assert len(cache) == 8


def test_an_answer_too_large_for_its_share_is_not_kept():
    cache = AnswerCache(800)
    cache.put("v", "big", JSON, answer(101))
    assert len(cache) == 0


def test_a_query_that_may_answer_differently_is_not_kept():
    cache = AnswerCache(1000)
    for text in ("SELECT (NOW() AS ?t) {}", "SELECT (rand() AS ?r) {}", "SELECT (UUID() AS ?u) {}",
                 "CONSTRUCT { ?s <p> ?b } WHERE { ?s ?p ?o BIND(BNODE() AS ?b) }"):
        cache.put("v", text, JSON, answer(1))
    assert len(cache) == 0


def test_a_bound_of_zero_keeps_nothing():
    cache = AnswerCache(0)
    cache.put("v", "SELECT 1", JSON, answer(1))
    assert len(cache) == 0
