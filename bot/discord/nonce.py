"""Deterministic message nonces, so a resend after a crash is recognised by Discord.

Discord de-duplicates a message whose ``nonce`` (≤ 25 characters) matches one sent in the same
channel in the last few minutes when ``enforce_nonce`` is true, returning the original message.
The nonce must therefore depend only on *what* is posted *where*: (story, channel, part).
"""

from __future__ import annotations

import hashlib

#: Discord accepts nonces of at most 25 characters.
NONCE_LENGTH = 25


def message_nonce(story: str, channel_id: int, part: int) -> str:
    """A nonce for part ``part`` of ``story`` (e.g. "article:42", "digest:…") posted in ``channel_id``."""
    digest = hashlib.blake2b(f"{story}|{channel_id}|{part}".encode(), digest_size=16).hexdigest()
    return digest[:NONCE_LENGTH]
