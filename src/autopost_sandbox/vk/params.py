"""Typed access to a VK method's parameters, limited to the ones the method declares.

VK ignores parameters a method does not know, and so do we; but a handler can
only read what its MethodSpec declares, so the contract test over the declared
lists covers everything the emulator reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from autopost_sandbox.vk.errors import bad_param


class Params:
    def __init__(self, method: str, declared: frozenset[str], values: Mapping[str, str]) -> None:
        self._method = method
        self._declared = declared
        self._values = values

    def _raw(self, name: str) -> str | None:
        if name not in self._declared:
            raise KeyError(f"{self._method} does not declare the parameter {name!r}")
        value = self._values.get(name)
        return None if value is None or value == "" else value

    def has(self, name: str) -> bool:
        return self._raw(name) is not None

    def text(self, name: str, *, max_length: int | None = None) -> str:
        value = self._raw(name) or ""
        if max_length is not None and len(value) > max_length:
            raise bad_param(f"{name} is too long (maximum {max_length} characters)")
        return value

    def required_text(self, name: str) -> str:
        value = self._raw(name)
        if value is None:
            raise bad_param(f"{name} is undefined")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self._raw(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise bad_param(f"{name} not integer") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_param(f"{name} is undefined")
        return value

    def flag(self, name: str) -> bool:
        """VK booleans are 0/1 (also accepts true/false as VK does)."""
        value = (self._raw(name) or "0").lower()
        return value in {"1", "true"}

    def items(self, name: str) -> list[str]:
        """A comma-separated list parameter."""
        value = self._raw(name)
        return [part.strip() for part in value.split(",") if part.strip()] if value else []
