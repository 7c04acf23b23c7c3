"""Download a feed, or a page a feed links to, within bounds: where it may connect, how long, how many bytes.

`newsqa fetch` follows links that a feed chose, so a feed must not be able to make it read this
machine's or this network's own services (SSRF). Every connection, the first and each redirect's,
goes through `_CheckedTransport`: the host is resolved once (by the `Resolver` given, the system's
by default), every address it resolves to must be allowed (`AddressPolicy`: public addresses only,
unless the host or its network is listed in `feeds.allowed_private_hosts`), and the connection is
made to that checked address (TLS still verifies the host name), so a name that resolves to a
public address for the check and a private one for the connection cannot slip through. The feed URL
the user typed is trusted (`trusted`): its own origin is reached whatever its address; its
redirects to anywhere else are checked.

`timeout` bounds each whole download, from its first DNS lookup to the last byte of its body,
redirects included, however slowly anything arrives:

- resolution runs in a helper thread that is waited for only until the deadline (`getaddrinfo`
  cannot be interrupted; a resolver that never answers leaves that thread waiting, not the fetch);
- connecting is bounded by httpx's connect timeout, set to the time left;
- from the moment a connection exists (httpx's `trace` extension reports it), a watchdog shuts its
  socket down at the deadline, so a server that trickles its status line, its headers or its body
  a byte at a time is cut there, whichever part it is sending.

`max_bytes` bounds what is read: the body is streamed, a bigger `Content-Length` is refused before
reading, and reading stops at the limit. Proxy variables (`HTTP_PROXY`, ...) are not used: a proxy
would connect on our behalf to addresses it resolves itself.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from index.errors import BlockedAddressError, DownloadError, TooLargeError
from index.settings import megabytes

USER_AGENT = "newsqa-fetch/0.1"
"""Sent with every download."""
MAX_REDIRECTS = 5
"""Redirects followed per download."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""Resolves a host name and port to the addresses to connect to (as text); raises `OSError` when it cannot."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for `host` (`socket.getaddrinfo`, TCP)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _kind(address: IPAddress) -> str:
    """What kind of address this is, in words, for a message."""
    for name, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if test:
            return f"a {name} address"
    return "not a public address"


def _plain(address: IPAddress) -> IPAddress:
    """An IPv4 address written as IPv6 (::ffff:127.0.0.1) as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a download may connect to: public ones, and the hosts and networks listed as allowed.

    Args:
        allowed: Host names, addresses or networks (`10.1.0.0/16`) that may be reached although they are not public.
        trusted: A URL whose origin (scheme, host, port) is reached without any check: the feed URL the user typed.
    """

    allowed: tuple[str, ...] = ()
    trusted: str | None = None
    _networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(init=False, repr=False)
    _names: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        networks, names = [], set()
        for entry in self.allowed:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.strip().lower().rstrip("."))
        object.__setattr__(self, "_networks", tuple(networks))
        object.__setattr__(self, "_names", frozenset(names))

    def is_trusted(self, scheme: str, host: str, port: int) -> bool:
        """Whether this origin is the one the user typed."""
        if not self.trusted:
            return False
        parts = urlsplit(self.trusted)
        default = 443 if parts.scheme == "https" else 80
        return (parts.scheme, (parts.hostname or "").lower(), parts.port or default) == (scheme, host.lower(), port)

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether a connection to `address` (which `host` resolved to) is allowed."""
        address = _plain(address)
        if host.lower().rstrip(".") in self._names or any(address in network for network in self._networks):
            return True
        return address.is_global and not address.is_multicast and not address.is_reserved

    def check(self, host: str, addresses: Sequence[str]) -> list[str]:
        """The addresses `host` resolved to, each checked (`BlockedAddressError` names the first that is not allowed)."""
        checked = [_plain(ipaddress.ip_address(address.split("%", 1)[0])) for address in addresses]
        for address in checked:
            if not self.allows(host, address):
                raise BlockedAddressError(
                    f"{host} is {address}, {_kind(address)}: links in a feed may reach only public addresses "
                    "(list an intranet host in NEWSQA_FEEDS__ALLOWED_PRIVATE_HOSTS to allow it)"
                )
        return list(dict.fromkeys(str(address) for address in checked))


class _Deadline:
    """One download's deadline, and the sockets it has opened so far, which the watchdog shuts at the deadline."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.passed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def message(self) -> str:
        return f"took longer than {self.seconds:g} s (NEWSQA_FEEDS__TIMEOUT_SECONDS); stopped there"

    def remaining(self) -> float:
        """Seconds left; `DownloadError` when none are."""
        left = self.at - time.monotonic()
        if left <= 0 or self.passed.is_set():
            raise DownloadError(self.message)
        return left

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpx's `trace` extension: a new connection's socket is remembered, and shut at once if the deadline has passed."""
        if not event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                late = self.passed.is_set()
            if late:
                _shut(sock)

    def cut(self) -> None:
        """The watchdog: mark the deadline passed and shut every socket of the download, so a blocked read returns now."""
        with self._lock:
            self.passed.set()
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _resolve(resolver: Resolver, host: str, port: int, deadline: _Deadline) -> list[str]:
    """What `resolver` says `host` is, waited for only until the deadline (the lookup itself cannot be interrupted)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]  # an address needs no lookup
    except ValueError:
        pass
    found: list[str] = []
    failed: list[BaseException] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            found.extend(resolver(host, port))
        except BaseException as error:  # handed to the waiting thread
            failed.append(error)
        finally:
            done.set()

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    if not done.wait(deadline.remaining()):
        raise DownloadError(f"resolving {host} {deadline.message}")
    if failed:
        error = failed[0]
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise DownloadError(f"cannot resolve {host} ({reason})") from error
    if not found:
        raise DownloadError(f"cannot resolve {host} (no address)")
    return found


