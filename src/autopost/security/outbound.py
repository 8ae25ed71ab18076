"""Fetching URLs that users gave us (clip sources) without reaching the service's own network.

Every hop is vetted before a byte is sent: the host is resolved once, each of its
addresses must be public (not loopback, private, link-local, multicast,
unspecified, reserved or a cloud metadata address), and the connection goes to
the address that was checked — the URL's name is kept for the Host header and
TLS (SNI and certificate check), so a second DNS answer cannot swap in another
address. Redirects are walked here, hop by hop, each vetted the same way.

Operators may allow named internal hosts (a private S3, a test server) with
`allowed`: comma-separated `host`, `host:port` or CIDR entries.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx2

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host, port) -> the addresses the name stands for; tests map names to addresses with their own.
Resolver = Callable[[str, int], Awaitable[list[Address]]]

REFUSED = "source_refused"
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECTS = {301, 302, 303, 307, 308}
# A server that ignores Range is read through to the slice, but only this far in.
MAX_SKIP_BYTES = 64 * 1024 * 1024

# Cloud instance metadata services; refused even when an allow-list entry would cover them.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "168.63.129.16")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IETF protocol assignments (NAT, DS-Lite, dummy): never a clip host, and Python calls some global.
IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")
_IPV4_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


class OutboundRefused(Exception):
    """A URL the service will not fetch. `reason` is for logs; callers answer with one generic code."""

    code = REFUSED

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any spelling inet_aton accepts: 127.1, 0x7f.1, 017700000001, 2130706433."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.match(p) for p in parts):
        return None
    numbers = []
    for part in parts:
        if part.lower().startswith("0x"):
            numbers.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                return None
            numbers.append(int(part, 8))
        else:
            numbers.append(int(part))
    # Every part but the last is one byte; the last fills the bytes left (a.b -> a.0.0.b).
    last_bits = 8 * (5 - len(numbers))
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 1 << last_bits:
        return None
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value |= number << (24 - 8 * index)
    return ipaddress.IPv4Address(value)


def parse_ip(host: str) -> Address | None:
    """The address a URL host spells literally (IPv6 with or without brackets), else None (a name)."""
    bare = host.strip("[]")
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare)
        except ValueError:
            return None
    return parse_ipv4(bare.rstrip("."))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one routes to (6to4, Teredo client, NAT64), if any."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Whether the address is one the service may fetch from the internet."""
    if address in METADATA or address in IETF_PROTOCOL:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d on a dual-stack socket
            return is_public(address.ipv4_mapped)
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public(embedded):
            return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


@dataclass(frozen=True)
class AllowList:
    """Internal hosts an operator allows: names or addresses (optionally with a port) and networks."""

    hosts: frozenset[tuple[str, int | None]] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> AllowList:
        hosts: set[tuple[str, int | None]] = set()
        networks: list[Network] = []
        for raw in (entry.strip() for entry in spec.split(",")):
            if not raw:
                continue
            if "/" in raw:
                networks.append(ipaddress.ip_network(raw, strict=False))
                continue
            host, port = _split_host_port(raw)
            hosts.add((_host_key(host), port))
        return cls(frozenset(hosts), tuple(networks))

    def allows(self, host: str, port: int, address: Address) -> bool:
        if address in METADATA:
            return False
        if any(address in network for network in self.networks):
            return True
        return any(key in self.hosts for key in ((_host_key(host), port), (_host_key(host), None)))


def _split_host_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, int(port)
    return entry, None


def _host_key(host: str) -> str:
    """One spelling per host: a literal address in its normal form, a name in lower case."""
    address = parse_ip(host)
    return str(address) if address is not None else host.strip("[]").rstrip(".").lower()


async def system_resolver(host: str, port: int) -> list[Address]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


@dataclass(frozen=True)
class Target:
    """A vetted hop: the URL as given, its host and port, and the one address to connect to."""

    url: httpx2.URL
    host: str
    port: int
    address: Address


