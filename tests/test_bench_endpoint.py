"""The bench's endpoint section on the test store, with a small load (loopback only)."""

from __future__ import annotations

from peelkg.bench.results import BenchResult
from peelkg.bench.endpoint import bench_cli_latency, bench_endpoint


def test_the_endpoint_section_measures_latency_and_failures(sample_store):
    result = BenchResult(quick=True, started="", machine={})
    bench_endpoint(result, sample_store, lambda line: None, requests=100, parallel=10)
    p95, answered, uncached, engine = result.figures
    assert p95.name == "named queries p95, 100 requests at 10 parallel" and p95.value > 0 and p95.target == 100
    assert "p50" in p95.note and "answers kept" in p95.note
    assert answered.value == 100 and answered.status == "PASS"
    assert uncached.name == "named queries p95, no answers kept (--cache-mb 0)" and uncached.value > 0
    assert "ratio to the engine alone" in uncached.note
    assert engine.name == "named queries p95, oxigraph serve-read-only alone" and engine.value > 0


def test_peelkg_query_is_timed_beside_oxigraph_query(sample_store):
    result = BenchResult(quick=True, started="", machine={})
    bench_cli_latency(result, sample_store, lambda line: None, runs=2)
    ours, theirs = result.figures
    assert ours.name == "peelkg query grades, wall median" and ours.target == 150
    assert "ratio" in ours.note and theirs.value > 0
