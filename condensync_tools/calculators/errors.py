# SPDX-License-Identifier: MIT
"""Typed calculator errors: every one names the quantity and the physical reason."""

from __future__ import annotations


class CalculationError(ValueError):
    """Base class: a calculation cannot produce a physically meaningful number.

    Attributes
    ----------
    field : str
        Name of the input (or derived quantity) at fault, e.g. ``"cw_outlet_temp"``.
    reason : str
        The physical reason, in plain words.
    cause : str
        The likely cause in the plant or in the data (may be empty).
    """

    def __init__(self, field: str, reason: str, cause: str = "") -> None:
        self.field = field
        self.reason = reason
        self.cause = cause
        super().__init__(f"{field}: {reason}" + (f"; likely cause: {cause}" if cause else ""))


class DomainError(CalculationError):
    """Inputs describe a physically impossible state (e.g. TTD <= 0)."""


class OutOfRangeError(CalculationError):
    """An input lies outside the validity range of a correlation or table and
    extrapolation was not allowed."""
