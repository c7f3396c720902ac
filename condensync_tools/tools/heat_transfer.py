# SPDX-License-Identifier: MIT
"""Tool ``calculate_heat_transfer_coefficient``: the condenser heat-transfer test chain.

Calls :func:`condensync_tools.calculators.heat_transfer.analyse_heat_transfer`; see that
module for the formulas (ASME PTC 12.2-style chain, HEI clean U, first-principles clean U).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..calculators import hei
from ..calculators.errors import DomainError
from ..calculators.fouling import salinity_class, tema_water_types
from ..calculators.heat_transfer import HeatTransferInputs, HeatTransferResult, analyse_heat_transfer
from ..calculators.sizing import outlet_temperature_for_area, required_surface_area
from ..calculators.tubes import materials, tube_bundle
from ..calculators.water import WATER_SALINITY_KG_KG, salinity_for, saturation_pressure
from ..registry import HistoryRecord, ToolCall, ToolDefinition, ToolOutput, register
from .common import (
    CALCULATOR_NOTE,
    C,
    CondenserIdField,
    DataSourceField,
    ToolInput,
    ToolResult,
    UnitSystemField,
    quantity,
    summary_number,
)

#: HEI 9th ed. def. 2.5: 950 Btu/lb of exhaust steam for turbine service [J/kg].
STEAM_HEAT_RELEASE_J_KG = 950.0 * 2326.0

__all__ = [
    "HeatTransferInput",
    "HeatTransferOutput",
    "TOOL",
    "build_inputs",
    "TUBE_MATERIALS",
    "WATER_TYPES",
    "MEASUREMENT_FIELDS",
    "CW_TEMP_RANGE",
    "PRESSURE_RANGE",
]

TUBE_MATERIALS = tuple(sorted(materials()))
#: Water types: the property classes (fresh, brackish, sea) and the TEMA RGP-T-2.4 services,
#: each mapped to its salinity class for density and heat capacity.
WATER_TYPES = tuple(sorted(set(WATER_SALINITY_KG_KG) | set(tema_water_types())))
WaterType = Literal[WATER_TYPES]  # type: ignore[valid-type]
TubeMaterial = Literal[TUBE_MATERIALS]  # type: ignore[valid-type]
#: Sane plant ranges in SI base units.
CW_TEMP_RANGE = (0.0 + C, 60.0 + C)
PRESSURE_RANGE = (700.0, 30_000.0)  # Pa absolute: 0.21-8.9 inHgA
#: Fields the plant can supply in live mode.
MEASUREMENT_FIELDS = ("cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure")


# Tube and HEI fields of the heat-transfer input, also used by shared_inputs.TubeFields (one
# definition each, so the published schemas say the same thing in every tool).
SurfaceAreaField = quantity(
    "area",
    "Effective outside heat-transfer surface, plugged tubes excluded; default: "
    "active tubes × π × tube_od × tube_length",
    plausible=(1.0, 300_000.0),
    gt=0,
)
TubeGaugeField = Annotated[
    int, Field(ge=10, le=28, description="Tube wall gauge, BWG (10-28) [1]; default 18 (the HEI reference wall)")
]
TubeCountField = Annotated[int, Field(ge=1, le=500_000, description="Installed tubes, all passes [1]")]
PluggedTubesField = Annotated[
    int, Field(ge=0, le=500_000, description="Plugged tubes, excluded from area and flow [1]")
]
TubePassesField = Annotated[int, Field(ge=1, le=4, description="Number of water passes [1]")]
TubeLengthField = quantity("length", "Effective tube length between tubesheets (per pass)", plausible=(0.5, 40.0), gt=0)
SalinityField = quantity(
    "salinity", "Absolute salinity, overrides the water_type default (brackish 10, sea 35.165)", ge=0, le=120
)
CleanUMethodField = Annotated[
    Literal["hei", "first_principles"],
    Field(description="Clean U method: 'hei' (C1·√V·Fw·Fm) or 'first_principles' (resistance build-up) [1]"),
]
HeiEditionField = Annotated[Literal[hei.C1_EDITIONS], Field(description="Edition of the HEI C1 table [1]")]  # type: ignore[valid-type]
HeiFwField = Annotated[
    float,
    Field(
        gt=0,
        le=2,
        description="HEI inlet-water temperature factor Fw from your "
        "licensed table; default: derived (labelled in provenance.method) [1]",
    ),
]
HeiFmField = Annotated[
    float,
    Field(
        gt=0,
        le=2,
        description="HEI material/gauge factor Fm from your licensed table; "
        "default: older-edition public table, else derived [1]",
    ),
]


class HeatTransferInput(ToolInput):
    unit_system: UnitSystemField = "US"
    condenser_id: CondenserIdField = ""
    data_source: DataSourceField = "supplied"
    mode: Literal["rate", "size_area", "outlet_temp"] = Field(
        "rate",
        description="What to compute [1]. 'rate' (default, a test): U, cleanliness and fouling from "
        "measured CW temperatures, flow and pressure. 'size_area' (design or re-tubing): the effective surface "
        "area a known u_actual needs for a duty — give u_actual, cw_inlet_temp, the pressure and two of "
        "cw_outlet_temp, cw_flow, heat_duty (or steam_flow); the result is surface_area (a surface_area given, "
        "or tube_count × π × tube_od × tube_length, is the installed surface it is compared with). "
        "'outlet_temp': the CW outlet temperature (and TTD, LMTD, duty, steam condensed) a known u_actual and "
        "surface reach — give "
        "u_actual, cw_inlet_temp, the pressure, cw_flow and surface_area (or tube_count, tube_od, tube_length); "
        "cw_outlet_temp is the result. Sizing modes take supplied values only",
    )
    u_actual: quantity(
        "htc",
        "Known overall coefficient on the outside area, for mode 'size_area' or "
        "'outlet_temp' (design, assumed or previously measured U); not accepted in mode 'rate', "
        "where U is the result",
        plausible=(100.0, 15_000.0),
        gt=0,
    ) = None
    cw_inlet_temp: quantity(
        "temperature", "Cooling-water inlet temperature (required unless live)", plausible=CW_TEMP_RANGE
    ) = None
    cw_outlet_temp: quantity(
        "temperature",
        "Cooling-water outlet temperature, mixed mean (mode 'rate': required "
        "unless live; 'size_area': optional; 'outlet_temp': not accepted, it is the result)",
        plausible=CW_TEMP_RANGE,
    ) = None
    cw_flow: quantity(
        "volumetric_flow",
        "Cooling-water volumetric flow through the condenser (required unless live)",
        plausible=(0.005, 60.0),
        gt=0,
    ) = None
    condenser_pressure: quantity(
        "pressure",
        "Condenser shell absolute pressure (backpressure). Alternatives: "
        "vacuum_gauge with barometric_pressure, or saturation_temp",
        plausible=PRESSURE_RANGE,
        gt=0,
    ) = None
    vacuum_gauge: quantity(
        "pressure_gauge",
        "Condenser vacuum as a gauge reading (below atmosphere); needs barometric_pressure",
        plausible=(0.0, 110_000.0),
        ge=0,
    ) = None
    barometric_pressure: quantity(
        "pressure",
        "Barometric (atmospheric) pressure, absolute, for vacuum_gauge",
        plausible=(60_000.0, 110_000.0),
        gt=0,
    ) = None
    saturation_temp: quantity(
        "temperature",
        "Shell saturation temperature, used only when no pressure is given",
        plausible=(5.0 + C, 80.0 + C),
    ) = None
    surface_area: SurfaceAreaField = None
    tube_od: quantity("tube_diameter", "Tube outside diameter", plausible=(0.008, 0.06), gt=0) = None
    tube_gauge_bwg: TubeGaugeField = 18
    tube_material: TubeMaterial = Field(
        "admiralty",
        description="Tube material (HEI Fm and wall conductivity) [1]; default admiralty (the HEI reference)",
    )
    tube_count: TubeCountField = None
    plugged_tubes: PluggedTubesField = 0
    tube_passes: TubePassesField = 1
    tube_length: TubeLengthField = None
    tube_velocity: quantity(
        "velocity",
        "Measured mean tube water velocity; default: from cw_flow and the active tubes per pass",
        plausible=(0.05, 6.0),
        gt=0,
    ) = None
    water_type: WaterType = Field(
        "fresh",
        description="Cooling-water type: fresh, brackish, sea or a TEMA "
        "service (e.g. cooling_tower_treated, river_average); its salinity class sets "
        "density and heat capacity (IF97 fresh, IAPWS-08 saline) [1]",
    )
    salinity: SalinityField = None
    clean_u_method: CleanUMethodField = "hei"
    hei_edition: HeiEditionField = "hei_9th_10th"
    hei_fw: HeiFwField = None
    hei_fm: HeiFmField = None
    design_cleanliness: float = Field(
        None,
        gt=0,
        le=1,
        description="Design cleanliness factor Fc for U_design; "
        "default 0.85 copper alloys, 0.90 titanium/stainless [1]",
    )
    heat_duty: quantity(
        "heat_rate",
        "Heat duty, used only when cw_flow is not measured (the CW mass flow is then "
        "derived from it); with cw_flow it is only compared with the CW-side duty",
        plausible=(1e5, 1e10),
        gt=0,
    ) = None
    steam_flow: quantity(
        "steam_flow",
        "Exhaust steam flow to the condenser, used only when neither cw_flow nor "
        "heat_duty is given (duty = steam_flow × steam_heat_release)",
        plausible=(0.01, 2000.0),
        gt=0,
    ) = None
    steam_heat_release: quantity(
        "latent_heat",
        "Heat released per unit of exhaust steam for steam_flow; default "
        "950 Btu/lb (HEI 9th ed. def. 2.5, turbine service)",
        gt=0,
        plausible=(1.5e6, 2.6e6),
    ) = None
    shell_heat_loss: quantity(
        "heat_rate", "Heat lost from the shell to ambient, added to the steam-side duty", ge=0
    ) = None
    bank_rows: int = Field(
        10, ge=1, le=200, description="Effective condensing rows for the first-principles shell-side factor N^-1/6 [1]"
    )


class HeatTransferOutput(ToolResult):
    heat_duty: quantity("heat_rate", "Heat duty from the CW side, ṁ·cp·(T_out − T_in)")
    steam_side_duty: quantity("heat_rate", "Heat released by condensing steam: CW duty + shell heat loss")
    condenser_pressure: quantity("pressure", "Absolute condenser pressure used")
    saturation_temp: quantity("temperature", "Saturation temperature at the condenser pressure (IAPWS-IF97)")
    itd: quantity("temperature_difference", "Initial temperature difference, T_sat − T_in")
    ttd: quantity("temperature_difference", "Terminal temperature difference, T_sat − T_out")
    lmtd: quantity("temperature_difference", "Log-mean temperature difference")
    temperature_rise: quantity("temperature_difference", "CW temperature rise, T_out − T_in")
    cw_mass_flow: quantity("mass_flow", "CW mass flow, ρ(T_in) × volumetric flow")
    cw_density: quantity("density", "CW density at the inlet temperature")
    cw_cp: quantity("specific_heat", "CW isobaric heat capacity at the mean temperature")
    surface_area: quantity("area", "Effective outside surface used (mode 'size_area': the required surface)")
    installed_surface_area: quantity(
        "area",
        "Mode 'size_area' with surface_area, or tube_count, tube_od and "
        "tube_length: the installed active surface, for comparison with the required "
        "one",
    ) = None
    u_actual: quantity(
        "htc",
        "Actual (test) overall coefficient on the outside area, Q/(A·LMTD) (sizing modes: "
        "the U given, recomputed from the result)",
    )
    ntu: float = Field(description="Number of transfer units, U·A/(ṁ·cp) [1]")
    effectiveness: float = Field(description="Thermal effectiveness, (T_out − T_in)/ITD [1]")
    latent_heat: quantity("latent_heat", "Latent heat of condensation at the condenser pressure (IF97)")
    steam_condensed: quantity("steam_flow", "Steam condensed, steam-side duty / latent heat")
    tube_velocity: quantity("velocity", "Mean tube water velocity") = None
    active_tubes: int = Field(None, description="Installed minus plugged tubes [1]")
    tube_inner_diameter: quantity("tube_diameter", "Tube inside diameter, OD − 2 × BWG wall") = None
    u_clean: quantity("htc", "Clean overall coefficient (cleanliness 1.0) by the chosen method") = None
    hei_u1: quantity("htc", "HEI uncorrected coefficient C1·√V (hei method)") = None
    hei_fw: float = Field(None, description="HEI inlet-water temperature factor used [1]")
    hei_fm: float = Field(None, description="HEI tube material/gauge factor used [1]")
    design_cleanliness: float = Field(None, description="Design cleanliness factor Fc used for U_design [1]")
    u_design: quantity("htc", "Design coefficient, clean U × design cleanliness") = None
    cleanliness_factor: float = Field(None, description="Cleanliness factor, U_actual / U_clean [1]")
    fouling_resistance: quantity("fouling_resistance", "Fouling resistance, 1/U_actual − 1/U_clean") = None
    h_tube: quantity("htc", "Tube-side (water) coefficient on the inside area (first principles)") = None
    h_shell: quantity("htc", "Shell-side condensing coefficient (first principles)") = None


def condenser_pressure_si(call: ToolCall) -> float:
    """Absolute condenser pressure [Pa] from condenser_pressure, vacuum_gauge with
    barometric_pressure, or saturation_temp (in that order of preference)."""
    si = call.si
    if call.has("condenser_pressure"):
        return si["condenser_pressure"]
    if call.has("vacuum_gauge"):
        if not call.has("barometric_pressure"):
            raise DomainError(
                "barometric_pressure",
                "a gauge vacuum reading needs the barometric pressure to give an absolute pressure",
                "pass barometric_pressure, or condenser_pressure (absolute) instead of vacuum_gauge",
            )
        p = si["barometric_pressure"] - si["vacuum_gauge"]
        if p <= 0:
            raise DomainError(
                "vacuum_gauge",
                "vacuum exceeds the barometric pressure (absolute pressure ≤ 0)",
                "vacuum and barometer in different units, or the barometer is wrong",
            )
        return p
    return saturation_pressure(si["saturation_temp"])


#: Fields each mode needs (a name, or a tuple of alternatives), checked by the registry with the
#: other required fields, and fields a mode does not accept (mode_argument_problems).
#: the heat-transfer surface: given, or from the tubes (all three of them)
SURFACE_RULE = ("surface_area", "tube_length+tube_od+tube_count")
MODE_REQUIRED: dict[str, tuple] = {
    "rate": ("cw_outlet_temp", ("cw_flow", "heat_duty", "steam_flow"), SURFACE_RULE),
    "size_area": ("u_actual",),
    "outlet_temp": ("u_actual", "cw_flow", SURFACE_RULE),
}
MODE_REFUSED: dict[str, tuple[str, ...]] = {
    "rate": ("u_actual",),
    "size_area": (),
    "outlet_temp": ("cw_outlet_temp", "heat_duty", "steam_flow"),
}
_WHY_NOT = {
    "u_actual": "U is the result in mode 'rate'; set mode to 'size_area' or 'outlet_temp' to use a known U",
    "cw_outlet_temp": "the outlet temperature is the result in mode 'outlet_temp'",
    "heat_duty": "the duty follows from U, the surface and the CW flow in mode 'outlet_temp'",
    "steam_flow": "the duty follows from U, the surface and the CW flow in mode 'outlet_temp'",
}


def mode_argument_problems(args: dict) -> list[str]:
    """Problems with the present arguments (values not None) of the selected mode: fields it does
    not accept, live data in a sizing mode, and for 'size_area' each missing one of the outlet
    temperature, CW flow and duty when fewer than two are given (the registry reports them with
    the fields of :data:`MODE_REQUIRED`)."""
    mode = args.get("mode", "rate")
    why = f"in mode '{mode}'"
    problems = [
        f"$.{name}: not accepted {why} ({_WHY_NOT[name]}), got {args[name]!r}"
        for name in MODE_REFUSED.get(mode, ())
        if args.get(name) is not None
    ]
    if mode != "rate" and args.get("data_source") == "live":
        problems.append(f"$.data_source: 'supplied' {why} (sizing takes the design values as arguments), got 'live'")
    if mode == "size_area":
        given = [
            args.get("cw_outlet_temp") is not None,
            args.get("cw_flow") is not None,
            args.get("heat_duty") is not None or args.get("steam_flow") is not None,
        ]
        if sum(given) < 2:
            for name, have in zip(("cw_outlet_temp", "cw_flow", "heat_duty"), given, strict=True):
                if not have:
                    alt = " (or steam_flow)" if name == "heat_duty" else ""
                    problems.append(
                        f"$.{name}: required{alt} {why} (two of cw_outlet_temp, cw_flow and "
                        "heat_duty/steam_flow set the duty and the LMTD), got nothing"
                    )
    return problems


def build_inputs(call: ToolCall) -> HeatTransferInputs:
    """SI calculator inputs from a validated call."""
    si = call.si
    bundle = None
    if call.has("tube_od") and call.has("tube_count"):
        bundle = tube_bundle(
            si["tube_od"],
            si["tube_gauge_bwg"],
            si["tube_count"],
            si["plugged_tubes"],
            si["tube_passes"],
            si.get("tube_length") or 0.0,
        )
    elif call.has("tube_od") and call.has("tube_velocity"):
        bundle = tube_bundle(si["tube_od"], si["tube_gauge_bwg"], 1, 0, si["tube_passes"], si.get("tube_length") or 0.0)
    salinity = salinity_for(salinity_class(si["water_type"]), si.get("salinity"))
    duty, basis = 0.0, "given"
    if call.has("heat_duty"):
        duty = si["heat_duty"]
    elif call.has("steam_flow"):
        release = si.get("steam_heat_release") or STEAM_HEAT_RELEASE_J_KG
        source = "caller" if call.has("steam_heat_release") else "HEI 9th ed. def. 2.5"
        duty, basis = si["steam_flow"] * release, f"steam flow x {release / 2326.0:.4g} Btu/lb ({source})"
    return HeatTransferInputs(
        cw_inlet_temp=si["cw_inlet_temp"],
        cw_outlet_temp=si.get("cw_outlet_temp") or 0.0,
        cw_flow=si.get("cw_flow") or 0.0,
        condenser_pressure=condenser_pressure_si(call),
        surface_area=si.get("surface_area") or 0.0,
        bundle=bundle,
        tube_velocity=si.get("tube_velocity") or 0.0,
        tube_material=si["tube_material"],
        salinity=salinity,
        clean_u_method=si["clean_u_method"],
        hei_edition=si["hei_edition"],
        fw=si.get("hei_fw") or 0.0,
        fm=si.get("hei_fm") or 0.0,
        design_cleanliness=si.get("design_cleanliness") or 0.0,
        shell_heat_loss=si.get("shell_heat_loss") or 0.0,
        bank_rows=si["bank_rows"],
        heat_duty=duty,
        heat_duty_basis=basis,
    )


def handle(call: ToolCall) -> ToolOutput:
    mode = call.si["mode"]
    x = build_inputs(call)
    installed = None
    if mode == "size_area":
        if x.surface_area > 0.0:  # given (or from the plant configuration): the installed surface
            installed = x.surface_area
        elif x.bundle is not None and x.bundle.length > 0.0:
            installed = x.bundle.outside_area
        r = required_surface_area(x, call.si["u_actual"])
    elif mode == "outlet_temp":
        r = outlet_temperature_for_area(x, call.si["u_actual"])
    else:
        r = analyse_heat_transfer(x)
    if x.bundle is not None and x.bundle.active_tubes == 1 and r.active_tubes == 1:
        r.active_tubes = None  # velocity given without a tube count
    values = {
        "heat_duty": r.heat_duty,
        "steam_side_duty": r.steam_side_duty,
        "condenser_pressure": x.condenser_pressure,
        "saturation_temp": r.saturation_temp,
        "itd": r.itd,
        "ttd": r.ttd,
        "lmtd": r.lmtd,
        "temperature_rise": r.temperature_rise,
        "cw_mass_flow": r.cw_mass_flow,
        "cw_density": r.cw_density,
        "cw_cp": r.cw_cp,
        "surface_area": r.surface_area,
        "installed_surface_area": installed,
        "u_actual": r.u_actual,
        "ntu": r.ntu,
        "effectiveness": r.effectiveness,
        "latent_heat": r.latent_heat,
        "steam_condensed": r.steam_condensed,
        "tube_velocity": r.tube_velocity,
        "active_tubes": r.active_tubes,
        "tube_inner_diameter": r.tube_id,
        "u_clean": r.u_clean,
        "hei_u1": r.u_hei_uncorrected,
        "hei_fw": r.hei_fw,
        "hei_fm": r.hei_fm,
        "design_cleanliness": r.design_cleanliness,
        "u_design": r.u_design,
        "cleanliness_factor": r.cleanliness_factor,
        "fouling_resistance": r.fouling_resistance,
        "h_tube": r.h_tube,
        "h_shell": r.h_shell,
    }
    warnings = list(r.warnings)
    if installed is not None and r.surface_area > installed:
        warnings.append(
            f"the required surface is {100 * (r.surface_area / installed - 1):.1f} % larger than the "
            "installed active surface (installed_surface_area): this U does not reject the duty here"
        )
    warnings.extend(hei.hei_basis_warnings(r.hei_basis, x.tube_material))
    # only a measured rate test is a fouling point; a sizing what-if keeps nothing
    kept = HistoryRecord(r.cleanliness_factor, r.fouling_resistance) if mode == "rate" else HistoryRecord()
    return ToolOutput(
        values=values,
        method=dict(r.method),
        warnings=warnings,
        summary=lambda: _summary(call, r, x.clean_u_method),
        history=kept,
    )


def _summary(call: ToolCall, r: HeatTransferResult, clean_u_method: str) -> str:
    """The key figures in the caller's units, for the text content of a result."""
    u = call.unit
    cf = r.cleanliness_factor
    sized = ""
    if call.si["mode"] == "size_area":
        sized = f"Required surface {summary_number(call.to_caller('area', r.surface_area), u('area'))}; "
    elif call.si["mode"] == "outlet_temp":
        outlet = r.saturation_temp - r.ttd
        sized = f"CW outlet {summary_number(call.to_caller('temperature', outlet), u('temperature'))}; "
    return sized + (
        f"Heat duty {summary_number(call.to_caller('heat_rate', r.heat_duty), u('heat_rate'))}; "
        f"T_sat {summary_number(call.to_caller('temperature', r.saturation_temp), u('temperature'))}; "
        f"LMTD {summary_number(call.to_caller('temperature_difference', r.lmtd), u('temperature_difference'))}; "
        f"TTD {summary_number(call.to_caller('temperature_difference', r.ttd), u('temperature_difference'))}; "
        f"U actual {summary_number(call.to_caller('htc', r.u_actual), u('htc'))}"
        + (
            f"; U clean {summary_number(call.to_caller('htc', r.u_clean), u('htc'))} ({clean_u_method}); "
            f"cleanliness factor {cf:.3f}"
            if cf is not None
            else ""
        )
    )


