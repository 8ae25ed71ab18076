"""How refusals and plan lists read on a page (texts come from autopost.i18n's catalogs)."""

from __future__ import annotations

from string import Formatter

from autopost.i18n import gettext, render
from autopost.i18n.codes import REFUSALS
from autopost.platforms.catalog import Platform
from autopost.platforms.messages import MESSAGES as PLATFORM_MESSAGES
from autopost.refusals import Refused
from autopost.users.plans import Plan

__all__ = ["connect_error_text", "plans_text", "refusal_text", "refused_text"]


def plans_text(plans: list[Plan], lang: str) -> str:
    """«Про и Бизнес», «Старт, Про и Бизнес»."""
    names = [render(f"plan.{Plan(plan).value}", lang) for plan in plans]
    if len(names) < 2:
        return "".join(names)
    return gettext(lang, "{head} и {last}", head=", ".join(names[:-1]), last=names[-1])


def refusal_text(refusal: Refused, lang: str) -> str:
    """Why a platform cannot be chosen, as the publish dialog says it."""
    if refusal.code == "plan_excludes_platform":
        # The dialog names the platform already: only the plan is said.
        return gettext(lang, "Недоступно на тарифе {plan} — повысьте тариф", plan=refusal.params["plan"])
    return render(refusal.code, lang, **refusal.params)


def refused_text(exc: Refused, lang: str) -> str:
    """A refused action as the page's form error or notice says it (the API's message, same words)."""
    return render(exc.code, lang, **exc.params)


# The texts a refused connect can name: our refusals and the platforms' error codes (not names or events).
CONNECT_TEXTS = {**PLATFORM_MESSAGES, **REFUSALS}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def connect_error_text(code: str, platform: Platform | None, lang: str, minutes: int | None = None) -> str:
    """A refused connect's ?error=<code> (the OAuth callback, a refused start) as the page says it.

    Anyone can write that URL, so only a known code's own text is shown, and only when the URL
    carries every parameter it needs (a checked platform, a number of minutes); anything else,
    a code whose text wants the platform's detail among them, reads as a plain "could not connect".
    """
    params: dict[str, object] = {"platform": platform.value} if platform else {}
    if minutes:
        params["minutes"] = minutes
    text = CONNECT_TEXTS.get(code)
    if text is not None and _placeholders(text) <= params.keys():
        return gettext(lang, text, **params)
    return gettext(
        lang, "Не удалось подключить {platform}. Попробуйте ещё раз.", platform=params.get("platform", "—")
    )
