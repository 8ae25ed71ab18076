"""How refusals and plan lists read on a page (texts come from autopost.i18n's catalogs)."""

from __future__ import annotations

from autopost.i18n import code_table, gettext, render
from autopost.refusals import Refused
from autopost.users.plans import Plan

__all__ = ["connect_error_text", "plans_text", "refusal_text", "refused_text"]


def plans_text(plans: list[Plan], lang: str) -> str:
    """Plan names as a list in the reader's language: "Pro and Business", "Start, Pro and Business"."""
    names = [render(f"plan.{Plan(plan).value}", lang) for plan in plans]
    if len(names) < 2:
        return "".join(names)
    return gettext(lang, "{head} and {last}", head=", ".join(names[:-1]), last=names[-1])


def refusal_text(refusal: Refused, lang: str) -> str:
    """Why a platform cannot be chosen, as the publish dialog says it."""
    if refusal.code == "plan_excludes_platform":
        # The dialog names the platform already: only the plan is said.
        return gettext(
            lang, "Not included in the {plan} plan — upgrade your plan", plan=refusal.params["plan"]
        )
    return render(refusal.code, lang, **refusal.params)


def refused_text(exc: Refused, lang: str) -> str:
    """A refused action as the page's form error or notice says it (the API's message, same words)."""
    return render(exc.code, lang, **exc.params)


def connect_error_text(code: str, platform: str, lang: str, **params: object) -> str:
    """The OAuth callback's ?error=<code>: a known message, or a plain "could not connect"."""
    if code in code_table():
        return render(code, lang, platform=platform, **params)
    return gettext(lang, "Could not connect {platform}. Please try again.", platform=platform or "—")
