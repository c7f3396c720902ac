# SPDX-License-Identifier: MIT
"""Tool modules: importing this package registers every tool in the registry."""

from . import heat_transfer  # noqa: F401
from . import vacuum  # noqa: F401
from . import verify  # noqa: F401
from . import air_inleakage  # noqa: F401
from . import fouling  # noqa: F401
from . import cw_flow  # noqa: F401
from . import performance  # noqa: F401
from . import live_data  # noqa: F401
from . import status  # noqa: F401
from . import work_orders  # noqa: F401
from . import history  # noqa: F401
