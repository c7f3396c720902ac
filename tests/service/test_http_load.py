# SPDX-License-Identifier: MIT
"""A short version of benchmarks/http_load.py (4 clients x 5 s) against the shared test
server: zero errors, and every call is in the ledger."""

from __future__ import annotations

import importlib.util

import pytest
from _service_helpers import REPO


def _http_load():
    spec = importlib.util.spec_from_file_location("http_load", REPO / "benchmarks" / "http_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.anyio
async def test_short_load_run_has_no_errors(svc):
    result = await _http_load().run_load(
        svc.url, svc.tokens["operator"], clients=4, seconds=5.0, request_id_prefix="shortload"
    )
    assert result["errors"] == 0, result["error_samples"]
    assert result["calls"] >= 20 and result["latency_ms"]["p99"] > 0
    with svc.store() as store:
        recorded = sum(1 for e in store.iter_entries() if (e.request_id or "").startswith("shortload-"))
        assert store.verify().ok
    assert recorded == result["calls_including_warmup"]