class _CheckedTransport(httpx.BaseTransport):
    """An httpx transport that connects only where `policy` allows, to the very address it checked (see the module docstring)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver, deadline: _Deadline) -> None:
        self.policy = policy
        self.resolver = resolver
        self.deadline = deadline
        self._inner = httpx.HTTPTransport(trust_env=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` to the checked address of its host, with its own Host header and TLS server name."""
        url = request.url
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = _resolve(self.resolver, host, port, self.deadline)
        if not self.policy.is_trusted(url.scheme, host, port):
            addresses = self.policy.check(host, addresses)
        for number, address in enumerate(addresses, start=1):
            left = self.deadline.remaining()
            pinned = httpx.Request(
                request.method,
                url.copy_with(host=address),
                headers=request.headers,  # keeps `Host: <the name>`
                stream=request.stream,
                extensions={
                    **request.extensions,
                    "sni_hostname": host,
                    "timeout": httpx.Timeout(left).as_dict(),
                    "trace": self.deadline.trace,
                },
            )
            try:
                return self._inner.handle_request(pinned)
            except httpx.ConnectError:
                if number == len(addresses):  # e.g. "localhost" is ::1 and 127.0.0.1, and the server listens on one
                    raise
        raise AssertionError("unreachable: _resolve returns at least one address")

    def close(self) -> None:
        """Close the pooled connections."""
        self._inner.close()


def download(
    url: str, *, policy: AddressPolicy, timeout: float, max_bytes: int, what: str = "it", resolver: Resolver = system_resolver
) -> bytes:
    """The body of `url`, following up to `MAX_REDIRECTS` redirects, each hop checked by `policy`.

    Args:
        url: What to download.
        policy: Where it may connect.
        timeout: Seconds for the whole download: resolution, connection, status line, headers, body, every redirect.
        max_bytes: Most bytes of body read; `what` names the limit's setting in the message.
        resolver: How host names become addresses (the system's resolver by default).

    Raises `BlockedAddressError`, `TooLargeError` (over `max_bytes`), or `DownloadError` (unresolvable,
    unreachable, an HTTP error status, or longer than `timeout` seconds in all).
    """
    deadline = _Deadline(timeout)
    watchdog = threading.Timer(timeout, deadline.cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        with httpx.Client(
            transport=_CheckedTransport(policy, resolver, deadline),
            trust_env=False,
            follow_redirects=False,  # followed below, one checked hop at a time, within the one deadline
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        ) as client:
            request = client.build_request("GET", url)
            for _ in range(MAX_REDIRECTS + 1):
                deadline.remaining()
                response = client.send(request, stream=True)
                try:
                    if response.is_redirect and response.next_request is not None:
                        request = response.next_request
                        continue
                    if response.status_code >= 400:
                        raise DownloadError(f"HTTP {response.status_code} {response.reason_phrase}")
                    body = _read_capped(response, max_bytes, what)
                    if deadline.passed.is_set():  # cut at the deadline where the body has no length: what came is not all of it
                        raise DownloadError(deadline.message)
                    return body
                finally:
                    response.close()
            raise DownloadError(f"more than {MAX_REDIRECTS} redirects")
    except httpx.HTTPError as error:
        if deadline.passed.is_set() or isinstance(error, httpx.TimeoutException):
            raise DownloadError(deadline.message) from error
        raise DownloadError(f"{type(error).__name__}: {error}") from error
    finally:
        watchdog.cancel()


def _read_capped(response: httpx.Response, max_bytes: int, what: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLargeError(f"is {megabytes(int(declared))}, over the {megabytes(max_bytes)} limit ({what}); not downloaded")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise TooLargeError(f"is over the {megabytes(max_bytes)} limit ({what}); stopped reading there")
    return bytes(body)
