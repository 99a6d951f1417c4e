"""The digest a signature covers (45 CFR 164.312(c)(2): a mechanism to authenticate ePHI)."""

import hashlib
import json
from typing import Any


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the signed content, canonical JSON (sorted keys, no whitespace variance)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
