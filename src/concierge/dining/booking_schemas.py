"""What the booking flow answers: typed results that also read well as plain text."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from concierge.dining.schemas import PLATFORM, WallClockTime, clock_text, day_text


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

    def line(self) -> str:
        kind = f" - {self.table_type}" if self.table_type else ""
        number = f" - confirmation {self.confirmation}" if self.confirmation else ""
        elsewhere = " (booked outside Concierge)" if self.booked_through != "concierge" else ""
        return (
            f"{self.restaurant}, {day_text(self.day)} at {clock_text(self.time)}, "
            f"{_party(self.party_size)}{kind} ({self.platform}){number}{elsewhere}"
        )


class BookingConfirmation(TableBooking):
    email: str | None = Field(default=None, description="Where Resy sends its confirmation")
    already_booked: bool = Field(
        default=False,
        description="True when the person already held this very table (a repeated request): "
        "it is the answer, and nothing new was booked",
    )

    def text(self) -> str:
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


class Cancellation(TableBooking):
    refunded: bool | None = Field(default=None, description="Whether Resy refunded a charge")

    def text(self) -> str:
        refund = {True: " Resy refunded the charge.", False: "", None: ""}[self.refunded]
        return f"Cancelled: {self.line()}.{refund}"


class MyReservations(BaseModel):
    items: list[TableBooking]
    checked_resy: bool = Field(description="Whether Resy's own list was merged in")
    note: str | None = None

    def text(self) -> str:
        lines = (
            ["Your upcoming reservations:", *(f"- {item.line()}" for item in self.items)]
            if self.items
            else ["You have no upcoming restaurant reservations."]
        )
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)
