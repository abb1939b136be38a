"""The client's address behind a reverse proxy (issue 19): a forwarded header counts only from a trusted proxy."""

from __future__ import annotations

import pytest

from analytics.access import client
from analytics.access.client import client_address, parse_trusted

PROXY = parse_trusted("10.0.0.5")


def test_a_direct_request_is_its_peer_with_or_without_trusted_proxies():
    assert client_address("198.51.100.20", {}, ()) == "198.51.100.20"
    assert client_address("198.51.100.20", {}, PROXY) == "198.51.100.20"
    assert client_address(None, {"X-Forwarded-For": "203.0.113.7"}, PROXY) is None


def test_a_request_through_the_trusted_proxy_is_the_client_it_names():
    assert client_address("10.0.0.5", {"X-Forwarded-For": "203.0.113.7"}, PROXY) == "203.0.113.7"
    assert client_address("10.0.0.5", {"x-forwarded-for": "203.0.113.7:51234"}, PROXY) == "203.0.113.7"
    assert client_address("10.0.0.5", {"Forwarded": 'for="[2001:db8::7]:4711";proto=https'}, PROXY) == "2001:db8::7"


def test_a_forged_header_from_an_untrusted_peer_is_ignored():
    forged = {"X-Forwarded-For": "203.0.113.7", "Forwarded": "for=203.0.113.7"}
    assert client_address("192.0.2.9", forged, PROXY) == "192.0.2.9"
    assert client_address("192.0.2.9", forged, ()) == "192.0.2.9"  # no proxy configured: never read
    assert client_address("10.0.0.5", forged, ()) == "10.0.0.5"


def test_entries_a_client_wrote_before_the_proxy_cannot_pick_the_address():
    # the client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it really saw
    assert client_address("10.0.0.5", {"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}, PROXY) == "203.0.113.7"
    # two trusted proxies in a row (a load balancer, then the gateway): skipped from the right
    two = parse_trusted("10.0.0.5, 10.1.0.0/24")
    assert client_address("10.0.0.5", {"X-Forwarded-For": "1.2.3.4, 203.0.113.7, 10.1.0.9"}, two) == "203.0.113.7"
    assert client_address("10.0.0.5", {"X-Forwarded-For": "10.1.0.8, 10.1.0.9"}, two) == "10.1.0.8"


def test_garbage_in_the_header_falls_back_to_the_last_address_the_proxies_vouch_for():
    assert client_address("10.0.0.5", {"X-Forwarded-For": "203.0.113.7, unknown"}, PROXY) == "10.0.0.5"
    assert client_address("10.0.0.5", {"X-Forwarded-For": "not an address"}, PROXY) == "10.0.0.5"
    assert client_address("10.0.0.5", {"Forwarded": "for=_hidden"}, PROXY) == "10.0.0.5"
    assert client_address("10.0.0.5", {"X-Forwarded-For": ""}, PROXY) == "10.0.0.5"
    assert client_address("10.0.0.5", {"Forwarded": "by=10.0.0.5"}, PROXY) == "10.0.0.5"


def test_forwarded_wins_over_x_forwarded_for_and_ipv4_mapped_addresses_are_plain():
    headers = {"Forwarded": "for=203.0.113.7", "X-Forwarded-For": "198.51.100.1"}
    assert client_address("10.0.0.5", headers, PROXY) == "203.0.113.7"
    assert client_address("::ffff:10.0.0.5", {"X-Forwarded-For": "203.0.113.8"}, PROXY) == "203.0.113.8"


def test_the_setting_takes_addresses_and_networks_and_refuses_typos(monkeypatch):
    monkeypatch.delenv(client.TRUSTED_PROXIES_ENV, raising=False)
    assert client.trusted_proxies() == ()
    monkeypatch.setenv(client.TRUSTED_PROXIES_ENV, " 10.0.0.5 , 10.1.0.0/24,::1,")
    assert [str(n) for n in client.trusted_proxies()] == ["10.0.0.5/32", "10.1.0.0/24", "::1/128"]
    monkeypatch.setenv(client.TRUSTED_PROXIES_ENV, "10.0.0.5, proxy.example")
    with pytest.raises(ValueError, match=r"proxy\.example"):
        client.trusted_proxies()
