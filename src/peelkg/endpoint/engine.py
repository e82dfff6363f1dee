"""The Oxigraph server behind `peelkg serve`: started on a private loopback port, watched, restarted.

Nobody talks to this process but the guard in front of it (serve.py). It is started
again when it ends (a query that aborts it), when it grows past the memory bound, and
when the store directory is replaced by a rebuild (it would otherwise keep answering
from the deleted files of the old store). It asks the kernel to end it when its parent
ends, so a `kill -9` of `peelkg serve` does not leave it listening.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import math
import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from peelkg.errors import PeelkgError
from peelkg.graph import versions

STARTUP_TIMEOUT_S = 15.0
_PR_SET_PDEATHSIG = 1


class ServeError(PeelkgError):
    """The local endpoint could not start."""

    exit_code = 2


def oxigraph_binary() -> str:
    """The `oxigraph` server installed with this Python (PyPI package `oxigraph`)."""
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the Oxigraph server is not installed: pip install oxigraph==0.5.13")
    return found


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_until_listening(host: str, port: int, deadline: float, process: subprocess.Popen | None = None) -> bool:
    """True once something accepts connections on host:port; False if the process ended first."""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def store_identity(store_dir: Path) -> tuple[str, int, int] | None:
    """What changes when a rebuild puts a new store in place: the current version, and its folder's inode."""
    version = versions.current(store_dir)
    if version is None:
        return None
    try:
        folder = os.stat(version)
    except OSError:
        return None
    return str(version), folder.st_dev, folder.st_ino


@functools.cache
def _parent_death_signal() -> Callable[[], object] | None:
    """What the child runs before exec so the kernel sends it SIGTERM when its parent ends (Linux).

    Found here, in the parent: between fork and exec the child of a process with threads may
    make the one call and nothing more (ctypes.util.find_library runs a program to search).
    """
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    try:
        prctl = ctypes.CDLL(libc_name, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return functools.partial(prctl, _PR_SET_PDEATHSIG, int(signal.SIGTERM))


def resident_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, IndexError, ValueError):
        return None


class Engine:
    """One `oxigraph serve-read-only` over the store, on a private port; `url` is where it answers now."""

    def __init__(self, store_dir: Path, host: str, timeout_s: float, memory_mb: int) -> None:
        self.store_dir = store_dir
        self.host = host
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        # (url, store version): where the engine answers and what it serves, swapped together in one step
        self.serving: tuple[str, tuple[str, int, int] | None] = ("", None)
        self.restarts = 0
        self.last_reason = ""
        self._process: subprocess.Popen | None = None
        self._hold: contextlib.ExitStack | None = None   # the read lock on the version being served
        # start, check and stop one at a time: a check that is restarting the engine when stop comes
        # finishes first, and stop then ends what it started
        self._lock = threading.RLock()

    @property
    def url(self) -> str:
        """Where the engine answers now ("" before it started)."""
        return self.serving[0]

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start a server on the store as it is now and switch `url` to it; the previous one is stopped."""
        with self._lock:
            hold = contextlib.ExitStack()
            # Hold the version served for as long as it is served: a build removes only versions nobody reads.
            version = hold.enter_context(versions.reading(self.store_dir)) or self.store_dir
            identity = store_identity(self.store_dir)
            port = free_port(self.host)
            host = f"[{self.host}]" if ":" in self.host else self.host
            log = tempfile.TemporaryFile()
            command = [
                oxigraph_binary(), "serve-read-only",
                "--location", str(version),
                "--bind", f"{host}:{port}",
                # The guard stops waiting at timeout_s; the engine gives up a little later on its own.
                "--timeout-s", str(max(1, math.ceil(self.timeout_s)) + 2),
            ]
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       preexec_fn=_parent_death_signal())
            if not wait_until_listening(self.host, port, time.monotonic() + STARTUP_TIMEOUT_S, process):
                _end(process)
                hold.close()
                log.seek(0)
                lines = [line for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
                log.close()
                problem = lines[-1].strip() if lines else "it did not start listening"
                raise ServeError(f"the Oxigraph server could not serve {self.store_dir}: {problem}")
            log.close()
            previous, self._process = self._process, process
            previous_hold, self._hold = self._hold, hold
            self.serving = (f"http://{host}:{port}", identity)
        if previous is not None:
            _end(previous)
        if previous_hold is not None:
            previous_hold.close()

    def check(self) -> str | None:
        """Restart the server if it ended, outgrew the memory bound or serves a replaced store; says why."""
        with self._lock:
            process = self._process
            if process is None:   # not started yet, or stopped: nothing to restart
                return None
            reason = None
            if process.poll() is not None:
                reason = f"the query engine ended (exit code {process.returncode})"
            elif (used := resident_mb(process.pid)) is not None and used > self.memory_mb:
                reason = f"the query engine outgrew its {self.memory_mb} MB memory bound"
                _end(process)
            else:
                identity = store_identity(self.store_dir)
                if identity is not None and identity != self.serving[1]:
                    reason = "the store was rebuilt"
            if reason is None:
                return None
            self.restarts += 1
            self.last_reason = reason
            self.start()
            return reason

    def stop(self) -> None:
        with self._lock:
            process, self._process = self._process, None
            hold, self._hold = self._hold, None
        if process is not None:
            _end(process)
        if hold is not None:
            hold.close()


def _end(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
