# SPDX-License-Identifier: MIT
"""Every tool that uses the HEI clean U states the caveats of its own HEI basis (derived Fw,
derived Fm, titanium Fm from the older edition, C1 of the nearest tabulated OD) in the words of
:func:`~condensync_tools.calculators.hei.hei_basis_warnings`, and a combined tool states each once."""

import pytest
from _tool_cases import CURVE, PLANT, ok
from test_tool_cw_flow import GOOD as CW_GOOD
from test_tool_vacuum import SNAP

from condensync_tools.calculators.hei import HeiCaveat, hei_caveat_text

FW = hei_caveat_text(HeiCaveat.FW_DERIVED)
FM = hei_caveat_text(HeiCaveat.FM_DERIVED)
TITANIUM = hei_caveat_text(HeiCaveat.TITANIUM_FM_OLDER_EDITION)
C1 = hei_caveat_text(HeiCaveat.C1_NEAREST_OD)
CAVEATS = (FW, FM, TITANIUM, C1)
VACUUM = {**SNAP, **PLANT, "cleanliness_factor": 0.8, **CURVE}
#: a 6-row SI history at 12-13 °C inlet (a derived Fw on every row); from the golden case
HISTORY = {
    "unit_system": "SI",
    "timestamps": [f"2024-02-0{1 + i // 3}T{8 * (i % 3):02d}:00:00Z" for i in range(6)],
    "cw_inlet_temp": [12.0, 12.5, 13.0, 12.2, 12.8, 13.1],
    "cw_outlet_temp": [21.0, 21.6, 22.1, 21.3, 21.9, 22.0],
    "cw_flow": [52000.0] * 6,
    "condenser_pressure": [2.959, 3.07, 3.16, 3.017, 3.123, 3.129],
    "tube_od": 25.4,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 11.6,
}
#: the caveats each tube variant calls for besides Fw (a derived Fw at 75-78 °F inlet)
TUBES = {
    "admiralty 18 BWG 1 in": ({}, set()),
    "titanium 22 BWG": ({"tube_material": "titanium", "tube_gauge_bwg": 22}, {TITANIUM}),
    "titanium 25 BWG (Fm derived)": ({"tube_material": "titanium", "tube_gauge_bwg": 25}, {FM}),
    "0.95 in OD": ({"tube_od": 0.95}, {C1}),
}


def stated(result: dict) -> set[str]:
    return {w for w in result["warnings"] if w in CAVEATS}


@pytest.mark.parametrize("tube", TUBES)
def test_vacuum_states_the_caveats_of_its_clean_u(tube):
    change, expected = TUBES[tube]
    assert stated(ok("optimize_vacuum_pressure", {**VACUUM, **change})) == {FW, *expected}
    caller_fw = ok("optimize_vacuum_pressure", {**VACUUM, **change, "hei_fw": 0.98})
    assert stated(caller_fw) == expected


@pytest.mark.parametrize("tube", TUBES)
def test_cw_flow_states_the_caveats_of_its_clean_u(tube):
    change, expected = TUBES[tube]
    assert stated(ok("optimize_cooling_water_flow", {**CW_GOOD, **change})) == {FW, *expected}
    caller_fw = ok("optimize_cooling_water_flow", {**CW_GOOD, **change, "hei_fw": 0.98})
    assert stated(caller_fw) == expected


@pytest.mark.parametrize(
    "change, expected",
    [
        ({}, set()),
        ({"tube_material": "titanium", "tube_gauge_bwg": 22}, {TITANIUM}),
        ({"tube_material": "titanium", "tube_gauge_bwg": 25}, {FM}),
        ({"tube_od": 0.95 * 25.4}, {C1}),
    ],
)
def test_history_states_the_caveats_and_counts_a_derived_fw_per_row(change, expected):
    r = ok("analyze_performance_history", {**HISTORY, **change})
    assert stated(r) == expected  # a derived Fw only as the per-row count, never twice
    assert sum("HEI Fw is derived" in w for w in r["warnings"]) == 1
    assert any(w.startswith("HEI Fw is derived from first principles on 6 row(s)") for w in r["warnings"])


def test_fouling_and_air_state_the_caveats_of_their_snapshot():
    snap = {**VACUUM, "tube_material": "titanium", "tube_gauge_bwg": 22}
    del snap["cleanliness_factor"]
    fouling = ok("calculate_fouling_factor", snap)
    assert stated(fouling) == {FW, TITANIUM}
    chain = {**PLANT, "unit_system": "US", "tube_od": 0.95, "cw_inlet_temp": 75.0, "cw_flow": 240000}
    valued = ok("calculate_fouling_factor", {**chain, "cleanliness_factor": 0.8, "heat_duty": 2.3e9, **CURVE})
    assert valued["lost_output_mw"] is not None and stated(valued) == {FW, C1}  # the vacuum chain's clean U
    assert stated(ok("calculate_fouling_factor", {**chain, "cleanliness_factor": 0.8})) == set()  # no clean U
    air = ok("detect_air_inleakage", {**snap, "heat_duty": 2.3e9, "cleanliness_factor": 0.8})
    assert air["expected_backpressure"] is not None and stated(air) == {FW, TITANIUM}


def test_combined_analysis_states_each_caveat_once():
    snap = {**VACUUM, "tube_od": 0.95}
    del snap["cleanliness_factor"]
    r = ok("analyze_condenser_performance", snap)
    for caveat in (FW, C1):
        lines = [w for w in r["warnings"] if w.endswith(caveat)]
        assert len(lines) == 1, lines
        assert "calculate_heat_transfer_coefficient" in lines[0] and "optimize_vacuum_pressure" in lines[0]
