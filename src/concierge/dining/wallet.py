"""The person's saved cards at Resy, and which one Concierge books with by default.

Resy keeps the cards (``/2/user``'s ``payment_methods``, added on resy.com); Concierge only
chooses among them. The default is kept with the person's encrypted login: the card Resy
marked default when the login was saved, until set_default_card names another.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from concierge.dining import cards
from concierge.dining.booking import NO_LOGIN, translate
from concierge.dining.errors import ResyLoginRequired
from concierge.errors import InvalidRequest
from concierge.integrations.resy import errors as resy_errors
from concierge.integrations.resy.auth import ResyAuthManager
from concierge.integrations.resy.schemas import PaymentMethod


class SavedCard(BaseModel):
    id: int
    brand: str | None = Field(description='"Visa", "Amex", ...')
    last_four: str | None
    expires: str | None = Field(description='"MM/YYYY"')
    label: str = Field(description='"Visa ending in 1234"')
    resy_default: bool = Field(description="Resy marks it default")
    concierge_default: bool = Field(description="Concierge books with it unless told otherwise")


class SavedCards(BaseModel):
    items: list[SavedCard]
    note: str | None = None

    def text(self) -> str:
        if not self.items:
            return (
                "Your Resy account has no saved card. Add one on resy.com (Account > Payment "
                "methods); restaurants that hold tables with a card need one."
            )
        lines = ["Your cards at Resy:"]
        for card in self.items:
            mark = " (Concierge books with this one)" if card.concierge_default else ""
            expires = f", expires {card.expires}" if card.expires else ""
            lines.append(f"- {card.label}{expires}{mark}")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


async def list_cards(auth: ResyAuthManager, *, note: str | None = None) -> SavedCards:
    methods = await _methods(auth)
    saved = auth.stored()
    default = saved.payment_method_id if saved else None
    if default not in {m.id for m in methods}:
        default = next((m.id for m in methods if m.is_default), None)
    return SavedCards(items=[_card(m, default) for m in methods], note=note)


async def set_default_card(auth: ResyAuthManager, wanted: str) -> SavedCards:
    """Book with the card ``wanted`` names ("Amex", "1234") from now on."""
    methods = await _methods(auth)
    found = cards.pick(methods, wanted)
    if found is None:
        raise InvalidRequest(
            f"No single card on your Resy account matches {wanted.strip()!r}. Your cards: "
            f"{cards.listing(methods)}. Name one by its brand or last four digits.",
            field="card",
        )
    await auth.set_default_card(found.id, found.label)
    return await list_cards(
        auth, note=f"Concierge will book with {found.label} unless a booking names another."
    )


async def _methods(auth: ResyAuthManager) -> list[PaymentMethod]:
    if auth.stored() is None:
        raise ResyLoginRequired(NO_LOGIN)
    try:
        return list((await auth.client().current_user()).payment_methods)
    except resy_errors.ResyError as exc:
        raise translate(exc) from exc


def _card(method: PaymentMethod, default: int | None) -> SavedCard:
    expires = (
        f"{method.exp_month:02d}/{method.exp_year}"
        if method.exp_month is not None and method.exp_year is not None
        else None
    )
    return SavedCard(
        id=method.id,
        brand=method.type,
        last_four=(method.display or "")[-4:] or None,
        expires=expires,
        label=method.label,
        resy_default=method.is_default,
        concierge_default=method.id == default,
    )
