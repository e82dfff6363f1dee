"""Store directories on disk: immutable versions, the link naming the current one, and the locks.

`--store DIR` is a symbolic link to `DIR.versions/N`, a whole Oxigraph database that nothing
writes once it is published. A writer (`build`, `build --add`) holds an exclusive lock on
`DIR.versions/lock` for its whole run, so writers take turns and none works from a stale copy;
it builds `DIR.versions/building-PID`, renames it to the next number and publishes it by
replacing the link in one rename. A reader resolves the link once and holds a shared lock on
the version it opened, so it sees the old store or the new one, whole; a writer deletes only
the old versions no reader holds. docs/store.md describes the model.

A plain Oxigraph directory at DIR (a store made before versions, or by `create_store`) is read
as it is and moved under `DIR.versions` by the next writer.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from peelkg.errors import PeelkgError

LOCK_NAME = "lock"
MIGRATING = "migrating"      # names the version a link is being created for (a plain store moving in)
BUILDING = "building-"


class StoreBusy(PeelkgError):
    """Another process is writing the store."""

    exit_code = 2


def versions_dir(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + ".versions")


def is_database(path: Path) -> bool:
    """True when `path` holds an Oxigraph (RocksDB) database."""
    return (path / "CURRENT").is_file() and any(path.glob("MANIFEST-*"))


# --------------------------------------------------------------------------- finding the current version


def current(store_dir: Path) -> Path | None:
    """The directory of the current version, resolved once; None when there is no store.

    The link's target; else the directory itself (a plain store, or any other folder: the caller
    checks it); else, while a plain store is moving under versions or an older peelkg's swap was
    cut short, the whole store that the next writer will put in place.
    """
    if store_dir.is_symlink():
        return store_dir.parent / os.readlink(store_dir)
    if store_dir.is_dir():
        return store_dir
    marker = versions_dir(store_dir) / MIGRATING
    if marker.is_file():
        return versions_dir(store_dir) / marker.read_text(encoding="utf-8").strip()
    aside = _set_aside(store_dir)
    return aside[-1] if aside else None


def _set_aside(store_dir: Path) -> list[Path]:
    """Stores an older peelkg moved aside (`DIR.old-PID`) and whose process is gone, oldest first."""
    if not store_dir.parent.is_dir():
        return []
    prefix = store_dir.name + ".old-"
    found = [p for p in store_dir.parent.iterdir()
             if p.name.startswith(prefix) and p.name[len(prefix):].isdigit() and not _alive(int(p.name[len(prefix):]))]
    return sorted((p for p in found if is_database(p)), key=lambda p: p.stat().st_mtime)


# --------------------------------------------------------------------------- readers


_pinned: dict[str, int] = {}


def pin(store_dir: Path) -> Path | None:
    """The current version, locked for reading until this process exits (None when there is no store).

    For a command that opens the store once and ends; a long-running reader uses `reading()`.
    """
    version, fd = _acquire(store_dir)
    if fd is not None:
        if str(version) in _pinned:
            os.close(fd)
        else:
            _pinned[str(version)] = fd
    return version


@contextmanager
def reading(store_dir: Path) -> Iterator[Path | None]:
    """The current version, locked for reading while the block runs (None when there is no store)."""
    version, fd = _acquire(store_dir)
    try:
        yield version
    finally:
        if fd is not None:
            os.close(fd)


def _acquire(store_dir: Path) -> tuple[Path | None, int | None]:
    """Resolve the current version and take a shared lock on it; retry if a writer removed it meanwhile."""
    if not store_dir.exists() and not store_dir.is_symlink():
        recover_if_idle(store_dir)
    for _ in range(1000):
        version = current(store_dir)
        if version is None:
            return None, None
        try:
            fd = os.open(version, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            if current(store_dir) == version:
                return version, None   # a link to nothing: no store (the caller says so)
            continue                   # removed after it stopped being current: resolve again
        except NotADirectoryError:
            return version, None
        fcntl.flock(fd, fcntl.LOCK_SH)
        if os.fstat(fd).st_nlink > 0:
            return version, fd
        os.close(fd)                   # deleted while we waited for the lock
    raise StoreBusy(f"{store_dir}: the store changed 1000 times while it was being opened; try again")


# --------------------------------------------------------------------------- writers


@contextmanager
def writing(store_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store's writer lock; finish or roll back what an interrupted writer left first.

    Another writer holding it: `on_wait(message)` then wait, or without `on_wait` raise StoreBusy
    naming the holder. A first build that fails leaves nothing behind, not even the lock file.
    """
    vdir = versions_dir(store_dir)
    fd = _lock(vdir, store_dir, on_wait, wait=True)
    assert fd is not None                # a waiting lock is always had in the end
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, _describe_self().encode("utf-8"), 0)
        _recover(store_dir)
        adopt_plain_store(store_dir)
        yield
    finally:
        if not store_dir.exists() and not store_dir.is_symlink() and [p.name for p in vdir.iterdir()] == [LOCK_NAME]:
            (vdir / LOCK_NAME).unlink()     # safe: a waiter checks that its lock file is still the one in place
            vdir.rmdir()
        os.close(fd)


