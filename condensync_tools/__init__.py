# SPDX-License-Identifier: MIT
"""CONDENSYNC: deterministic steam surface condenser calculators served over MCP.

Layers (imports point down only): ``calculators`` (pure physics, SI) <- tool layer
(``registry``, ``validation``, ``units``, ``provenance``, ``tools``) <- ``server`` / ``cli``.
"""

__version__ = "0.1.0"
