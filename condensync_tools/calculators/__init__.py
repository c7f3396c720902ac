# SPDX-License-Identifier: MIT
"""Pure condenser calculators: numbers in, numbers out, SI base units, no I/O.

Temperatures in K, pressures in Pa, lengths in m, areas in m², volumetric flows in m³/s,
mass flows in kg/s, heat rates in W, heat-transfer coefficients in W/(m²·K), fouling
resistances in m²·K/W. Nothing here imports pydantic, MCP, connectors or the store.
"""
