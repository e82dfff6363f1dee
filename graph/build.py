"""Build the store from report texts, atomically.

Every report is loaded, validated (SHACL, on its plain in-memory rdflib graph) and reasoned
over on its own, then bulk-loaded into a new version of the store built beside the current one
(`{store}.versions/building-{pid}`); only when everything succeeded is it published, by
replacing the store's link in one rename (`peelkg.graph.versions`). A failed or killed build
therefore leaves the previous store as it was, and readers see the old store or the new one.
Writers take turns on the store's writer lock.

The per-report work needs nothing from other reports, so with several reports it runs in a
pool of worker processes (one per CPU by default); each worker hands back the report's
N-Quads, and this process alone writes the store, in the order the reports were given.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import unicodedata
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib

from peelkg.errors import InputError, PeelkgError, ValidationFailed
from peelkg.graph import store as st
from peelkg.graph import versions
from peelkg.loaders.reference import reference_for
from peelkg.model import Issue, Severity
from peelkg.resources import GRAPH_BASE

if TYPE_CHECKING:
    from peelkg.graph.validate import ValidationReport, ValidationResult
    from peelkg.pipeline import ReportBuild

STRICT_SEVERITIES = (Severity.FATAL, Severity.ERROR, Severity.WARNING)
BUILD_GC_THRESHOLD = 50_000   # allocations between collections of the youngest generation (Python's default: 700)


@dataclass
class ReportSummary:
    """What one report put into the store."""

    path: Path
    key: str                      # "{insp}/{force}"
    report_iri: str
    triples: dict[str, int]       # named graph IRI -> triples loaded
    issues: list[Issue] = field(default_factory=list)
    seconds: float = 0.0
    force_name: str | None = None  # the name the report gives its force (two names, one key: a collision)

    @property
    def total(self) -> int:
        return sum(self.triples.values())


@dataclass
class BuildSummary:
    """The outcome of a build: the reports loaded and the graphs of the new store."""

    store_dir: Path
    reports: list[ReportSummary]
    graphs: dict[str, int] = field(default_factory=dict)   # every named graph of the store -> triples
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    @property
    def issues(self) -> list[Issue]:
        return [issue for report in self.reports for issue in report.issues]


Progress = Callable[[int, int, ReportSummary], None]
"""Called after each report with (reports done, reports in all, the report's summary)."""


# --------------------------------------------------------------------------- seams (tests replace these)


def load_report(path: Path, *, strict: bool) -> ReportBuild:
    """Report text -> its named graphs, through the loader pipeline."""
    from peelkg.pipeline import load_report as run

    return run(path, strict=strict)


def validate(graph: rdflib.Graph) -> ValidationReport:
    """SHACL validation of one report's asserted graph."""
    from peelkg.graph.validate import validate_graph

    return validate_graph(graph)


def infer(graph: rdflib.Graph) -> rdflib.Graph:
    """The triples reasoning adds to one report's asserted graph."""
    from peelkg.graph.reason import reason

    return reason(graph).inferred


# --------------------------------------------------------------------------- public entry points


def build_store(
    report_paths: Iterable[Path],
    store_dir: Path,
    *,
    reason: bool = True,
    strict: bool = False,
    progress: Progress | None = None,
    jobs: int | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build a new store from the reports and put it in place of `store_dir` (atomic).

    `jobs` worker processes prepare the reports (default: $PEELKG_JOBS, else one per CPU).
    While another process writes the store: `on_wait(message)` and wait, or without it StoreBusy.
    """
    store_dir = Path(store_dir).absolute()
    st.check_replaceable(store_dir)
    return _build(list(report_paths), store_dir, fresh=True, reason=reason, strict=strict, progress=progress, jobs=jobs,
                  on_wait=on_wait)


def add_reports(
    report_paths: Iterable[Path],
    store_dir: Path,
    *,
    reason: bool = True,
    strict: bool = False,
    progress: Progress | None = None,
    jobs: int | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Add or replace reports in an existing store: work on a snapshot of it, then publish that (atomic).

    The writer lock is held from the snapshot to the publication, so concurrent adds all land.
    """
    store_dir = Path(store_dir).absolute()
    if versions.current(store_dir) is None:
        raise _nothing_to_add_to(store_dir)
    return _build(list(report_paths), store_dir, fresh=False, reason=reason, strict=strict, progress=progress, jobs=jobs,
                  on_wait=on_wait)


def _nothing_to_add_to(store_dir: Path) -> st.StoreError:
    return st.StoreError(f"{store_dir}: no store to add to; run `peelkg build --store {store_dir}` first")


def add_report(path: Path, store_dir: Path, *, reason: bool = True, strict: bool = False) -> BuildSummary:
    """Add or replace one report in an existing store (`peelkg build --add REPORT`)."""
    return add_reports([path], store_dir, reason=reason, strict=strict)


# --------------------------------------------------------------------------- one report


def prepare_report(path: Path, *, reason: bool, strict: bool, timings: dict[str, float]) -> tuple[ReportSummary, dict[str, rdflib.Graph]]:
    """Load, validate and reason over one report in memory; returns its summary and graphs to store."""
    started = time.perf_counter()
    built = _timed(timings, "load", lambda: load_report(path, strict=strict))
    key = _key_of(path, built.graphs)
    if strict:
        _check_strict(path, built.issues)
    asserted = rdflib.Graph()
    for graph in built.graphs.values():
        asserted += graph
    asserted += reference_for(asserted)   # what the reference graph says of the resources the report names
    result = _timed(timings, "validate", lambda: validate(asserted))
    if not result.conforms:
        violations = result.violations
        raise ValidationFailed(
            f"{path}: the report graph does not conform to the SHACL shapes "
            f"({len(violations)} violation(s); first: {_describe(violations[0]) if violations else '?'})"
        )
    shacl_warnings = [Issue(Severity.WARNING, f"SHACL: {_describe(w)}", str(path), w.line) for w in result.warnings]
    if strict and shacl_warnings:
        raise ValidationFailed(f"{shacl_warnings[0]} (--strict: {len(shacl_warnings)} SHACL warning(s))")
    issues = list(built.issues) + shacl_warnings
    graphs = dict(built.graphs)
    if reason:
        inferred = _timed(timings, "reason", lambda: infer(asserted))
        graphs[GRAPH_BASE + "inferred/" + key] = inferred - asserted   # only what reasoning added
    summary = ReportSummary(
        path=Path(path),
        key=key,
        report_iri=built.report_iri,
        triples={iri: len(graph) for iri, graph in graphs.items()},
        issues=issues,
        seconds=time.perf_counter() - started,
        force_name=st.force_name(built.graphs[st.REPORT_GRAPH_PREFIX + key], built.report_iri),
    )
    return summary, graphs


@dataclass
class PreparedReport:
    """One report ready for the store: what a worker process hands back (plain, picklable data)."""

    summary: ReportSummary
    nquads: bytes                 # every graph of the report, from `store.to_nquads`
    graph_iris: list[str]
    timings: dict[str, float]


def prepare_for_store(path: Path, *, reason: bool, strict: bool) -> PreparedReport:
    """`prepare_report`, then the graphs written as N-Quads (the part of storing that needs no store)."""
    timings: dict[str, float] = {}
    summary, graphs = prepare_report(path, reason=reason, strict=strict, timings=timings)
    try:
        nquads = _timed(timings, "store", lambda: st.to_nquads(graphs))
    except st.StoreError as error:
        raise st.StoreError(f"{path}: {error}") from error
    return PreparedReport(summary, nquads, list(graphs), timings)


def _prepare_in_worker(path: Path, *, reason: bool, strict: bool) -> PreparedReport | PeelkgError:
    """Runs in a worker process: an expected error is handed back as a value, to be raised by the parent.

    The report's garbage is collected before the worker takes the next one (see `_prepared_here`).
    """
    try:
        return prepare_for_store(path, reason=reason, strict=strict)
    except PeelkgError as error:
        return error
    finally:
        gc.collect()


def _prepared_here(paths: list[Path], *, reason: bool, strict: bool) -> Iterator[PreparedReport]:
    """The reports prepared one after another in this process, each report's garbage collected before the next.

    A build runs the collector rarely (see `_fewer_collections`); without collecting between reports,
    what each one leaves behind piles up (a 43-report build's memory: about 400 MB with, 640 MB
    without). After the last report nothing is collected: the build is done.
    """
    for number, path in enumerate(paths):
        if number:
            gc.collect()
        yield prepare_for_store(path, reason=reason, strict=strict)


def default_jobs() -> int:
    """Worker processes for a build: $PEELKG_JOBS, else the CPUs this process may use."""
    value = os.environ.get("PEELKG_JOBS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise InputError(f"PEELKG_JOBS={value!r}: give a whole number of worker processes, 1 or more")
        return int(value)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def worker_count(jobs: int, reports: int) -> int:
    """Worker processes a build of `reports` reports with `jobs` jobs forks: none when one would do."""
    return 0 if jobs <= 1 or reports <= 1 else min(jobs, reports)


@contextmanager
def _prepared_reports(paths: list[Path], *, jobs: int, reason: bool, strict: bool) -> Iterator[Iterator[PreparedReport]]:
    """The reports prepared in order: here for one job or one report, else in a pool of forked workers.

    Fork (not spawn) so workers start at once and see this process's modules as they are.
    """
    workers = worker_count(jobs, len(paths))
    if not workers:
        yield _prepared_here(paths, reason=reason, strict=strict)
        return
    work = partial(_prepare_in_worker, reason=reason, strict=strict)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield (_raised(outcome) for outcome in pool.imap(work, paths))


def _raised(outcome: PreparedReport | PeelkgError) -> PreparedReport:
    if isinstance(outcome, PeelkgError):
        raise outcome
    return outcome


def _key_of(path: Path, graphs: dict[str, rdflib.Graph]) -> str:
    """`{insp}/{force}` of the one report graph; every other graph must end with it too."""
    keys = [key for key in map(st.report_key, graphs) if key is not None]
    if len(keys) != 1:
        raise InputError(f"{path}: the loader gave {len(keys)} report graphs (expected one under {st.REPORT_GRAPH_PREFIX})")
    key = keys[0]
    for iri in graphs:
        if not (iri.startswith(GRAPH_BASE) and iri.endswith("/" + key)):
            raise InputError(f"{path}: graph {iri} is not a graph of report {key} (see docs/graph.md)")
    return key


def _differ(one: str | None, other: str | None) -> bool:
    """Two force names that are not the same name (case, spacing and punctuation aside)."""
    def norm(name: str) -> str:
        return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", name).casefold()))
    return one is not None and other is not None and norm(one) != norm(other)


def _check_strict(path: Path, issues: list[Issue]) -> None:
    serious = [issue for issue in issues if issue.severity in STRICT_SEVERITIES]
    if serious:
        raise InputError(f"{serious[0]} (--strict: {len(serious)} issue(s) at warning level or above in {path})")


def _describe(result: ValidationResult) -> str:
    where = f"line {result.line}: " if result.line is not None else ""
    return f"{where}{result.focus}{' ' + result.path if result.path else ''}: {result.message}"


def _timed(timings: dict[str, float], stage: str, run: Callable, *args, **kwargs):
    """`run(*args, **kwargs)`, its seconds added to `timings[stage]`."""
    started = time.perf_counter()
    try:
        return run(*args, **kwargs)
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


# --------------------------------------------------------------------------- the atomic swap


def _build(paths: list[Path], store_dir: Path, *, fresh: bool, reason: bool, strict: bool,
           progress: Progress | None, jobs: int | None, on_wait: Callable[[str], None] | None) -> BuildSummary:
    if not paths:
        raise InputError("no report to build: give at least one report file")
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise InputError(f"jobs={jobs}: give a whole number of worker processes, 1 or more")
    with versions.writing(store_dir, on_wait), _fewer_collections():
        if not fresh and not st.is_store(store_dir):
            raise _nothing_to_add_to(store_dir)
        temp = versions.new_version_dir(store_dir)
        try:
            # The workers are forked before any store is opened here, so they share no database handle.
            with _prepared_reports(paths, jobs=jobs, reason=reason, strict=strict) as prepared:
                if not fresh:
                    st.snapshot(store_dir, temp)
                summary = _fill(temp, paths, prepared, fresh=fresh, progress=progress)
            versions.publish(store_dir, temp)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    summary.store_dir = store_dir
    return summary


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while building (forked workers included).

    A build makes hundreds of thousands of long-lived rdflib objects and few cycles; at Python's
    default threshold the collector scans them over and over (about a tenth of the bundled report's
    build). The threshold is restored afterwards.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(BUILD_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _fill(temp: Path, paths: list[Path], prepared: Iterator[PreparedReport], *, fresh: bool,
          progress: Progress | None) -> BuildSummary:
    """Write every prepared report and the ontology into the store at `temp`; the store is closed on return."""
    store = st.create_store(temp) if fresh else st.open_store(temp, read_only=False)
    try:
        summary = BuildSummary(store_dir=temp, reports=[])
        seen: dict[str, tuple[Path, str | None]] = {}
        for done, (path, ready) in enumerate(zip(paths, prepared), start=1):
            report = ready.summary
            for stage, seconds in ready.timings.items():
                summary.timings[stage] = summary.timings.get(stage, 0.0) + seconds
            if report.key in seen:
                first, name = seen[report.key]
                if _differ(name, report.force_name):
                    raise InputError(f"{path}: report of {report.force_name!r} would get the IRIs of {first}, "
                                     f"the report of {name!r} ({report.key}); the two force names collide")
                raise InputError(f"{path}: same report as {first} ({report.key}); give each report once")
            seen[report.key] = (path, report.force_name)
            try:
                _timed(summary.timings, "store", _replace, store, report.key, ready, fresh=fresh)
            except st.StoreError as error:
                raise st.StoreError(f"{path}: {error}") from error
            summary.reports.append(report)
            if progress is not None:
                progress(done, len(paths), report)
        _timed(summary.timings, "store", st.load_ontology, store)
        _timed(summary.timings, "store", st.load_reference, store)
        _timed(summary.timings, "store", st.finish, store, optimize=fresh)
        summary.graphs = st.graph_sizes(store)
        return summary
    finally:
        del store   # closes the database, so the directory can be renamed or removed


def _replace(store: ox.Store, key: str, ready: PreparedReport, *, fresh: bool) -> None:
    """Put one report's graphs in the store; in a store that already had reports, drop its old graphs first.

    A stored report with the same key but another force name is a different report: refused.
    """
    if not fresh:
        stored = st.stored_force_name(store, key)
        if _differ(stored, ready.summary.force_name):
            raise InputError(f"{ready.summary.path}: report of {ready.summary.force_name!r} would replace the stored report "
                             f"of {stored!r} ({key}); the two force names collide")
        st.remove_report(store, key)
    st.load_nquads(store, ready.nquads, ready.graph_iris)
