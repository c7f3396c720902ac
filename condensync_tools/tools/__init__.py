# SPDX-License-Identifier: MIT
"""Tool modules: importing this package registers every tool in the registry."""

from . import heat_transfer  # noqa: F401
from . import vacuum  # noqa: F401
from . import verify  # noqa: F401
from . import air_inleakage  # noqa: F401
from . import fouling  # noqa: F401
