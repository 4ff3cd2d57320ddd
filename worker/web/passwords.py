"""Password hashes with scrypt (hashlib, RFC 7914): salted, slow, compared in constant time.

A hash is stored as text, `scrypt$N$r$p$salt$key` (salt and key in base64),
so the cost can be raised later without breaking the hashes already stored."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2 ** 14, 8, 1          # OWASP's minimum for scrypt: about 50 ms and 16 MiB per check
KEY_BYTES = 32
MIN_LENGTH = 10


class WeakPassword(ValueError):
    pass


def check_strength(password: str, name: str = "") -> None:
    """Refuse a password anyone would guess first: too short, or the user's own name."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters (got {len(password)})")
    if name and password.strip().lower() == name.strip().lower():
        raise WeakPassword("the password may not be the user name")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES,
                          maxmem=128 * r * (n + p + 2) + 1024 * 1024)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_key(password, salt, N, R, P))}"


def verify(password: str, stored: str | None) -> bool:
    """True when `password` gives `stored`; False for any other password and any malformed hash."""
    try:
        scheme, n, r, p, salt, key = (stored or "").split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = _key(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


# A hash of no password: checked when the user does not exist, so a wrong name
# takes as long as a wrong password (names are not revealed by timing).
DUMMY = f"scrypt${N}${R}${P}${_b64(bytes(16))}${_b64(bytes(KEY_BYTES))}"
