"""The store under concurrent use and after interrupted writers (docs/store.md).

Writers take turns on the writer lock; readers see one version whole; whatever a killed
writer left (a store set aside by an older peelkg, a half-moved plain store, an unpublished
version) is finished or rolled back by the next command. The loader, validator and reasoner
are the fakes of test_build.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.graph import build as bd
from peelkg.graph import store as st
from peelkg.graph import versions
from tests.test_build import GRAPH_BASE, INSP, fake_infer, fake_load_report, fake_validate, fakes, files_of, reports, siblings, write_report  # noqa: F401

DEAD = 2**22 + 12345   # above the default pid_max, so never a live process


def keys(store_dir: Path) -> list[str]:
    with st.reading_store(store_dir) as store:
        return st.list_reports(store)


def plain_store(path: Path, report: Path) -> Path:
    """A store as an older peelkg left it: the Oxigraph database is the directory itself."""
    built = bd.build_store([report], path.with_name("scratch"))
    shutil.copytree(versions.current(built.store_dir), path)
    return path


# --------------------------------------------------------------------------- writers take turns


def hold_writer_lock(store_dir: Path, description: str) -> int:
    """Take the writer lock as another process would (a separate open file), saying who holds it."""
    vdir = versions.versions_dir(store_dir)
    vdir.mkdir(exist_ok=True)
    fd = os.open(vdir / versions.LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.write(fd, description.encode())
    return fd


def test_a_second_writer_is_refused_naming_the_holder(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    fd = hold_writer_lock(store_dir, "pid 4242 (peelkg build --add a.txt, since 2026-12-04 05:51:02 UTC)")
    try:
        with pytest.raises(versions.StoreBusy, match=r"store: being written by pid 4242 \(peelkg build --add a.txt"):
            bd.add_report(write_report(reports, "south-police"), store_dir)
        with pytest.raises(versions.StoreBusy, match="pid 4242"):
            bd.build_store([write_report(reports, "south-police")], store_dir)
    finally:
        os.close(fd)
    assert keys(store_dir) == [f"{INSP}/north-police"]


def test_a_second_writer_waits_with_a_message_then_adds(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    fd = hold_writer_lock(store_dir, "pid 4242 (peelkg build --add a.txt)")
    messages: list[str] = []
    threading.Timer(0.5, os.close, [fd]).start()
    bd.add_reports([write_report(reports, "south-police")], store_dir, on_wait=messages.append)
    assert messages == [f"{store_dir}: being written by pid 4242 (peelkg build --add a.txt); waiting for it to finish"]
    assert keys(store_dir) == [f"{INSP}/north-police", f"{INSP}/south-police"]


def test_the_build_command_waits_for_the_writer_before_it(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    fd = hold_writer_lock(store_dir, "pid 4242 (peelkg build)")
    threading.Timer(0.5, os.close, [fd]).start()
    result = CliRunner().invoke(main, ["build", "--add", str(write_report(reports, "south-police")), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert "being written by pid 4242 (peelkg build); waiting" in result.stderr
    assert keys(store_dir) == [f"{INSP}/north-police", f"{INSP}/south-police"]


# --------------------------------------------------------------------------- two writers, readers in a loop


def _writer(store_dir: Path, paths: list[Path], errors) -> None:
    bd.load_report, bd.validate, bd.infer = fake_load_report, fake_validate, fake_infer   # a fresh process
    try:
        for path in paths:
            bd.add_reports([path], store_dir, jobs=1, on_wait=lambda message: None)
    except BaseException as error:   # reported to the test, which fails on it
        errors.put(f"writer: {type(error).__name__}: {error}")


def _reader(store_dir: Path, reads: int, sizes: dict[str, int], errors, done) -> None:
    seen = 0
    for _ in range(reads):
        try:
            with st.reading_store(store_dir) as store:
                found = st.list_reports(store)
                for key in found:
                    size = st.graph_size(store, f"{GRAPH_BASE}report/{key}")
                    if size != sizes[key.rpartition("/")[2]]:
                        errors.put(f"reader: {key} has {size} triples, not {sizes[key.rpartition('/')[2]]}")
            if len(found) < seen:
                errors.put(f"reader: {len(found)} reports after {seen}: an older store came back")
            seen = len(found)
        except BaseException as error:
            errors.put(f"reader: {type(error).__name__}: {error}")
    done.put(reads)


@pytest.mark.slow
def test_two_writers_and_readers_lose_nothing_and_see_no_corruption(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    first = write_report(reports, "first-police", afis=1)
    bd.build_store([first], store_dir, jobs=1)
    batches = [[write_report(reports, f"w{w}-{n}-police", afis=1 + n) for n in range(4)] for w in (1, 2)]
    sizes = {path.stem: len(fake_load_report(path).graphs[f"{GRAPH_BASE}report/{INSP}/{path.stem}"])
             for path in [first, *batches[0], *batches[1]]}
    # Spawned, not forked: a child forked from a process with RocksDB threads can deadlock.
    context = multiprocessing.get_context("spawn")
    errors, done = context.Queue(), context.Queue()
    readers = [context.Process(target=_reader, args=(store_dir, 500, sizes, errors, done)) for _ in range(2)]
    writers = [context.Process(target=_writer, args=(store_dir, batch, errors)) for batch in batches]
    started = time.perf_counter()
    for process in readers + writers:
        process.start()
    for process in readers + writers:
        process.join(timeout=120)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert not problems, "\n".join(problems[:10])
    assert sum(done.get() for _ in readers) == 1000
    assert all(process.exitcode == 0 for process in readers + writers)
    expected = sorted(f"{INSP}/{path.stem}" for path in [first, *batches[0], *batches[1]])
    assert keys(store_dir) == expected
    assert siblings(store_dir) == ["store"]
    assert time.perf_counter() - started < 60


# --------------------------------------------------------------------------- interrupted writers


def test_a_store_an_older_peelkg_left_aside_is_restored_by_the_next_command(fakes, reports, tmp_path):
    """Killed between the two renames of the old swap: old store aside, the new one not in place."""
    store_dir = plain_store(tmp_path / "store", write_report(reports, "north-police"))
    files = files_of(store_dir)
    store_dir.rename(tmp_path / f"store.old-{DEAD}")
    shutil.copytree(tmp_path / f"store.old-{DEAD}", tmp_path / f"store.building-{DEAD}")
    runner = CliRunner()
    result = runner.invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["export", "--store", str(store_dir), "--format", "nquads"])
    assert result.exit_code == 0, result.output
    assert "north-police" in result.stdout
    assert files_of(store_dir) == files
    result = runner.invoke(main, ["build", "--add", str(write_report(reports, "south-police")), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert keys(store_dir) == [f"{INSP}/north-police", f"{INSP}/south-police"]
    assert siblings(store_dir) == ["store"]


def test_add_finds_a_store_left_aside(fakes, reports, tmp_path):
    store_dir = plain_store(tmp_path / "store", write_report(reports, "north-police"))
    store_dir.rename(tmp_path / f"store.old-{DEAD}")
    bd.add_report(write_report(reports, "south-police"), store_dir)
    assert keys(store_dir) == [f"{INSP}/north-police", f"{INSP}/south-police"]


def test_a_plain_store_half_moved_under_versions_is_read_then_finished(fakes, reports, tmp_path):
    """Killed after the plain store was moved under versions and before the link was made."""
    store_dir = plain_store(tmp_path / "store", write_report(reports, "north-police"))
    vdir = versions.versions_dir(store_dir)
    vdir.mkdir()
    (vdir / versions.MIGRATING).write_text("1")
    store_dir.rename(vdir / "1")
    assert keys(store_dir) == [f"{INSP}/north-police"]
    assert store_dir.is_symlink() and not (vdir / versions.MIGRATING).exists()


def test_a_writer_killed_before_publishing_leaves_the_old_store(fakes, reports, tmp_path, monkeypatch):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    files = files_of(store_dir)

    def killed(store_dir: Path, version: Path) -> None:
        os.symlink(f"{version.parent.name}/{version.name}", store_dir.with_name(f".store.link-{DEAD}"))
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(versions, "_point", killed)
        with pytest.raises(KeyboardInterrupt):
            bd.add_report(write_report(reports, "south-police"), store_dir)
    assert files_of(store_dir) == files
    assert keys(store_dir) == [f"{INSP}/north-police"]
    bd.add_report(write_report(reports, "west-police"), store_dir)
    assert keys(store_dir) == [f"{INSP}/north-police", f"{INSP}/west-police"]
    assert siblings(store_dir) == ["store"]


def test_a_reader_keeps_its_version_until_it_is_done(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    with st.reading_store(store_dir) as store:
        bd.build_store([write_report(reports, "south-police")], store_dir)
        assert st.list_reports(store) == [f"{INSP}/north-police"]
        assert len(list(versions.versions_dir(store_dir).glob("[0-9]*"))) == 2
    assert keys(store_dir) == [f"{INSP}/south-police"]
    bd.build_store([write_report(reports, "west-police")], store_dir)
    assert [p.name for p in versions.versions_dir(store_dir).glob("[0-9]*")] == ["3"]


def test_a_link_to_a_removed_version_is_no_store_and_can_be_rebuilt(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    shutil.rmtree(versions.versions_dir(store_dir))
    with pytest.raises(st.StoreError, match="no store here"):
        st.open_store(store_dir)
    bd.build_store([write_report(reports, "south-police")], store_dir)
    assert keys(store_dir) == [f"{INSP}/south-police"]
