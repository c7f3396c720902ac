# SPDX-License-Identifier: MIT
"""Numeric server settings from the environment (``CONDENSYNC_*`` variables)."""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["setting_number"]


def setting_number(env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False) -> float:
    """``env[name]`` as a number (``_`` allowed as a digit separator), ``default`` when unset or
    empty; ValueError naming the variable when it is not a finite number > 0 (>= 0 with
    ``allow_zero``)."""
    raw = str(env.get(name, "") or "").strip()
    if not raw:
        return default
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and (value >= 0.0 if allow_zero else value > 0.0)):
        expected = "a number >= 0 (0 = no limit)" if allow_zero else "a number > 0"
        raise ValueError(f"{name} must be {expected}, got {raw!r}")
    return value