TOOL = register(
    ToolDefinition(
        name="calculate_heat_transfer_coefficient",
        title="Condenser heat-transfer coefficient and cleanliness (HEI / PTC 12.2 chain)",
        description=(
            "Steam surface condenser heat-transfer test from CW inlet/outlet temperatures, CW flow, condenser "
            "pressure and tube data: heat duty, saturation temperature (IAPWS-IF97), ITD, TTD, LMTD, tube velocity, "
            "actual U, clean U (HEI C1·√V·Fw·Fm or first principles), design U, cleanliness factor, fouling "
            "resistance, NTU and steam condensed. Give tube_od + tube_count (+ tube_length or surface_area) for "
            "velocity and clean U. Sizing: mode 'size_area' returns the surface a known u_actual needs for a duty; "
            "mode 'outlet_temp' the CW outlet temperature a known u_actual and surface reach. " + CALCULATOR_NOTE
        ),
        version="1.1.0",
        input_model=HeatTransferInput,
        output_model=HeatTransferOutput,
        quick=True,
        handler=handle,
        live_fields=MEASUREMENT_FIELDS,
        required_supplied=("cw_inlet_temp", ("condenser_pressure", "vacuum_gauge", "saturation_temp")),
        required_by_mode=("mode", MODE_REQUIRED),
        argument_problems=mode_argument_problems,
    )
)
