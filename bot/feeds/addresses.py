"""Which IP addresses the bot may fetch from: public ones, and the networks its operator lists.

Anyone who can add a feed chooses URLs the bot fetches — any server's admins (``/feeds add``,
``/feeds preview``, ``/feeds import``), every feed (its article links) and every server (its
redirects).  Without a rule, such a URL could point the bot at the operator's own network: the
database port on 127.0.0.1, a router at 192.168.1.1, the cloud metadata service at
169.254.169.254, and ``/feeds preview`` would show the answer in Discord.  So the bot fetches only
public (globally routable) addresses, plus the networks the operator lists in
``network.allow_addresses`` (:class:`AddressPolicy`).

This module only decides; it does no I/O.  :mod:`bot.feeds.fetch` asks it about every address a
fetch would connect to: a URL's literal IP at each redirect hop, and every address a host name
resolves to, at connect time (so a name that resolves to a public address when checked and to
127.0.0.1 a moment later cannot slip through).

An IPv6 address that carries an IPv4 address (``::ffff:127.0.0.1``, NAT64's ``64:ff9b::/96``, 6to4's
``2002::/16``) is judged by that IPv4 address, since that is where the packets end up.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

__all__ = [
    "ALLOW_KEY",
    "EXTRA_ALLOWED",
    "PUBLIC_ONLY",
    "Address",
    "AddressPolicy",
    "Network",
    "looks_like_ip",
    "parse_network",
    "show_network",
]

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

#: The config key that allows more networks (named in every refusal, so the admin knows whom to ask).
ALLOW_KEY = "network.allow_addresses"
#: Networks allowed on top of every policy's own.  Empty in the bot: nothing but public addresses is
#: allowed unless the operator lists it.  The test suites that serve feeds from 127.0.0.1 put
#: loopback here for their tests (an autouse fixture, undone after each test); nothing in bot/ sets it.
EXTRA_ALLOWED: tuple[Network, ...] = ()

#: The networks of private use (RFC 1918, and IPv6 unique local addresses), named as such in refusals.
_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
#: RFC 6598's shared address space, between an ISP's carrier-grade NAT and its customers.
_SHARED = ipaddress.ip_network("100.64.0.0/10")
#: NAT64's well-known prefix: the last 32 bits are the IPv4 address a NAT64 gateway connects to.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Where cloud providers (AWS, GCP, Azure, …) serve a machine's metadata and credentials.
_METADATA = IPv4Address("169.254.169.254")
_EXAMPLES = "e.g. 10.0.0.0/8, 192.168.1.20 or fd00::/8"


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses, plus ``allowed`` (the operator's ``network.allow_addresses``)."""

    #: Networks the operator allows besides public addresses; empty (the default): none.
    allowed: tuple[Network, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[str]) -> AddressPolicy:
        """The policy of ``network.allow_addresses`` as the config holds it (validated text)."""
        return cls(tuple(parse_network(entry) for entry in entries))

    def refusal(self, address: Address | str, *, host: str | None = None) -> str | None:
        """None when the bot may connect to ``address``; otherwise the sentence that says why not.

        ``host``: the host name that resolved to ``address``, named in the sentence.  A text that
        is not an IP address is refused (the caller could not connect to it knowingly anyway).
        """
        try:
            ip = address if isinstance(address, IPv4Address | IPv6Address) else ipaddress.ip_address(address)
        except ValueError:
            where = f"{host} resolves to {address!r}, which" if host else repr(address)
            return f"{where} is not an IP address the bot can check; nothing was fetched"
        inner = _embedded_ipv4(ip)
        if self._allows(ip) or (inner is not None and self._allows(inner)):
            return None
        kind = _kind(inner if inner is not None else ip)
        if kind is None:
            return None
        if inner is not None:
            kind = f"the IPv4 address {inner} in IPv6 form, {kind}"
        subject = f"{host} resolves to {ip}, {kind}" if host else f"{ip} is {kind}"
        return f"{subject}; the bot fetches only public addresses unless the operator lists it in {ALLOW_KEY}"

    def _allows(self, ip: Address) -> bool:
        return any(ip in network for network in (*self.allowed, *EXTRA_ALLOWED))


#: The product default: public addresses only.
PUBLIC_ONLY = AddressPolicy()


def _embedded_ipv4(ip: Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address delivers to (mapped, NAT64, 6to4), else None."""
    if not isinstance(ip, IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def _kind(ip: Address) -> str | None:
    """What kind of non-public address ``ip`` is ("a loopback address" …); None when it is public."""
    if ip.is_unspecified:
        return "the unspecified address, which reaches the bot's own machine"
    if ip.is_loopback:
        return "a loopback address (the bot's own machine)"
    if ip == _METADATA:
        return "a link-local address (the cloud metadata service)"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip in network for network in _PRIVATE):
        return "a private network address"
    if ip in _SHARED:
        return "a carrier-grade NAT address"
    if isinstance(ip, IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_reserved or not ip.is_global:
        return "a special-purpose address, not a public one"
    return None


def looks_like_ip(host: str) -> bool:
    """Whether aiohttp would connect to ``host`` as a literal address without resolving it.

    Its test (a colon, or only digits and dots) also catches forms :mod:`ipaddress` refuses, such as
    ``127.1`` or ``2130706433``, which the socket layer would still map onto an address; the fetcher
    refuses those rather than let them bypass the check.
    """
    return ":" in host or host.replace(".", "").isdigit()


def parse_network(text: str) -> Network:
    """An ``allow_addresses`` entry — an IP address or a CIDR range — or ValueError saying what to write."""
    value = text.strip()
    if not value:
        raise ValueError(f"an empty entry — write an IP address or a CIDR range, {_EXAMPLES}")
    try:
        return ipaddress.ip_network(value)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(value, strict=False)
    except ValueError:
        if any(c.isalpha() for c in value) and ":" not in value and "/" not in value:
            raise ValueError(
                f"{value!r} is not an IP address or CIDR range — host names are not accepted (what a name "
                f"resolves to can change); write its address or range, {_EXAMPLES}"
            ) from None
        raise ValueError(f"{value!r} is not an IP address or CIDR range — write one, {_EXAMPLES}") from None
    raise ValueError(
        f"{value!r} has host bits set beyond /{loose.prefixlen} — did you mean {loose.with_prefixlen}?"
    )


def show_network(network: Network) -> str:
    """A network as admins write it: ``192.168.1.20`` for one address, ``10.0.0.0/8`` for a range."""
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return network.with_prefixlen