def recover_if_idle(store_dir: Path) -> None:
    """When no writer is at work, finish or roll back what an interrupted one left (readers call this)."""
    vdir = versions_dir(store_dir)
    if not vdir.is_dir() and not _set_aside(store_dir):
        return
    fd = _lock(vdir, store_dir, None, wait=False)
    if fd is None:
        return                          # the writer at work will do it
    try:
        _recover(store_dir)
    finally:
        os.close(fd)


def _lock(vdir: Path, store_dir: Path, on_wait: Callable[[str], None] | None, *, wait: bool) -> int | None:
    """An fd holding the writer lock on `vdir/lock` (None if busy and not `wait`, or StoreBusy)."""
    while True:
        vdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(vdir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                os.close(fd)
                return None
            message = f"{store_dir}: being written by {_holder(fd)}"
            if on_wait is None:
                os.close(fd)
                raise StoreBusy(f"{message}; try again when it has finished") from None
            on_wait(f"{message}; waiting for it to finish")
            on_wait = _silent
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_ino == os.stat(vdir / LOCK_NAME).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)                    # the holder removed the lock file meanwhile: lock the one in place


def _silent(message: str) -> None:
    """Say that we wait only once, however often the lock file changes."""


def _holder(fd: int) -> str:
    text = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
    return text or "another peelkg process"


def _describe_self() -> str:
    command = " ".join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]])
    command = "".join(c if c.isprintable() else "?" for c in command)[:200]
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return f"pid {os.getpid()} ({command}, since {started})"


def new_version_dir(store_dir: Path) -> Path:
    """Where this writer builds the next version (it must not exist yet)."""
    return versions_dir(store_dir) / f"{BUILDING}{os.getpid()}"


def publish(store_dir: Path, built: Path) -> Path:
    """Make the whole store at `built` the current version: number it, replace the link, drop unheld versions.

    Call while holding `writing()`. The link is replaced by one rename, so every reader sees
    either the old version or this one.
    """
    adopt_plain_store(store_dir)
    if store_dir.is_dir() and not store_dir.is_symlink():
        store_dir.rmdir()               # an empty folder chosen for a first build
    vdir = versions_dir(store_dir)
    version = vdir / str(_next_number(vdir))
    os.rename(built, version)
    _fsync_dir(vdir)
    _point(store_dir, version)
    collect(store_dir)
    return version


def adopt_plain_store(store_dir: Path) -> None:
    """Move a plain store directory under versions and link to it, so it can be replaced by one rename.

    The marker names the version while the directory is moved, so a reader (or the next writer)
    finds the store even if the process dies between the rename and the link.
    """
    if store_dir.is_symlink() or not is_database(store_dir):
        return
    vdir = versions_dir(store_dir)
    version = vdir / str(_next_number(vdir))
    (vdir / MIGRATING).write_text(version.name, encoding="utf-8")
    os.rename(store_dir, version)
    _point(store_dir, version)
    (vdir / MIGRATING).unlink()


def _point(store_dir: Path, version: Path) -> None:
    link = store_dir.with_name(f".{store_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(f"{version.parent.name}/{version.name}", link)
    os.replace(link, store_dir)
    _fsync_dir(store_dir.parent)


def _next_number(vdir: Path) -> int:
    return 1 + max((int(p.name) for p in vdir.iterdir() if p.name.isdigit()), default=0)


def collect(store_dir: Path) -> None:
    """Delete the versions that are not current and that no reader holds, and unfinished builds."""
    vdir = versions_dir(store_dir)
    keep = current(store_dir)
    for path in sorted(vdir.iterdir()):
        if path.name in (LOCK_NAME, MIGRATING) or (keep is not None and path.name == keep.name):
            continue
        if path.name.startswith(BUILDING) and path.name == f"{BUILDING}{os.getpid()}":
            continue
        _remove_unheld(path)


def _remove_unheld(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        path.unlink(missing_ok=True)
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return                          # a reader still has it open: the next writer removes it
    else:
        shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(fd)


def _recover(store_dir: Path) -> None:
    """Under the writer lock: finish a plain store's move, restore a store an older peelkg left aside,
    and drop what killed writers left (half-built versions, temporary links, unpublished versions)."""
    vdir = versions_dir(store_dir)
    marker = vdir / MIGRATING
    if marker.is_file():
        version = vdir / marker.read_text(encoding="utf-8").strip()
        if not store_dir.is_symlink() and not store_dir.exists() and is_database(version):
            _point(store_dir, version)
        marker.unlink()
    if not store_dir.exists() and not store_dir.is_symlink():
        aside = _set_aside(store_dir)
        if aside:
            os.rename(aside[-1], store_dir)
    prefix = store_dir.name + "."
    for path in sorted(store_dir.parent.iterdir()):
        stale = (path.name.startswith(prefix) and _dead_suffix(path.name[len(prefix):], ("building-", "old-"))) or (
            path.name.startswith("." + prefix) and _dead_suffix(path.name[len(prefix) + 1:], ("link-",)))
        if stale:
            if path.is_symlink() or not path.is_dir():
                path.unlink(missing_ok=True)
            else:
                shutil.rmtree(path, ignore_errors=True)
    if vdir.is_dir():
        collect(store_dir)


def _dead_suffix(rest: str, roles: tuple[str, ...]) -> bool:
    for role in roles:
        if rest.startswith(role) and rest[len(role):].isdigit():
            return not _alive(int(rest[len(role):]))
    return False


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
