# SPDX-License-Identifier: MIT
"""The lean text an assistant sees in ``tools/list``: a short description per tool and a terse
description per input field.

An assistant pays for the tool listing in every conversation, so the published input schemas
carry only what a model needs to choose a tool and fill its arguments: what the field is,
and its units (appended here from the field's own unit bracket, "[°F | °C]", so the units
keep coming from :data:`condensync_tools.units.KINDS`). The full explanations (methods,
defaults and their sources, caveats) stay in the pydantic ``Field`` descriptions and the
tool definitions, and are served as the tool's documentation resource
(``doc://tools/<name>``, :mod:`condensync_tools.server.tool_docs`), in the README and in
``provenance.method`` of every result.

Keys of :data:`FIELD_TEXT`: a field name (every tool), ``"<tool>:<field>"`` (one tool;
wins over the name), ``"<field>[]"`` (the field when it is an array of values, e.g. the
per-row series of the history tools) and ``"<field>[].<item field>"`` (fields of the items
of an array of objects). A field without an entry keeps its full description.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["FIELD_TEXT", "TOOL_SUMMARIES", "VERBATIM", "input_side_tokens"]


def input_side_tokens(name: str, description: str, input_schema: dict[str, Any]) -> float:
    """What one tool of ``tools/list`` costs an assistant on the input side, in tokens
    estimated as characters/4: name + description + input schema as compact JSON with UTF-8
    characters (the SDK's wire form)."""
    schema = json.dumps(input_schema, separators=(",", ":"), ensure_ascii=False)
    return (len(name) + len(description) + len(schema)) / 4


#: The CONTRACT §1.1 sentence, short form, ending every calculator's listing description.
VERBATIM = "Report values verbatim; do not recompute."

FIELD_TEXT: dict[str, str] = {
    # --- common
    "unit_system": "Units of all numbers",
    "condenser_id": "Configured condenser; fills design data",
    "read_live_data:condenser_id": "Configured condenser",
    "create_work_order:condenser_id": "Configured condenser",
    "connector_status:condenser_id": "Configured condenser; empty: all",
    "data_source": "live: read from the plant",
    # --- snapshot
    "cw_inlet_temp": "CW inlet temperature",
    "cw_outlet_temp": "CW outlet temperature",
    "cw_flow": "CW flow, total",
    "condenser_pressure": "Condenser pressure, absolute",
    "vacuum_gauge": "Gauge vacuum (with barometric_pressure)",
    "barometric_pressure": "Barometric pressure",
    "saturation_temp": "Saturation temperature",
    # --- per-row series (history tools, arrays mode)
    "timestamps[]": "Row times, ISO 8601",
    "cw_inlet_temp[]": "CW inlet temperature per row",
    "cw_outlet_temp[]": "CW outlet temperature per row",
    "cw_flow[]": "CW flow per row",
    "condenser_pressure[]": "Condenser absolute pressure per row",
    "quality[]": "Quality per row: good, uncertain, bad",
    "file_path": "CSV/Parquet series in the data directory",
    "start_time": "Live: window start",
    "end_time": "Live: window end",
    "accept_uncertain_quality": "Accept uncertain rows",
    "series_output": "Per-row series output",
    "series_format": "Series file format",
    "max_daily_rows": "Days returned",
    "include_chart": "Return a PNG chart",
    "trend_basis": "Fitted daily value",
    # --- tubes and water
    "surface_area": "Effective surface",
    "tube_od": "Tube OD",
    "tube_gauge_bwg": "Tube gauge, BWG",
    "tube_material": "Tube material",
    "tube_count": "Tubes installed",
    "plugged_tubes": "Tubes plugged",
    "tube_passes": "Water passes",
    "tube_length": "Effective tube length",
    "tube_velocity": "Tube velocity",
    "water_type": "CW type",
    "salinity": "Salinity",
    "clean_u_method": "Clean U method",
    "hei_edition": "HEI C1 table edition",
    "hei_fw": "HEI Fw (licensed table)",
    "hei_fm": "HEI Fm (licensed table)",
    "bank_rows": "Condensing tube rows",
    # --- duty and cleanliness
    "heat_duty": "Heat duty",
    "calculate_heat_transfer_coefficient:heat_duty": "Heat duty (when no cw_flow)",
    "steam_flow": "Exhaust steam flow",
    "steam_heat_release": "Heat released per unit steam",
    "shell_heat_loss": "Shell heat loss to ambient",
    "cleanliness_factor": "Cleanliness factor (fraction)",
    "detect_air_inleakage:cleanliness_factor": "Cleanliness of fouling alone",
    "target_cleanliness": "Target cleanliness",
    "design_cleanliness": "Design cleanliness",
    "u_actual": "Actual (test) U",
    "calculate_heat_transfer_coefficient:u_actual": "Known U for the sizing modes",
    "u_clean": "Clean U at the same conditions",
    "mode": "rate: a test; size_area, outlet_temp: sizing with u_actual",
    # --- design point
    "design_cw_inlet_temp": "Design CW inlet temperature",
    "design_cw_flow": "Design CW flow",
    "design_heat_duty": "Design heat duty",
    "design_backpressure": "Design backpressure",
    # --- turbine and economics
    "turbine_curve_pressure": "Turbine curve backpressures, increasing",
    "turbine_curve_output_change": "Output change per curve pressure (loss < 0)",
    "turbine_curve_kind": "Curve output unit",
    "turbine_choke_pressure": "Turbine choke pressure",
    "rated_output_mw": "Rated gross output",
    "power_price_usd_per_mwh": "Electricity price",
    "cleaning_cost_usd": "Cost of one cleaning (economic interval)",
    "max_interval_days": "Economic interval horizon",
    "operating_hours_per_year": "Operating hours per year",
    # --- fouling history and cleaning
    "history": "Fouling history; default the stored one",
    "history[].timestamp": "ISO 8601 date or date-time",
    "history[].cleanliness_factor": "Cleanliness factor (fraction)",
    "history[].fouling_resistance": "Fouling resistance",
    "last_cleaning_date": "Last cleaning, ISO 8601",
    "cleaning_dates": "Known cleanings, ISO 8601",
    "trigger_cleanliness": "Cleaning trigger cleanliness",
    "trigger_fouling_resistance": "Cleaning trigger resistance",
    "due_window_days": "Due if trigger forecast within",
    "foulant": "Known foulant",
    # --- air in-leakage
    "unit_type": "Unit type (O2 limit)",
    "dissolved_oxygen_ppb": "Condensate dissolved O2",
    "do_limit_ppb": "Dissolved-O2 limit override",
    "hotwell_temp": "Hotwell temperature",
    "subcooling_baseline": "Clean-unit subcooling",
    "air_removal_flow": "Off-gas air flow",
    "venting_capacity": "Air-removal capacity",
    "shell_count": "Condenser shells",
    "vacuum_decay_rate": "Vacuum decay rate",
    "steam_space_volume": "Steam-space volume",
    "steam_space_temp": "Steam-space temperature",
    "air_extraction_temp": "Air-extraction line temperature",
    "air_extraction_depression_baseline": "Clean air-extraction depression",
    "unexplained_backpressure": "Unexplained backpressure",
    "cleanliness_source": "Source of cleanliness_factor",
    # --- pumps and tower
    "pumps_installed": "Identical CW pumps installed",
    "pumps_running": "CW pumps running",
    "pump_rated_flow": "Rated flow of one pump",
    "pump_rated_head": "Rated head of one pump",
    "pump_rated_power": "Rated power of one pump",
    "pump_shutoff_head_ratio": "Shut-off head / rated head",
    "pump_min_flow_fraction": "Lowest flow per pump / rated",
    "pump_max_flow_fraction": "Highest flow per pump / rated",
    "design_pumps_running": "Pumps at the rated point",
    "static_head": "System static head",
    "vfd": "Pumps on VFDs",
    "speed": "Pump speed now, relative",
    "vfd_min_speed": "Lowest VFD speed, relative",
    "vfd_max_speed": "Highest VFD speed, relative",
    "speed_steps": "VFD speeds evaluated",
    "min_tube_velocity": "Minimum tube velocity",
    "max_tube_velocity": "Tube erosion velocity limit",
    "wet_bulb_temp": "Wet bulb (cooling tower)",
    "tower_approach_design": "Tower design approach",
    "tower_design_flow": "Tower design CW flow",
    "tower_min_approach": "Lowest tower approach",
    "fans_installed": "Tower fans installed",
    "fans_design": "Fans at the tower design point",
    "fans_on": "Fans running",
    "fan_power": "Power of one fan",
    # --- report
    "report_from": "Report window start, ISO 8601",
    "report_to": "Report window end, ISO 8601 (exclusive)",
    "report_title": "Report title",
    "report_output": "file: write the report; none: figures only",
    "pdf": "Also write a PDF",
    "split_interval_days": "Deviation split interval",
    # --- live data, work orders, provenance
    "names": "Measurements; empty: all",
    "title": "Work order short text",
    "description": "Long text; quote results verbatim",
    "asset": "CMMS asset / equipment",
    "location": "CMMS location, when no asset",
    "priority": "Priority 1 (highest) to 5",
    "work_type": "Maximo worktype",
    "dry_run": "true: only return the request",
    "idempotency_key": "Repeat-safe key; default derived",
    "provenance_hash": "Hash to look up in the audit ledger",
    "result": "A full result, with its provenance",
    "arguments": "The arguments that produced result",
    "tool": "Tool that produced result",
}

TOOL_SUMMARIES: dict[str, str] = {
    "calculate_heat_transfer_coefficient": (
        "Condenser heat-transfer test: duty, T_sat, ITD, TTD, LMTD, tube velocity, U actual/clean/design, "
        "cleanliness, fouling resistance, from CW temperatures, flow, pressure and tube data. mode size_area / "
        "outlet_temp: sizing with a known u_actual. " + VERBATIM
    ),
    "optimize_vacuum_pressure": (
        "Expected, achievable and measured backpressure, the deviation split (duty, CW inlet, CW flow, fouling, "
        "unexplained/air), lost MW and USD/day, optimal backpressure, ranked actions. " + VERBATIM
    ),
    "detect_air_inleakage": (
        "Air in-leakage diagnosis from any indicators given (dissolved O2, subcooling, off-gas, vacuum decay, "
        "air-extraction depression, unexplained backpressure): verdict, severity, confidence, location, "
        "actions. " + VERBATIM
    ),
    "calculate_fouling_factor": (
        "Fouling and cleanliness now; with a history, the trend, days until the cleaning trigger, cleaning due "
        "and method; with costs, the economic cleaning interval. " + VERBATIM
    ),
    "optimize_cooling_water_flow": (
        "Compares CW pump (count, VFD speed) and tower-fan options by net benefit (output gain minus pump and fan "
        "power): the optimum, its constraints and savings. " + VERBATIM
    ),
    "analyze_condenser_performance": (
        "Runs every applicable tool (heat transfer, vacuum, air, fouling, CW flow) on one snapshot: key figures, "
        "top actions and a 0-100 performance score; parts lacking inputs are skipped. " + VERBATIM
    ),
    "analyze_performance_history": (
        "Heat-transfer test on every row of a time series (arrays, CSV/Parquet file_path or live): percentiles, "
        "daily values, cleanings, fouling trend and forecast. " + VERBATIM
    ),
    "generate_performance_report": (
        "Writes an HTML performance report (charts, KPIs, backpressure split, air, actions, money at stake) from a "
        "series as for analyze_performance_history."
    ),
    "read_live_data": (
        "Current plant values of a condenser with tag, time, age and quality flags. Report them verbatim."
    ),
    "connector_status": "Health of the plant-data connectors: connection, errors, breaker, value ages.",
    "create_work_order": (
        "Files a CMMS work order for a finding; dry_run (default) only returns the request. Ask the user before filing."
    ),
    "verify_provenance": "Re-executes a result (by provenance hash or given) and says whether it matches.",
}
