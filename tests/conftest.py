# SPDX-License-Identifier: MIT
import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"
