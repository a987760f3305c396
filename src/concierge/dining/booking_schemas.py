"""What the booking flow answers: typed results that also read well as plain text."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from concierge.dining.schemas import PLATFORM, WallClockTime, clock_text, day_text
from concierge.timezones import zone


def _party(size: int) -> str:
    return f"party of {size}"


class LoginSaved(BaseModel):
    platform: str = PLATFORM
    email: str
    payment_method: str | None = Field(
        description='The card bookings use, e.g. "Visa ending in 1234"; None when none is on file'
    )

    def text(self) -> str:
        card = (
            f"Payment method: {self.payment_method}"
            if self.payment_method
            else "No payment method on file: restaurants that hold tables with a card will "
            "refuse bookings until you add one on resy.com."
        )
        return f"Credentials saved and verified. {card}"


class TableBooking(BaseModel):
    """A table booked (or found at Resy), as "my reservations" and confirmations show it."""

    restaurant: str
    day: dt.date
    time: WallClockTime
    time_zone: str | None = None
    party_size: int
    table_type: str | None = None
    confirmation: str | None = Field(description="Resy's reservation number")
    special_requests: str | None = None
    platform: str = PLATFORM
    status: str = "confirmed"
    booked_through: str = Field(
        default="concierge", description="concierge, or resy when booked elsewhere"
    )
    cancellation_fee: float | None = Field(
        default=None, description="The fee Resy lists for cancelling it late (None: none known)"
    )
    cancellation_allowed: bool | None = Field(
        default=None, description="Whether Resy still lets it be cancelled"
    )
    past: bool = False

    def line(self) -> str:
        kind = f" - {self.table_type}" if self.table_type else ""
        number = f" - confirmation {self.confirmation}" if self.confirmation else ""
        elsewhere = " (booked outside Concierge)" if self.booked_through != "concierge" else ""
        state = " [cancelled]" if self.status == "cancelled" else " [past]" if self.past else ""
        fee = (
            f" - cancellation fee ${self.cancellation_fee:,.0f}"
            if self.cancellation_fee and self.status != "cancelled" and not self.past
            else ""
        )
        return (
            f"{self.restaurant}, {day_text(self.day)} at {clock_text(self.time)}, "
            f"{_party(self.party_size)}{kind} ({self.platform}){number}{elsewhere}{state}{fee}"
        )


class BookingTerms(BaseModel):
    """What the person commits to, read from Resy's /3/details for the exact table."""

    venue_id: int
    table_type: str | None = Field(description='The seating, as Resy names it: "Bar"')
    card: str | None = Field(description='The card Resy is given: "Visa ending in 1234"')
    card_id: int | None = None
    deposit: float | None = Field(
        default=None, description="What Resy charges when booking (0 or None: nothing)"
    )
    cancellation_fee: float | None = Field(
        default=None, description="What a late cancellation or no-show costs"
    )
    cancellation_deadline: dt.datetime | None = Field(
        default=None, description="Cancel before this (UTC) to owe no fee"
    )
    cancellation_policy: list[str] = []
    special_requests: str | None = None
    special_requests_sent: bool = Field(
        default=False,
        description="Whether the note reaches the restaurant through Resy (its booking call "
        "takes none, so it is kept in Concierge only)",
    )


