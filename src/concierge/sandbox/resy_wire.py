"""The stand-in Resy's answers, in the shapes of EXTERNAL-APIS.md, and its login web page."""

from __future__ import annotations

import json
import re
import zlib
from datetime import UTC, date, datetime, time
from typing import Any

from starlette.responses import JSONResponse

from concierge.sandbox.resy_data import DemoVenue
from concierge.sandbox.resy_world import Account, Booked, Card, ResyWorld


def card_json(card: Card, default: bool) -> dict[str, Any]:
    return {
        "id": card.id,
        "is_default": default,
        "display": card.last4,
        "type": card.type,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
        "provider_name": "stripe",
    }


def user_json(account: Account) -> dict[str, Any]:
    default = account.cards[0].id if account.cards else None
    return {
        "id": account.id,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "em_address": account.email,
        "em_is_verified": 1,
        "mobile_number": "+12125550100",
        "payment_method_id": default,
        "payment_methods": [card_json(c, c.id == default) for c in account.cards],
        "is_active": 1,
    }


def config_token(venue: DemoVenue, day: date, at: time, kind: str, party: int) -> str:
    template = config_id(venue, kind)
    return (
        f"rgs://resy/{venue.id}/{template}/{party}/{day.isoformat()}/{day.isoformat()}/"
        f"{at.strftime('%H:%M:%S')}/{party}/{kind}"
    )


def config_id(venue: DemoVenue, kind: str) -> int:
    return 1_000_000 + zlib.crc32(f"{venue.id}/{kind}".encode()) % 9_000_000


def parse_config_token(token: str) -> tuple[int, date, time, int, str] | None:
    match = re.fullmatch(
        r"rgs://resy/(\d+)/\d+/(\d+)/(\d{4}-\d\d-\d\d)/\d{4}-\d\d-\d\d/(\d\d:\d\d:\d\d)/\d+/(.+)",
        token,
    )
    if not match:
        return None
    venue_id, party, day, at, kind = match.groups()
    return int(venue_id), date.fromisoformat(day), time.fromisoformat(at), int(party), kind


def venue_ref(venue: DemoVenue) -> dict[str, Any]:
    return {
        "id": {"resy": venue.id},
        "name": venue.name,
        "url_slug": venue.url_slug,
        "price_range": venue.price_range,
        "location": {"time_zone": venue.time_zone, "code": venue.city_code},
        "type": venue.cuisine[0],
    }


def venue_json(venue: DemoVenue) -> dict[str, Any]:
    return {
        "id": {"resy": venue.id, "google": venue.google_place_id},
        "name": venue.name,
        "url_slug": venue.url_slug,
        "type": venue.cuisine[0],
        "price_range_id": venue.price_range,
        "location": {
            "address_1": venue.address_1,
            "address_2": None,
            "locality": venue.locality,
            "region": venue.region,
            "postal_code": venue.postal_code,
            "country": "United States",
            "latitude": venue.latitude,
            "longitude": venue.longitude,
            "neighborhood": venue.neighborhood,
            "code": venue.city_code,
            "time_zone": venue.time_zone,
        },
        "min_party_size": venue.min_party_size,
        "max_party_size": venue.max_party_size,
        "feature_recaptcha": venue.feature_recaptcha,
        "currency_symbol": "$",
    }


def hit_json(venue: DemoVenue) -> dict[str, Any]:
    return {
        "id": {"resy": venue.id},
        "objectID": str(venue.id),
        "name": venue.name,
        "url_slug": venue.url_slug,
        "locality": venue.locality,
        "region": venue.region,
        "neighborhood": venue.neighborhood,
        "cuisine": list(venue.cuisine),
        "price_range_id": venue.price_range,
        "_geoloc": {"lat": venue.latitude, "lng": venue.longitude},
        "location": {"code": venue.city_code, "name": venue.city_name},
    }


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, **extra}, status_code=status)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def reservation_json(world: ResyWorld, r: Booked, legacy: bool) -> dict[str, Any]:
    venue = world.venues[r.venue_id]
    common: dict[str, Any] = {
        "resy_token": r.resy_token,
        "reservation_id": r.reservation_id,
        "num_seats": r.party_size,
        "config": {"type": r.kind},
        "special_request": r.special_request,
        "cancellation": {
            "allowed": r.status == "confirmed",
            "fee": {"amount": venue.cancellation_fee} if venue.cancellation_fee else None,
        },
    }
    start = datetime.combine(r.day, r.at).strftime("%Y-%m-%d %H:%M:%S")
    if legacy:
        return {
            **common,
            "date": {"start": start},
            "venue": {"id": r.venue_id, "name": venue.name},
            "status": {"finished": 0, "no_show": 0, "cancelled": int(r.status == "cancelled")},
        }
    return {
        **common,
        "day": r.day.isoformat(),
        "time_slot": r.at.strftime("%H:%M:%S"),
        "venue": {"id": r.venue_id},
        "status": r.status,
    }


def login_page(world: ResyWorld) -> str:
    # The page sets the anti-bot cookie a real browser earns by running the site's script;
    # an API client never has it, which is what the "API login blocked" fault checks.
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Resy (stand-in) | Log in</title>
<style>body{{font-family:sans-serif;margin:3rem}} [hidden]{{display:none}}
.modal{{border:1px solid #ccc;padding:1rem;max-width:22rem}}
input{{display:block;margin:.5rem 0}}</style>
</head><body>
<header><strong>resy</strong> <button id="open-login" type="button">Log in</button></header>
<p id="welcome" hidden></p>
<div class="modal" id="modal" role="dialog" aria-label="Log in" hidden>
  <p>Log in to Resy</p>
  <input name="mobile_number" placeholder="Mobile number" aria-label="Mobile number">
  <button id="use-password" type="button">Use Email and Password instead</button>
  <form id="password-form" hidden>
    <input name="email" type="email" placeholder="Email" aria-label="Email" autocomplete="username">
    <input name="password" type="password" placeholder="Password" aria-label="Password"
           autocomplete="current-password">
    <button type="submit">Continue</button>
  </form>
  <p id="error" role="alert"></p>
</div>
<script>
const API_KEY = {json.dumps(world.api_key)};
document.cookie = "rsy_challenge={world.challenge}; path=/; SameSite=Strict";
const $ = (id) => document.getElementById(id);
$("open-login").onclick = () => {{ $("modal").hidden = false; }};
$("use-password").onclick = () => {{ $("password-form").hidden = false; }};
$("password-form").onsubmit = async (event) => {{
  event.preventDefault();
  const form = new FormData(event.target);
  const auth = {{ "Authorization": `ResyAPI api_key="${{API_KEY}}"` }};
  const answer = await fetch("/3/auth/password", {{
    method: "POST", headers: auth, credentials: "same-origin",
    body: new URLSearchParams({{ email: form.get("email"), password: form.get("password") }}),
  }});
  if (!answer.ok) {{
    $("error").textContent = answer.status === 419
      ? "Incorrect email or password." : "Something went wrong. Please try again.";
    return;
  }}
  const login = await answer.json();
  const headers = {{ ...auth, "X-Resy-Auth-Token": login.token,
                     "X-Resy-Universal-Auth": login.token }};
  const me = await (await fetch("/2/user", {{ headers }})).json();
  $("modal").hidden = true;
  $("welcome").hidden = false;
  $("welcome").textContent = `Welcome back, ${{me.first_name}}`;
}};
</script>
</body></html>"""
