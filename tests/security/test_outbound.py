"""The outbound guard: which addresses are public, odd spellings of IPv4, the allow-list, and
redirect walking + address pinning against real servers on loopback."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from autopost.security.outbound import (
    Address,
    AllowList,
    OutboundGuard,
    OutboundRefused,
    is_public,
    parse_ip,
)
from tests.support.servers import free_port, serve_in_thread

REFUSED_ADDRESSES = [
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # AWS/GCP/Azure metadata
    "169.254.1.1",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.8",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "2001:db8::1",  # documentation
]
PUBLIC_ADDRESSES = ["93.184.215.14", "8.8.8.8", "2a00:1450:4010:c05::71", "::ffff:8.8.8.8", "2002:808:808::"]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("10.0x10.0.1", "10.16.0.1"),
        ("0", "0.0.0.0"),
        ("169.254.43518", "169.254.169.254"),
        ("[::1]", "::1"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
    ],
)
def test_odd_spellings_of_addresses_are_read_as_addresses(spelling: str, address: str) -> None:
    assert parse_ip(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "name",
    ["example.com", "s3.eu-central-1.amazonaws.com", "0x7g.1", "089.1.1.1", "256.1.1.1", "1.2.3.4.5", ""],
)
def test_names_and_malformed_numbers_are_not_addresses(name: str) -> None:
    assert parse_ip(name) is None


def test_allow_list_takes_hosts_ports_and_networks() -> None:
    allowed = AllowList.parse(" minio.internal:9000, 10.20.0.0/16 ,[::1]:8080, 127.0.0.1 ,")
    loopback = ipaddress.ip_address("127.0.0.1")
    assert allowed.allows("minio.internal", 9000, ipaddress.ip_address("10.9.9.9"))
    assert allowed.allows("MINIO.internal.", 9000, ipaddress.ip_address("10.9.9.9"))
    assert not allowed.allows("minio.internal", 9001, ipaddress.ip_address("10.9.9.9"))
    assert allowed.allows("anything", 80, ipaddress.ip_address("10.20.3.4"))
    assert not allowed.allows("anything", 80, ipaddress.ip_address("10.21.3.4"))
    assert allowed.allows("::1", 8080, ipaddress.ip_address("::1"))
    assert not allowed.allows("::1", 8081, ipaddress.ip_address("::1"))
    assert allowed.allows("127.0.0.1", 5555, loopback)
    assert allowed.allows("127.1", 5555, loopback)  # the same address, spelled otherwise
    assert not allowed.allows("localhost", 5555, loopback)  # a name is not its address
    assert AllowList.parse("").allows("x", 80, loopback) is False


def test_metadata_is_refused_even_when_listed() -> None:
    allowed = AllowList.parse("169.254.0.0/16,169.254.169.254")
    assert allowed.allows("169.254.1.1", 80, ipaddress.ip_address("169.254.1.1"))
    assert not allowed.allows("169.254.169.254", 80, ipaddress.ip_address("169.254.169.254"))


@dataclass
class Origin:
    """A loopback server that records what it was asked; `routes` answers per path."""

    url: str
    port: int
    hits: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


@pytest.fixture
def internal() -> Iterator[Origin]:
    yield from _origin(lambda request: PlainTextResponse("internal secret"))


@pytest.fixture
def redirector(internal: Origin) -> Iterator[Origin]:
    def answer(request: Request) -> Response:
        target = request.query_params.get("to", "")
        if request.url.path.startswith("/hops/"):
            left = int(request.url.path.rsplit("/", 1)[1])
            return RedirectResponse(f"/hops/{left - 1}" if left else "/final", status_code=302)
        if target:
            return RedirectResponse(target, status_code=307)
        return PlainTextResponse("public " + request.url.path)

    yield from _origin(answer)


def _origin(answer: object) -> Iterator[Origin]:
    port = free_port()
    origin = Origin(url=f"http://127.0.0.1:{port}", port=port)

    async def endpoint(request: Request) -> Response:
        origin.hits.append(request.url.path)
        origin.hosts.append(request.headers.get("host", ""))
        return answer(request)  # type: ignore[operator, no-any-return]

    app = Starlette(routes=[Route("/{path:path}", endpoint)])
    with serve_in_thread(app, port):
        yield origin


async def _read(guard: OutboundGuard, url: str) -> str:
    async with guard.stream(url) as response:
        return (await response.aread()).decode()


async def test_loopback_is_refused_unless_allowed(internal: Origin) -> None:
    with pytest.raises(OutboundRefused):
        await _read(OutboundGuard(), f"{internal.url}/x")
    assert internal.hits == []
    allowed = OutboundGuard.from_setting(f"127.0.0.1:{internal.port}")
    assert await _read(allowed, f"{internal.url}/x") == "internal secret"


@pytest.mark.parametrize("to", ["http://127.0.0.1:{port}/steal", "http://[::ffff:127.0.0.1]:{port}/steal"])
async def test_every_redirect_hop_is_vetted(redirector: Origin, internal: Origin, to: str) -> None:
    guard = OutboundGuard.from_setting(f"127.0.0.1:{redirector.port}")
    with pytest.raises(OutboundRefused):
        await _read(guard, f"{redirector.url}/start?to=" + to.format(port=internal.port))
    assert redirector.hits == ["/start"] and internal.hits == []


async def test_redirects_are_followed_up_to_five_hops(redirector: Origin) -> None:
    guard = OutboundGuard.from_setting(f"127.0.0.1:{redirector.port}")
    assert await _read(guard, f"{redirector.url}/hops/4") == "public /final"
    redirector.hits.clear()
    with pytest.raises(OutboundRefused, match="too many redirects"):
        await _read(guard, f"{redirector.url}/hops/5")
    assert len(redirector.hits) == 6


async def test_a_name_is_connected_to_the_address_that_was_vetted(redirector: Origin) -> None:
    """The resolver is asked once per hop; the connection goes to its answer, Host stays the name."""
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[Address]:
        asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    guard = OutboundGuard(AllowList.parse(f"clips.test:{redirector.port}"), resolver=resolver)
    assert await _read(guard, f"http://clips.test:{redirector.port}/a") == "public /a"
    assert asked == ["clips.test"] and redirector.hosts == [f"clips.test:{redirector.port}"]


async def test_a_name_resolving_to_loopback_is_refused(internal: Origin) -> None:
    async def resolver(host: str, port: int) -> list[Address]:
        return [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("127.0.0.1")]

    with pytest.raises(OutboundRefused):
        await _read(OutboundGuard(resolver=resolver), f"http://rebind.test:{internal.port}/x")
    with pytest.raises(OutboundRefused):
        await _read(OutboundGuard(), f"http://localhost:{internal.port}/x")
    assert internal.hits == []


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "017700000001", "127.1", "[::1]", "0"])
async def test_odd_spellings_are_refused(internal: Origin, host: str) -> None:
    with pytest.raises(OutboundRefused):
        await _read(OutboundGuard(), f"http://{host}:{internal.port}/x")
    assert internal.hits == []


async def test_range_reads_take_a_slice(redirector: Origin) -> None:
    guard = OutboundGuard.from_setting(f"127.0.0.1:{redirector.port}")
    # The test server has no Range support: the guard skips to the slice itself.
    assert await guard.read_range(f"{redirector.url}/abcdef", 9, 3) == b"bcd"


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (its own CA), as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


async def test_https_keeps_the_name_for_sni_and_the_certificate(tmp_path: Path) -> None:
    """Connected to the vetted address, TLS still says and checks the URL's name."""
    cert_file, key_file = _certificate(tmp_path, "clips.test")
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda _socket, name, _context: server_names.append(name)  # type: ignore[assignment,misc]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"host={self.headers['host']}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()

    async def resolver(host: str, port: int) -> list[Address]:
        return [ipaddress.ip_address("127.0.0.1")]

    trust = ssl.create_default_context(cafile=str(cert_file))
    guard = OutboundGuard(AllowList.parse(f"clips.test:{port}"), resolver=resolver, verify=trust)
    try:
        assert await _read(guard, f"https://clips.test:{port}/x") == f"host=clips.test:{port}"
        assert server_names == ["clips.test"]
    finally:
        server.shutdown()
        server.server_close()


async def test_a_server_without_ranges_is_read_through_only_so_far(
    redirector: Origin, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx2

    from autopost.security import outbound

    monkeypatch.setattr(outbound, "MAX_SKIP_BYTES", 4)
    guard = OutboundGuard.from_setting(f"127.0.0.1:{redirector.port}")
    assert await guard.read_range(f"{redirector.url}/abcdef", 2, 3) == b"bli"
    with pytest.raises(httpx2.HTTPStatusError):
        await guard.read_range(f"{redirector.url}/abcdef", 9, 3)
