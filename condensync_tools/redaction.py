# SPDX-License-Identifier: MIT
"""Keeping secrets out of what the service shows: probes, logs, metrics, errors, results.

- :func:`redact_url` — a URL as it may be shown: the password of the userinfo part and the
  value of every query parameter outside a short list of harmless connection options
  (``sslmode``, ``connect_timeout``…) are replaced by ``***``. A password passed as a query
  parameter (``postgresql://u@db/x?password=…``, ``?sslpassword=…``, ``?access_token=…``) is
  therefore never shown, whatever the parameter is called.
- :func:`redact_text` — free text (log lines, relayed error messages) with anything shaped
  like a credential replaced by ``[REDACTED]``.
- :func:`is_secret_name` — whether a setting's name marks a secret (passwords, API keys,
  tokens, private keys); configuration errors show no value for such a setting.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

__all__ = ["redact_url", "redact_text", "is_secret_name", "MASK"]

MASK = "***"
#: Query parameters whose values are shown (connection options that never carry a secret).
SHOWN_QUERY_PARAMETERS = frozenset(
    {
        "sslmode",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "check_same_thread",
        "mode",
        "timeout",
        "uri",
        "lean",
        "sap-client",
        "charset",
        "driver",
        "gssencmode",
        "load_balance_hosts",
    }
)
_SECRET_NAME = re.compile(
    r"(?i)(pass(word|wd|phrase)?$|^pwd$|secret|token|api_?key|credential|private_?key|"
    r"signature|cookie|^authorization$)"
)


#: A URL inside free text (ends at whitespace, a quote or a bracket).
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>()\[\]{}]+")
_SECRET_PATTERNS = (
    (re.compile(r"(?i)\bbearer\s+[^\s\"',;]+"), "[REDACTED]"),
    (re.compile(r"\bcst_[A-Za-z0-9_\-]{8,}"), "[REDACTED]"),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"), "[REDACTED]"),
    (
        re.compile(
            r"(?i)(authorization|access_token|id_token|refresh_token|password|passwd|pwd|secret|api_?key)"
            r"(\"?\s*[:=]\s*\"?)[^\s\"',;&]+"
        ),
        r"\1\2[REDACTED]",
    ),
    # the password of a URL's userinfo (scheme://user:password@host)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^:/@\s\"']+:)[^@/\s\"']+@"), r"\1[REDACTED]@"),
)


def redact_text(text: str) -> str:
    """``text`` with anything shaped like a credential replaced by ``[REDACTED]``: bearer
    tokens, ``cst_`` API tokens, JWTs, ``password=…``/``apikey: …``-style pairs, and in every
    URL the userinfo password and query values (:func:`redact_url`). The second line of
    defence for free text (log lines, error messages relayed from a connector)."""
    if "://" in text:
        text = _URL.sub(lambda m: redact_url(m.group(0)), text)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def is_secret_name(name: str) -> bool:
    """Whether a setting or parameter called ``name`` holds a secret."""
    return bool(_SECRET_NAME.search(str(name)))


def redact_url(url: str) -> str:
    """``url`` with its userinfo password and non-allow-listed query values masked (see the
    module docstring). A string that does not parse as a URL is not shown at all."""
    try:
        parts = urlsplit(str(url))
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, has_password, _ = userinfo.partition(":")
            netloc = f"{user}:{MASK}@{hostport}" if has_password else netloc
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = "&".join(
                f"{quote(k, safe='')}={quote(v, safe='') if k.lower() in SHOWN_QUERY_PARAMETERS else MASK}"
                for k, v in pairs
            )
        if not str(url).startswith(f"{parts.scheme}://"):
            return urlunsplit((parts.scheme, netloc, parts.path, query, MASK if parts.fragment else ""))
        return (
            f"{parts.scheme}://{netloc}{parts.path}"
            + (f"?{query}" if query else "")
            + (f"#{MASK}" if parts.fragment else "")
        )
    except ValueError:
        return "<a URL that could not be parsed; not shown>"