class BookingConfirmation(TableBooking):
    email: str | None = Field(default=None, description="Where Resy sends its confirmation")
    already_booked: bool = Field(
        default=False,
        description="True when the person already held this very table (a repeated request): "
        "it is the answer, and nothing new was booked",
    )
    booked: bool = Field(
        default=True,
        description="False for a preview: nothing is booked until make_reservation is called "
        "again with confirmation_token",
    )
    confirmation_token: str | None = Field(
        default=None, description="Pass back to make_reservation to book exactly these terms"
    )
    confirmation_expires: dt.datetime | None = None
    terms: BookingTerms | None = None
    terms_changed: bool = Field(
        default=False,
        description="True when a confirmation_token was given but the terms are no longer "
        "the ones it was issued for (or it expired): nothing was booked, this is a new preview",
    )

    def text(self) -> str:
        if not self.booked:
            return self._preview_text()
        said = "Already booked, nothing new was booked:" if self.already_booked else "Booked!"
        lines = [
            f"{said} {self.restaurant}, {day_text(self.day)} at {clock_text(self.time)}, "
            f"{_party(self.party_size)}",
            f"Confirmation: {self.confirmation or 'see your Resy account'}",
        ]
        if self.special_requests:
            lines.append(
                f'Your note "{self.special_requests}" is kept with the booking in Concierge; '
                "Resy's booking call carries no notes, so mention it to the restaurant."
            )
        if self.email:
            lines.append(f"Resy will send a confirmation email to {self.email}")
        return "\n".join(lines)

    def _preview_text(self) -> str:
        terms = self.terms
        assert terms is not None
        kind = f", {self.table_type}" if self.table_type else ""
        lines = [
            ("The terms changed since the preview (or it expired). " if self.terms_changed else "")
            + "Not booked yet. Please confirm with the person:",
            f"{self.restaurant}, {day_text(self.day)} at {clock_text(self.time)}, "
            f"{_party(self.party_size)}{kind}",
            f"Card: {terms.card or 'none (this restaurant does not hold tables with one)'}",
            f"Charged now: {_money(terms.deposit) if terms.deposit else 'nothing'}",
            _fee_line(terms.cancellation_fee, terms.cancellation_deadline, self.time_zone),
            *terms.cancellation_policy,
        ]
        if terms.special_requests and not terms.special_requests_sent:
            lines.append(
                f'Note "{terms.special_requests}": Resy\'s booking call takes no special '
                "requests, so it will NOT reach the restaurant through Resy; Concierge keeps it "
                "with the booking. Tell the person to mention it to the restaurant."
            )
        lines.append(
            "To book, call make_reservation again with the same arguments and "
            f"confirmation_token={self.confirmation_token!r} (valid 10 minutes)."
        )
        return "\n".join(lines)


def _money(amount: float) -> str:
    return f"${amount:,.2f}".replace(".00", "")


def _fee_line(fee: float | None, deadline: dt.datetime | None, time_zone: str | None) -> str:
    if not fee:
        return "Cancellation fee: none"
    if deadline is None:
        return f"Cancellation fee: {_money(fee)} (Resy gives no deadline)"
    local = deadline
    if time_zone:
        local = deadline.astimezone(zone(time_zone))
    return (
        f"Cancellation fee: {_money(fee)} if cancelled after {day_text(local.date())} "
        f"{clock_text(local)} (restaurant's time)"
    )


class Cancellation(TableBooking):
    refunded: bool | None = Field(default=None, description="Whether Resy refunded a charge")
    cancelled: bool = Field(
        default=True,
        description="False for a preview: nothing is cancelled until cancel_reservation is "
        "called again with confirmation_token",
    )
    confirmation_token: str | None = Field(
        default=None, description="Pass back to cancel_reservation to cancel on these terms"
    )
    confirmation_expires: dt.datetime | None = None
    terms_changed: bool = False

    def text(self) -> str:
        if not self.cancelled:
            fee = (
                f"Resy lists a cancellation fee of {_money(self.cancellation_fee)} for this "
                "table; it is charged if cancelling now is past the restaurant's deadline."
                if self.cancellation_fee
                else "Resy lists no cancellation fee for this table."
            )
            changed = "The terms changed since the preview. " if self.terms_changed else ""
            return (
                f"{changed}Not cancelled yet. Please confirm with the person: cancel "
                f"{self.line()}? {fee} To cancel, call cancel_reservation again with the same "
                f"arguments and confirmation_token={self.confirmation_token!r} (valid 10 "
                "minutes)."
            )
        refund = {True: " Resy refunded the charge.", False: "", None: ""}[self.refunded]
        return f"Cancelled: {self.line()}.{refund}"


class MyReservations(BaseModel):
    items: list[TableBooking]
    checked_resy: bool = Field(description="Whether Resy's own list was merged in")
    note: str | None = None
    include_past: bool = False
    include_cancelled: bool = False

    def text(self) -> str:
        which = (
            "reservations"
            if self.include_past and self.include_cancelled
            else "reservations, past ones too"
            if self.include_past
            else "upcoming reservations, cancelled ones too"
            if self.include_cancelled
            else "upcoming reservations"
        )
        empty = (
            "You have no restaurant reservations to show."
            if self.include_past or self.include_cancelled
            else "You have no upcoming restaurant reservations."
        )
        lines = (
            [f"Your {which}:", *(f"- {item.line()}" for item in self.items)]
            if self.items
            else [empty]
        )
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)
