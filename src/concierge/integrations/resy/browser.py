"""Log in to Resy through a real browser, when Resy's API refuses a program's login.

Playwright drives the machine's Chromium (``browser_path``; Playwright cannot download its
own here) on the login page at ``resy_web_url``: it opens the login dialog, fills the email and
password, and takes the user token from the page's own API traffic, either the answer to
``/3/auth/password`` or the ``X-Resy-Auth-Token`` header of the calls that follow.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

from concierge.config import Settings
from concierge.integrations.resy.errors import (
    BadCredentials,
    BlockedOrCaptcha,
    RateLimited,
    ResyError,
    Unavailable,
)

if TYPE_CHECKING:
    from playwright.async_api import Page, Request, Response

log = logging.getLogger("concierge.resy.browser")

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class PlaywrightLogin:
    def __init__(self, settings: Settings, *, timeout: float | None = None) -> None:
        self._url = settings.resy_web_url
        self._executable = settings.browser_path
        self._timeout = timeout or max(30.0, settings.resy_timeout)

    async def login(self, email: str, password: str) -> str:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright

        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[str] = loop.create_future()

        def settle_token(token: str | None) -> None:
            if token and not outcome.done():
                outcome.set_result(token)

        def on_request(request: Request) -> None:
            settle_token(request.headers.get("x-resy-auth-token"))

        async def on_response(response: Response) -> None:
            if not response.url.split("?")[0].endswith("/3/auth/password"):
                return
            if not response.ok and not outcome.done():
                outcome.set_exception(_login_refused(response.status, self._url))
            elif response.ok:
                try:
                    body = await response.json()
                except (PlaywrightError, ValueError):
                    return
                if isinstance(body, dict) and isinstance(body.get("token"), str):
                    settle_token(body["token"])

        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=self._executable, headless=True, args=list(CHROMIUM_ARGS)
                )
                try:
                    page = await browser.new_page()
                    page.on("request", on_request)
                    page.on("response", on_response)
                    await self._fill_login_form(page, email, password)
                    return await asyncio.wait_for(outcome, timeout=self._timeout)
                finally:
                    await browser.close()
        except TimeoutError as exc:
            raise BlockedOrCaptcha(
                "Resy's login page did not let Concierge sign in (it may want a captcha). "
                f"Log in once on {self._url} in your own browser, then try again.",
            ) from exc
        except PlaywrightError as exc:
            log.warning("browser login failed: %s", type(exc).__name__)
            raise Unavailable(
                "Concierge could not log in to Resy through its browser either. Check that "
                "Chromium is installed (CONCIERGE_BROWSER_PATH) and that resy.com is reachable, "
                "then try again.",
            ) from exc

    async def _fill_login_form(self, page: Page, email: str, password: str) -> None:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        timeout_ms = self._timeout * 1000
        await page.goto(self._url, wait_until="domcontentloaded", timeout=timeout_ms)
        # Resy's page opens a dialog, which offers a phone login before email and password.
        for name in (r"^\s*log ?in\s*$", r"email and password"):
            try:
                button = page.get_by_role("button", name=re.compile(name, re.IGNORECASE))
                await button.first.click(timeout=5000)
            except PlaywrightTimeout:
                log.debug("browser login: no %r button; continuing", name)
        email_box = page.locator('input[name="email"], input[type="email"]').first
        await email_box.fill(email, timeout=timeout_ms)
        password_box = page.locator('input[name="password"], input[type="password"]').first
        await password_box.fill(password, timeout=timeout_ms)
        await password_box.press("Enter")


def _login_refused(status: int, url: str) -> ResyError:
    """The page's own login call failed: say why at once rather than wait for a token."""
    if status == 419:
        return BadCredentials(status=status)
    if status == 429:
        return RateLimited(status=status)
    if status >= 500:
        return Unavailable(
            f"Resy's login is failing right now ({status}), on its web page too. "
            "Try again in a few minutes.",
            status=status,
        )
    return BlockedOrCaptcha(
        f"Resy's login page refused Concierge ({status}); it may want a captcha. Log in once on "
        f"{url} in your own browser, then try again.",
        status=status,
    )
