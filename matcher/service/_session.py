"""The web page's session cookie and CSRF tokens, signed with the caller's own bearer token.

A session is ``issued.nonce.signature`` where the signature is an HMAC of the issue time and
the nonce keyed by the bearer token the coordinator typed in the login form.  Nothing is stored
on the server: any API process with the same tokens accepts it, and removing a token from
``MATCHER_TOKENS_FILE`` ends its sessions.  The CSRF token of a session is another HMAC of its
nonce under the same key (a synchronizer token that needs no storage).  A service without
tokens signs with a random key of the process (its sessions end when it restarts).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_COOKIE",
    "Session",
    "new_session",
    "read_session",
]

COOKIE = "matcher_session"
LOGIN_COOKIE = "matcher_login"  # the login form's double-submit CSRF value (before a session)
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
#: a session lasts a working day
MAX_AGE_S = 12 * 3600


@dataclass(frozen=True)
class Session:
    tenant: str
    csrf: str
    cookie: str


def _sign(key: bytes, *parts: str) -> str:
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()


def _session(key: bytes, tenant: str, issued: str, nonce: str) -> Session:
    cookie = f"{issued}.{nonce}.{_sign(key, 'session', issued, nonce)}"
    return Session(tenant=tenant, csrf=_sign(key, "csrf", nonce), cookie=cookie)


def new_session(key: bytes, tenant: str) -> Session:
    """A fresh session for ``tenant``, signed with ``key`` (its bearer token)."""
    return _session(key, tenant, str(int(time.time())), secrets.token_urlsafe(18))


def read_session(keys: dict[bytes, str], cookie: str | None) -> Session | None:
    """The session a cookie carries when one of ``keys`` (key -> tenant) signed it, unexpired."""
    if not cookie or cookie.count(".") != 2:
        return None
    issued, nonce, signature = cookie.split(".")
    if not issued.isdigit() or not 0 <= time.time() - int(issued) <= MAX_AGE_S:
        return None
    found: Session | None = None
    for key, tenant in keys.items():  # every key, so the time does not tell which one matched
        if hmac.compare_digest(_sign(key, "session", issued, nonce), signature):
            found = _session(key, tenant, issued, nonce)
    return found


def same(expected: str, given: str | None) -> bool:
    """``given`` equals ``expected``, compared in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
