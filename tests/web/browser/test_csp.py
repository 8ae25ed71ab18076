"""The pages work under the Content-Security-Policy: nothing is blocked while a user goes through them.

Chromium reports a blocked inline script or style both as a console error and as a
`securitypolicyviolation` event; the test collects both while loading the clips page,
opening and closing the publish dialog, the settings (every platform's mark) and the
publications page.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, ConsoleMessage, expect

from tests.web.browser.conftest import DESKTOP, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI || "inline"}`);
});
"""


async def test_pages_work_under_the_csp(browser: Browser, stack: Stack) -> None:
    email, token = await stack.new_user()
    await stack.upload_clip(token, "Клип под CSP")
    await stack.connect_telegram(token, "@clipmaker_demo")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    await context.add_init_script(RECORD_VIOLATIONS)
    page = await context.new_page()
    console: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            console.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    violations: list[str] = []
    try:
        await login(page, stack, email)
        response = await page.goto(f"{stack.url}/")
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        violations += await page.evaluate("window.__violations")
        await page.get_by_role("button", name="Опубликовать").first.click()
        dialog = page.locator("dialog#publish-dialog[open]")
        await expect(dialog).to_be_visible()
        await expect(dialog.locator("input[name=account]").first).to_be_visible()
        await page.keyboard.press("Escape")
        await expect(dialog).to_have_count(0)
        violations += await page.evaluate("window.__violations")
        await go(page, "Платформы")
        await expect(page.get_by_role("heading", name="Rutube", level=2)).to_be_visible()
        violations += await page.evaluate("window.__violations")
        await go(page, "Публикации")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        violations += await page.evaluate("window.__violations")
    finally:
        await context.close()
    assert violations == []
    assert [text for text in console if "Content Security Policy" in text or "page error" in text] == []
