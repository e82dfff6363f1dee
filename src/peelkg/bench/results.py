"""What a benchmark run measures and reports: the plan, the figures with their targets, the table.

Every section adds `Figure`s to one `BenchResult`; the table and the summary line read them.
The small timing helpers every section shares live here too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from peelkg.errors import PeelkgError, first_line


class BenchError(PeelkgError):
    """A benchmark could not run (e.g. its child process died)."""


class TargetsMissed(PeelkgError):
    """A benchmark figure missed its target: a check that failed, like a graph that does not validate."""

    exit_code = 1


Progress = Callable[[str], None]
"""Called with a one-line note as each measurement starts."""


@dataclass(frozen=True)
class Plan:
    """How much to measure: corpus sizes, repetitions, time budgets and view sizes."""

    sizes: tuple[int, ...]
    build_runs: int
    add_runs: int
    query_runs: int
    rdflib_budget: float         # seconds per query on rdflib, all runs together
    oxigraph_budget: float       # the same on Oxigraph
    isolate_queries: bool        # time Oxigraph in a child process that can be killed (costs a start-up per query)
    view_sizes: tuple[int, ...]
    view_runs: int
    draw_cap: float              # seconds to wait for a view to draw and settle

    @classmethod
    def quick(cls) -> Plan:
        return cls(sizes=(1, 3), build_runs=3, add_runs=1, query_runs=5, rdflib_budget=0.5, oxigraph_budget=5.0, isolate_queries=False, view_sizes=(100, 500), view_runs=1, draw_cap=20.0)

    @classmethod
    def full(cls) -> Plan:
        return cls(sizes=(1, 43, 430), build_runs=5, add_runs=3, query_runs=20, rdflib_budget=20.0, oxigraph_budget=30.0, isolate_queries=True, view_sizes=(100, 1000, 5000), view_runs=3, draw_cap=60.0)


@dataclass
class Figure:
    """One measured figure, with its target: `value <= target` (or `>=` when higher is better)."""

    section: str
    name: str
    value: float | None
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    runs: int = 1
    bound: bool = False          # the measurement was cut by its budget: the true value is at least `value`
    note: str = ""

    @property
    def status(self) -> str:
        if self.target is None:
            return ""
        if self.value is None:
            return "?" if self.bound else "MISS"
        if self.higher_is_better:
            return "PASS" if self.value >= self.target else ("?" if self.bound else "MISS")
        return "PASS" if self.value <= self.target else "MISS"


@dataclass
class BenchResult:
    quick: bool
    started: str
    machine: dict[str, str]
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0
    listener: Callable[[Figure], None] | None = field(default=None, repr=False, compare=False)

    def add(self, *figures: Figure) -> None:
        """Record figures; the listener sees each one as it is measured (a cut run keeps its numbers)."""
        self.figures.extend(figures)
        for figure in figures:
            if self.listener is not None:
                self.listener(figure)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("listener", None)
        for figure, item in zip(self.figures, data["figures"]):
            item["status"] = figure.status
        return data


def seconds_of(function: Callable) -> float:
    """Wall time of one call."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def percentile(values: list[float], percent: int) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-percent * len(ordered) // 100) - 1))]


def ms(value: float | None) -> float | None:
    """Seconds as milliseconds, for the table."""
    return None if value is None else value * 1000


def one_line(error: BaseException, limit: int = 160) -> str:
    """An error as one short line for a figure's note."""
    line = first_line(error)
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


# --------------------------------------------------------------------------- the table


def format_table(result: BenchResult) -> str:
    """The results as a Markdown table: figure, value, target, PASS/MISS, runs, note."""
    lines = [
        f"peelkg bench ({'quick' if result.quick else 'full'}) {result.started}; "
        f"{result.machine['cpus']} CPUs, {result.machine['memory']}, {result.machine['cpu']}; {result.seconds:.0f} s",
        "",
        "| section | figure | value | target | status | runs | note |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    lines.extend(format_row(f) for f in result.figures)
    return "\n".join(lines)


def count_status(result: BenchResult) -> dict[str, int]:
    """How many figures passed, missed and could not be decided (a measurement cut by its budget)."""
    statuses = [f.status for f in result.figures]
    return {"PASS": statuses.count("PASS"), "MISS": statuses.count("MISS"), "?": statuses.count("?")}


def format_summary(result: BenchResult) -> str:
    """The one line that ends a run: `12 PASS, 1 MISS` (and how many are undecided, if any).

    >>> format_summary(BenchResult(True, "", {}, [Figure("s", "a", 1.0, "s", 2.0), Figure("s", "b", 3.0, "s", 2.0)]))
    '1 PASS, 1 MISS'
    """
    counts = count_status(result)
    line = f"{counts['PASS']} PASS, {counts['MISS']} MISS"
    return line + (f", {counts['?']} undecided (cut by the time budget)" if counts["?"] else "")


def missed(result: BenchResult) -> list[Figure]:
    """The figures that missed their target."""
    return [f for f in result.figures if f.status == "MISS"]


def format_row(f: Figure) -> str:
    """One figure as a row of the results table."""
    value = "n/a" if f.value is None else (">= " if f.bound else "") + _number(f.value) + f" {f.unit}"
    target = "" if f.target is None else ("\u2265 " if f.higher_is_better else "\u2264 ") + _number(f.target) + f" {f.unit}"
    return f"| {f.section} | {f.name} | {value} | {target} | {f.status} | {f.runs} | {f.note} |"


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"
