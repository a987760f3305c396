"""Real servers, real sockets: meetings with several hosts racing single bookings and each
other. Whatever wins, no person is ever in two meetings at once (checked in SQL), and every
refused request lost to a person some winner took.

These servers read the system clock, so the times booked here lie a few days after today.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from concierge.db import Database
from tests.fixtures.server import ServerProcess
from tests.reservations.test_live import (
    active_rows_of,
    bookable_day,
    instant,
    open_all_day,
    outcome,
    overlapping_participant_rows,
    race,
    sign_up,
    two_servers,
)

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

__all__ = ["two_servers"]  # the module's two server processes, shared with test_live

RACERS = 20
# Every shape lies over 14:00-14:15 of the bookable day, so any two of them overlap.
SHAPES = [(14, 0, 15), (13, 45, 30), (14, 0, 60), (13, 30, 45)]


def body(hosts: list[dict[str, Any]], n: int) -> dict[str, Any]:
    hour, minute, duration = SHAPES[n % len(SHAPES)]
    shape = {"start": instant(bookable_day(), hour, minute), "duration": duration}
    if len(hosts) == 1:
        return {"host_id": hosts[0]["id"], **shape}
    return {"hosts": [h["id"] for h in hosts], **shape}


async def test_one_person_raced_into_meetings_in_every_role_wins_at_most_once(
    two_servers: list[ServerProcess], db: Database
) -> None:
    day = bookable_day()
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        bob = await sign_up(client, "Busy Bob")
        await open_all_day(client, bob, day)
        others = [await sign_up(client, f"Other {n}") for n in range(RACERS)]
        for other in others:
            await open_all_day(client, other, day)
    requests: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for n, other in enumerate(others):
        partner = others[(n + 1) % RACERS]
        role = n % 3
        if role == 0:  # Bob hosts a single booking
            requests.append((other, body([bob], n)))
        elif role == 1:  # Bob is the guest of another's time
            requests.append((bob, body([other], n)))
        else:  # Bob co-hosts a meeting another books
            requests.append((other, body([partner, bob], n)))
    responses = await race(two_servers, requests)
    counted = outcome(responses)
    assert counted[(201, "created")] == 1, counted
    assert counted[(409, "slot_unavailable")] == RACERS - 1, counted
    assert await active_rows_of(db, bob["id"]) == 1
    assert await overlapping_participant_rows(db) == 0


async def test_meetings_racing_single_bookings_never_share_a_person(
    two_servers: list[ServerProcess], db: Database
) -> None:
    day = bookable_day()
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        hosts = [await sign_up(client, f"Host {letter}") for letter in "ABCDE"]
        for host in hosts:
            await open_all_day(client, host, day)
        guests = [await sign_up(client, f"Booker {n}") for n in range(RACERS)]
    a, b, c, d, e = hosts
    # Meetings of overlapping sets of hosts, and single bookings of each host, in turn.
    asked = [
        [a, b],
        [b],
        [c, d],
        [a],
        [b, c, d],
        [e],
        [d, e],
        [c],
        [a, e],
        [d],
        *[[h] for h in hosts],
    ]
    asked += [[a, b, c, d, e], [b, d], [a, c], [c, e], [e, a]][: RACERS - len(asked)]
    assert len(asked) == RACERS
    requests = [
        (guest, body(who, n)) for n, (guest, who) in enumerate(zip(guests, asked, strict=True))
    ]
    responses = await race(two_servers, requests)
    counted = outcome(responses)
    assert set(counted) <= {(201, "created"), (409, "slot_unavailable")}, counted
    won = [
        frozenset(h["id"] for h in who)
        for who, response in zip(asked, responses, strict=True)
        if response.status_code == 201
    ]
    lost = [
        frozenset(h["id"] for h in who)
        for who, response in zip(asked, responses, strict=True)
        if response.status_code == 409
    ]
    assert won, counted
    # No host in two winners; each loser wanted someone a winner took.
    assert sum(len(w) for w in won) == len(frozenset().union(*won))
    assert all(any(loser & w for w in won) for loser in lost)
    for host in hosts:
        assert await active_rows_of(db, host["id"]) == int(any(host["id"] in w for w in won))
    assert await overlapping_participant_rows(db) == 0


async def test_the_last_two_hosts_leaving_at_once_leave_one_and_cancel_the_meeting(
    two_servers: list[ServerProcess], db: Database
) -> None:
    day = bookable_day()
    async with httpx.AsyncClient(base_url=two_servers[0].url, timeout=30) as client:
        booker = await sign_up(client, "Meeting Booker")
        hosts = [await sign_up(client, f"Leaving Host {n}") for n in range(2)]
        for host in hosts:
            await open_all_day(client, host, day)
        made = await client.post(
            "/v1/reservations",
            json={**body(hosts, 0), "confirm": True},
            headers=booker["auth"],
        )
        assert made.status_code == 201, made.text
    meeting = made.json()["id"]
    # Each host from its own server, at the same moment.
    clients = [httpx.AsyncClient(base_url=s.url, timeout=60) for s in two_servers]
    try:
        await asyncio.gather(*(c.get("/healthz") for c in clients))
        answers = await asyncio.gather(
            *(
                c.post(f"/v1/reservations/{meeting}/leave", headers=h["auth"])
                for c, h in zip(clients, hosts, strict=True)
            )
        )
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert sorted(a.json()["status"] for a in answers) == ["cancelled", "confirmed"]
    for host in hosts:
        assert await active_rows_of(db, host["id"]) == 0
    assert await active_rows_of(db, booker["id"]) == 0
