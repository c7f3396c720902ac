# SPDX-License-Identifier: MIT
"""Tool modules: importing this package registers every tool in the registry."""

from . import (
    air_inleakage,  # noqa: F401
    cw_flow,  # noqa: F401
    fouling,  # noqa: F401
    heat_transfer,  # noqa: F401
    history,  # noqa: F401
    live_data,  # noqa: F401
    performance,  # noqa: F401
    report,  # noqa: F401
    status,  # noqa: F401
    vacuum,  # noqa: F401
    verify,  # noqa: F401
    work_orders,  # noqa: F401
)
