# SPDX-License-Identifier: MIT
"""MCP adapters: a thin layer over the tool registry (no domain logic here)."""
