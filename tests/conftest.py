"""Suite-wide test settings: no network, the --regen-golden flag, and the query test store.

Every test runs with outgoing connections limited to loopback addresses and Unix
sockets: a connection anywhere else raises NetworkBlocked, so a test that would
need the network fails instead of passing on a connected machine.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

from tests.paths import DATA_DIR

QUERY_FIXTURE = DATA_DIR / "query" / "sample.trig"


class NetworkBlocked(RuntimeError):
    """A test tried to connect to an address outside this machine."""


def is_local_address(address: object) -> bool:
    """Unix socket paths, 127.0.0.0/8, ::1 (also IPv4-mapped) and the name localhost."""
    if isinstance(address, (str, bytes)):
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Refuse every non-loopback connection for the whole session."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create_connection = socket.create_connection

    def check(family: int, address: object) -> None:
        if family != getattr(socket, "AF_UNIX", None) and not is_local_address(address):
            raise NetworkBlocked(f"tests may not use the network (connection to {address!r})")

    def connect(self: socket.socket, address: object) -> None:
        check(self.family, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        check(self.family, address)
        return real_connect_ex(self, address)

    def create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        check(socket.AF_INET, address)
        return real_create_connection(address, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.create_connection = create_connection
    try:
        yield
    finally:
        socket.socket.connect = real_connect
        socket.socket.connect_ex = real_connect_ex
        socket.create_connection = real_create_connection


@pytest.fixture(scope="session", autouse=True)
def query_cache(tmp_path_factory: pytest.TempPathFactory):
    """Checked queries are remembered in a folder of the test session, never in the user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("PEELKG_CACHE_DIR")
    os.environ["PEELKG_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("PEELKG_CACHE_DIR", None)
    else:
        os.environ["PEELKG_CACHE_DIR"] = previous


@pytest.fixture
def listener():
    """A loopback port that records every connection made to it (a SERVICE call would be one): (url, calls)."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    calls: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            calls.append(connection.recv(200))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", calls
    stop.set()
    thread.join()
    server.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="Rewrite the expected results under tests/golden/ instead of comparing (also PEELKG_REGEN_GOLDEN=1).",
    )


@pytest.fixture(scope="session")
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden")) or os.environ.get("PEELKG_REGEN_GOLDEN") == "1"


def build_sample_store(target: Path) -> Path:
    """A store as a build leaves it: the fixture's report, links and inferred graphs plus the ontology graph."""
    import pyoxigraph as ox

    from peelkg.graph.store import create_store, finish, load_dataset_file, load_ontology

    store = create_store(target)
    load_dataset_file(store, QUERY_FIXTURE, ox.RdfFormat.TRIG)
    load_ontology(store)
    finish(store)
    del store
    return target


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The query fixture (tests/data/query/sample.trig) in an on-disk store; read-only for tests."""
    return build_sample_store(tmp_path_factory.mktemp("query") / "store")


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled reports built as `peelkg build` builds them (validated, reasoned); read-only for tests."""
    from peelkg.graph.build import build_store
    from peelkg.resources import bundled_reports

    store_dir = tmp_path_factory.mktemp("bundled") / "store"
    build_store(bundled_reports(), store_dir, reason=True)
    return store_dir
