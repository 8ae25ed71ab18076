"""Many VK tenants on demand (POST /_sandbox/accounts): users, each the admin of a community, with a token.

The users and communities join the module-level USERS and GROUPS, which every VK method reads;
the world removes them again on reset. Ids come from one process-wide counter so two sandboxes
in one process never hand out the same id.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

from autopost_sandbox.http import DemoAccount
from autopost_sandbox.vk.accounts import DEMO_APP_ID, DEMO_TOKEN_SCOPES, GROUPS, USERS, VkGroup, VkUser
from autopost_sandbox.vk.registry import AccessToken, TokenRegistry

_NEXT_ID = itertools.count(5_000_001)


@dataclass
class SeededVk:
    """The users and communities seeded since the last reset, in seeding order."""

    accounts: list[DemoAccount] = field(default_factory=list)
    _ids: list[int] = field(default_factory=list)

    def seed(self, tokens: TokenRegistry, count: int, public_url: str) -> list[DemoAccount]:
        made = [self._one(tokens, public_url) for _ in range(count)]
        self.accounts.extend(made)
        return made

    def forget(self) -> None:
        """A reset: the seeded users and communities leave (their tokens went with the registry's reset)."""
        for number in self._ids:
            USERS.pop(number, None)
            GROUPS.pop(number, None)
        self._ids.clear()
        self.accounts.clear()

    def _one(self, tokens: TokenRegistry, public_url: str) -> DemoAccount:
        number = next(_NEXT_ID)
        user = VkUser(number, "Клиент", f"№{number}", f"tenant{number}", 1, "01.01.1990")
        group = VkGroup(
            number,
            f"Клипы клиента {number}",
            f"tenant_club{number}",
            frozenset({number}),
            frozenset({number}),
        )
        USERS[number] = user
        GROUPS[number] = group
        self._ids.append(number)
        token = f"vk1.a.sandbox-seeded-{number}-{secrets.token_hex(8)}"
        tokens.add(AccessToken(token, number, DEMO_APP_ID, DEMO_TOKEN_SCOPES, None))
        return DemoAccount(
            platform="vk",
            description=f"Seeded VK user {user.full_name} (id {number}), admin of «{group.name}» (owner_id -{number})",
            credentials={
                "user_id": str(number),
                "group_id": str(number),
                "access_token": token,
                "client_id": DEMO_APP_ID,
                "token_note": "never expires; scopes: " + " ".join(sorted(DEMO_TOKEN_SCOPES)),
                "api_base_url": f"{public_url}/vk/method",
            },
        )
