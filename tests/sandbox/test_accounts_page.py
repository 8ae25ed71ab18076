"""/_sandbox/accounts: HTML for a person's browser, JSON for scripts, the same accounts in both."""

from __future__ import annotations

from html import unescape

from tests.conftest import Sandbox

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_a_page_of_every_account_and_scripts_keep_their_json(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        listed = control.get("/accounts").json()
        page = control.get("/accounts", headers={"Accept": BROWSER_ACCEPT})
        asked_for_json = control.get("/accounts", headers={"Accept": "application/json, text/html"})

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert asked_for_json.json() == listed
    text = unescape(page.text)
    assert "<h1>Демо-аккаунты песочницы</h1>" in text
    for account in listed:
        assert account["description"] in text
        for value in account["credentials"].values():
            assert value in text
    # A cookie export is many lines: it comes in a box to copy, not squeezed into one line.
    [export] = [a["credentials"]["cookies_txt"] for a in listed if "cookies_txt" in a["credentials"]]
    assert f"{export}</textarea>" in text
