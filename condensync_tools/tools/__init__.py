# SPDX-License-Identifier: MIT
"""Tool modules: importing this package registers every tool in the registry."""

from . import heat_transfer  # noqa: F401
