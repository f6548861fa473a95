"""Generated names as Kubernetes makes them: 5-character suffixes and pod-template hashes."""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

#: The alphabet of ``utilrand.String``: no vowels (no words), no confusable characters.
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_rng = random.Random()


def seed(value: int | None) -> None:
    """Make generated names repeatable (tests and benchmarks)."""
    _rng.seed(value)


def random_suffix(length: int = 5) -> str:
    return "".join(_rng.choices(ALPHABET, k=length))


def random_hex(digits: int) -> str:
    """``digits`` random hexadecimal digits (container IDs)."""
    return f"{_rng.getrandbits(4 * digits):0{digits}x}"


def new_uid() -> str:
    """A random (version 4) UUID as text, several times faster than ``str(uuid.uuid4())``."""
    h = f"{_rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def template_hash(template: Any, collision_count: int = 0) -> str:
    """A stable hash of a pod template, 10 characters of ALPHABET (the pod-template-hash)."""
    text = json.dumps(template, sort_keys=True, separators=(",", ":")) + f"#{collision_count}"
    value = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    chars = []
    for _ in range(10):
        value, digit = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)
