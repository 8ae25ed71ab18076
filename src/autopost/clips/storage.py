"""Where uploaded clips live: a local directory (the default), addressed by storage keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalStorage:
    root: Path

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("storage key escapes the storage directory")
        return path

    def new_key(self, owner_id: uuid.UUID, suffix: str) -> str:
        return f"{owner_id}/{uuid.uuid4().hex}{suffix}"