class _PinnedTransport(httpx2.AsyncBaseTransport):
    """Sends to the vetted address; the Host header and TLS server name stay the URL's host."""

    def __init__(self, target: Target, verify: ssl.SSLContext | bool) -> None:
        self._target = target
        self._inner = httpx2.AsyncHTTPTransport(verify=verify, trust_env=False)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        target = self._target
        if (request.url.host, request.url.port or DEFAULT_PORTS[request.url.scheme]) != (
            target.host,
            target.port,
        ):
            raise OutboundRefused("request to a host that was not vetted")
        request.url = request.url.copy_with(host=str(target.address))
        if request.url.scheme == "https" and parse_ip(target.host) is None:
            # httpcore uses this name for SNI and for checking the certificate.
            request.extensions = {**request.extensions, "sni_hostname": target.host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass(frozen=True)
class OutboundGuard:
    """Vets and fetches user-given http(s) URLs; see the module docstring."""

    allowed: AllowList = field(default_factory=AllowList)
    resolver: Resolver = system_resolver
    max_redirects: int = MAX_REDIRECTS
    timeout: float = 30.0
    # Certificates are checked against the URL's name; a context here trusts a private CA.
    verify: ssl.SSLContext | bool = True

    @classmethod
    def from_setting(cls, allowed: str) -> OutboundGuard:
        return cls(allowed=AllowList.parse(allowed))

    async def vet(self, url: str | httpx2.URL) -> Target:
        """The address to connect to for `url`, or OutboundRefused."""
        parsed = httpx2.URL(url) if isinstance(url, str) else url
        if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
            raise OutboundRefused("not an http(s) URL with a host")
        host, port = parsed.host, parsed.port or DEFAULT_PORTS[parsed.scheme]
        literal = parse_ip(host)
        if literal is not None:
            addresses: list[Address] = [literal]
        else:
            try:
                addresses = await self.resolver(host, port)
            except OSError as exc:
                raise OutboundRefused(f"cannot resolve: {type(exc).__name__}") from exc
        if not addresses:
            raise OutboundRefused("no address")
        # All of a name's addresses must pass: any one of them could be the one a client picks.
        for address in addresses:
            if not (is_public(address) or self.allowed.allows(host, port, address)):
                raise OutboundRefused(f"internal address {address}")
        return Target(parsed, host, port, addresses[0])

    async def send(
        self, target: Target, method: str, content: bytes, headers: Mapping[str, str]
    ) -> httpx2.Response:
        """One request to a vetted target; a redirect is the answer, not followed (its hop is unvetted).

        The body of the answer is not read: the status is all a caller (webhooks) needs.
        """
        async with httpx2.AsyncClient(
            transport=_PinnedTransport(target, self.verify), timeout=self.timeout, trust_env=False
        ) as client:
            request = client.build_request(method, target.url, content=content, headers=headers)
            response = await client.send(request, stream=True, follow_redirects=False)
            await response.aclose()
            return response

    @asynccontextmanager
    async def stream(
        self, url: str, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx2.Response]:
        """GET `url`, following up to max_redirects redirects, each hop vetted and pinned."""
        for _ in range(self.max_redirects + 1):
            target = await self.vet(url)
            async with httpx2.AsyncClient(
                transport=_PinnedTransport(target, self.verify), timeout=self.timeout, trust_env=False
            ) as client:
                request = client.build_request("GET", target.url, headers=headers)
                response = await client.send(request, stream=True)
                try:
                    location = response.headers.get("location")
                    if response.status_code not in REDIRECTS or not location:
                        yield response
                        return
                finally:
                    await response.aclose()
            url = urljoin(str(target.url), location)
        raise OutboundRefused("too many redirects")

    async def read_range(self, url: str, start: int, length: int) -> bytes:
        """Up to `length` bytes from `start` (a Range request; a server without ranges is skipped through)."""
        headers = {"Range": f"bytes={start}-{start + length - 1}", "Accept-Encoding": "identity"}
        async with self.stream(url, headers) as response:
            if response.status_code == 206:
                skip = 0
            elif response.status_code == 200 and start <= MAX_SKIP_BYTES:
                skip = start
            elif response.status_code == 416:
                return b""
            else:
                raise httpx2.HTTPStatusError(
                    f"HTTP {response.status_code}", request=response.request, response=response
                )
            data = bytearray()
            async for chunk in response.aiter_raw():
                if skip >= len(chunk):
                    skip -= len(chunk)
                    continue
                data += chunk[skip:]
                skip = 0
                if len(data) >= length:
                    break
            return bytes(data[:length])
