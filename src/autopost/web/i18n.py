"""The pages' own words, Russian first and English, and how refusals read on a page.

Messages about errors and refusals come from autopost.i18n by their code; this
catalogue holds the interface itself (labels, buttons, badges, hints). A key
whose value is a dict of plural forms is chosen by its `count` parameter with
the language's CLDR plural rules (Russian: one / few / many).
"""

from __future__ import annotations

from typing import Any

from babel import Locale

from autopost.i18n import MESSAGES, render
from autopost.refusals import Refused
from autopost.users.plans import Plan
from autopost.web.catalog import CATALOG, Forms

__all__ = ["CATALOG", "connect_error_text", "plans_text", "refusal_text", "refused_text", "translate"]

_LOCALES = {"ru": Locale.parse("ru"), "en": Locale.parse("en")}


def _plural(forms: Forms, lang: str, count: int) -> str:
    category = _LOCALES.get(lang, _LOCALES["ru"]).plural_form(abs(count))
    return forms.get(category) or forms.get("many") or forms["other"]


def translate(lang: str, key: str, **params: Any) -> str:
    """The text for `key` in `lang` (Russian when English lacks it), parameters filled in."""
    entry = CATALOG[key]
    text = entry.get(lang, entry["ru"])
    if isinstance(text, dict):
        text = _plural(text, lang, int(params.get("count", 0)))
    return text.format(**params) if params else text


def plan_name(plan: Plan | str, lang: str) -> str:
    return translate(lang, f"plan.{Plan(plan).value}")


def plans_text(plans: list[Plan], lang: str) -> str:
    """«Про и Бизнес», «Старт, Про и Бизнес»."""
    names = [plan_name(plan, lang) for plan in plans]
    if len(names) < 2:
        return "".join(names)
    return translate(lang, "list.and", head=", ".join(names[:-1]), last=names[-1])


def refusal_text(refusal: Refused, lang: str) -> str:
    """Why a platform cannot be chosen, as the publish dialog says it."""
    if refusal.code == "plan_excludes_platform":
        # Refusals carry the plan's code; the page names it in the reader's language.
        return translate(lang, "publish.plan_excludes", plan=plan_name(str(refusal.params["plan"]), lang))
    return render(refusal.code, lang, **refusal.params)


def refused_text(exc: Refused, lang: str) -> str:
    """A refused action as the page's form error or notice says it (the API's message, same words)."""
    return render(exc.code, lang, **exc.params)


def connect_error_text(code: str, platform: str, lang: str, **params: object) -> str:
    """The OAuth callback's ?error=<code>: a known message, or a plain "could not connect"."""
    if code in MESSAGES:
        try:
            return render(code, lang, platform=platform, **params)
        except (KeyError, IndexError):
            pass
    return translate(lang, "settings.connect_failed", platform=platform or "—")
