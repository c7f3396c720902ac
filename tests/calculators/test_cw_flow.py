# SPDX-License-Identifier: MIT
"""CW flow optimisation: pump/system curves, affinity, options, net benefit, constraints."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.calculators.constants import FT_M, INCH_M, STANDARD_GRAVITY, f_to_k
from condensync_tools.calculators.cw_flow import (
    cooling_tower,
    operating_flow,
    optimize_cooling_water_flow,
    pump_curve,
)
from condensync_tools.calculators.errors import DomainError, OutOfRangeError
from condensync_tools.calculators.turbine import generic_curve
from condensync_tools.calculators.vacuum import condenser_model

MODEL = condenser_model(1.0 * INCH_M, 22, 20000, "titanium", tube_passes=2, tube_length=12.0)
Q_DESIGN = 7.0 * FT_M * MODEL.bundle.flow_area
TURBINE = generic_curve(500e6)
RHO = 998.0


def _pump(head=20.0, eff=0.85, q=Q_DESIGN / 2):
    return pump_curve(q, head, RHO * STANDARD_GRAVITY * q * head / eff, density=RHO)


PUMP = _pump()
BASE = dict(
    cw_inlet_temp=f_to_k(80.0),
    pumps_installed=3,
    pumps_running=2,
    static_head=5.0,
    heat_duty=400e6,
    cleanliness_factor=0.8,
    power_price_usd_per_mwh=50.0,
)


# --- pump physics ---------------------------------------------------------------------------


def test_affinity_laws_at_similar_points():
    # docs/methods.md §6 (derived): +10 % speed -> +10 % flow, +21 % head, +33.1 % power
    q = 0.8 * PUMP.rated_flow
    assert PUMP.head(1.1 * q, 1.1) / PUMP.head(q, 1.0) == pytest.approx(1.21)
    assert PUMP.power(1.1 * q, 1.1, RHO) / PUMP.power(q, 1.0, RHO) == pytest.approx(1.331)
    assert PUMP.efficiency(1.1 * q, 1.1) == pytest.approx(PUMP.efficiency(q, 1.0))


def test_rated_point_and_shutoff():
    assert PUMP.head(PUMP.rated_flow) == pytest.approx(20.0)
    assert PUMP.head(0.0) == pytest.approx(1.25 * 20.0)
    assert PUMP.efficiency(PUMP.rated_flow) == pytest.approx(0.85, rel=1e-9)
    assert PUMP.power(PUMP.rated_flow, 1.0, RHO) == pytest.approx(PUMP.rated_power)


def test_affinity_exact_only_without_static_head():
    k = 20.0 / (2 * PUMP.rated_flow) ** 2
    q1 = operating_flow(PUMP, 2, 1.0, 0.0, k)
    assert q1 == pytest.approx(2 * PUMP.rated_flow)
    assert operating_flow(PUMP, 2, 0.8, 0.0, k) / q1 == pytest.approx(0.8)  # pure friction: Q ∝ N
    ks = (20.0 - 8.0) / (2 * PUMP.rated_flow) ** 2
    q1s = operating_flow(PUMP, 2, 1.0, 8.0, ks)
    assert q1s == pytest.approx(2 * PUMP.rated_flow)
    assert operating_flow(PUMP, 2, 0.8, 8.0, ks) / q1s < 0.8  # static head: affinity overstates (pitfall 14)
    assert operating_flow(PUMP, 2, 0.4, 8.0, ks) == 0.0  # cannot overcome static head


def test_parallel_pump_adds_less_than_its_share():
    k = 15.0 / (2 * PUMP.rated_flow) ** 2
    q2 = operating_flow(PUMP, 2, 1.0, 5.0, k)
    q3 = operating_flow(PUMP, 3, 1.0, 5.0, k)
    assert q2 < q3 < 1.5 * q2


def test_curve_from_points():
    # points on H = 25 - 0.275 q²: the least-squares quadratic recovers it exactly
    pts = [(5.0, 18.125), (0.0, 25.0), (2.0, 23.9), (4.0, 20.6)]
    p = pump_curve(4.0, 20.6, RHO * STANDARD_GRAVITY * 4.0 * 20.6 / 0.85, density=RHO, points=pts)
    assert p.coeffs == pytest.approx((25.0, 0.0, -0.275), abs=1e-9)
    assert p.head(4.0) == pytest.approx(20.6)
    assert "4 curve points" in p.source


# --- options and MUST properties --------------------------------------------------------------


def test_current_has_zero_net_and_savings_follow_price():
    r = optimize_cooling_water_flow(MODEL, PUMP, TURBINE, **BASE)
    assert r.current.net_benefit == 0.0
    assert r.net_benefit >= 0.0
    assert r.expected_savings_usd_per_hour == pytest.approx(r.net_benefit / 1e6 * 50.0)
    assert r.expected_savings_usd_per_year == pytest.approx(r.net_benefit / 1e6 * 50.0 * 8760)
    assert r.optimal_cw_flow == r.optimum.cw_flow
    assert r.optimum.feasible
    assert len(r.options) == 3


@given(static=st.floats(0.0, 12.0), cf=st.floats(0.5, 1.0), t_f=st.floats(50.0, 95.0))
@settings(max_examples=10, deadline=None)
def test_more_cw_flow_never_raises_backpressure(static, cf, t_f):
    r = optimize_cooling_water_flow(
        MODEL,
        PUMP,
        TURBINE,
        cw_inlet_temp=f_to_k(t_f),
        pumps_installed=3,
        pumps_running=2,
        static_head=static,
        vfd=True,
        speed_range=(0.6, 1.1),
        speed_steps=6,
        heat_duty=400e6,
        cleanliness_factor=cf,
        max_tube_velocity=4.0,
        min_tube_velocity=0.0,
    )
    opts = sorted((o for o in r.options if o.backpressure is not None), key=lambda o: o.cw_flow)
    assert len(opts) >= 2
    for a, b in zip(opts, opts[1:], strict=False):
        assert b.backpressure <= a.backpressure + 1e-6


def test_interior_optimum_when_pump_power_is_significant():
    # VFD, 3 pumps running, large pump power: net benefit vs speed peaks strictly inside the range
    r = optimize_cooling_water_flow(
        MODEL,
        PUMP,
        TURBINE,
        **{**BASE, "pumps_running": 3},
        vfd=True,
        speed=1.0,
        speed_range=(0.7, 1.1),
        speed_steps=9,
    )
    three = [o for o in r.options if o.pumps_running == 3]
    nets = [o.net_benefit for o in three]
    best = max(range(len(nets)), key=nets.__getitem__)
    assert 0 < best < len(nets) - 1
    assert r.optimum.net_benefit >= max(o.net_benefit for o in r.options if o.feasible) - 1e-9


def test_turbine_gain_below_choke_is_zero():
    # cold water and a large flow: all high-flow options sit below the 1.2 inHgA choke point
    r = optimize_cooling_water_flow(
        MODEL,
        PUMP,
        TURBINE,
        cw_inlet_temp=f_to_k(40.0),
        pumps_installed=3,
        pumps_running=2,
        static_head=5.0,
        vfd=True,
        speed_range=(0.8, 1.1),
        speed_steps=4,
        heat_duty=200e6,
        cleanliness_factor=0.95,
        power_price_usd_per_mwh=50.0,
    )
    choked = [o for o in r.options if o.backpressure is not None and o.backpressure <= TURBINE.choke_pressure]
    assert len(choked) >= 2
    assert all("choke_point" in o.active_constraints for o in choked)
    assert len({o.turbine_output_change for o in choked}) == 1  # flat: no gain from more flow below choke
    # so the optimum never buys more pump power for no turbine gain
    assert r.optimum.aux_power <= r.current.aux_power


def _tower_run(approach_f: float, fans_design: int, cw_inlet_f: float, **extra):
    """A two-of-three-pump tower case: (tower, result)."""
    tower = cooling_tower(
        wet_bulb=f_to_k(70.0),
        approach_design=approach_f / 1.8,
        design_flow=Q_DESIGN,
        fans_design=fans_design,
        fans_installed=8,
        fan_power=150e3,
    )
    r = optimize_cooling_water_flow(
        MODEL,
        PUMP,
        TURBINE,
        cw_inlet_temp=f_to_k(cw_inlet_f),
        pumps_installed=3,
        pumps_running=2,
        static_head=8.0,
        tower=tower,
        fans_on=fans_design,
        heat_duty=400e6,
        cleanliness_factor=0.85,
        **extra,
    )
    return tower, r


def test_tower_fans_and_min_approach():
    tower, r = _tower_run(10.0, 6, 80.0, power_price_usd_per_mwh=50.0)
    assert r.current.cw_inlet_temp == pytest.approx(f_to_k(80.0))  # calibrated on the measured inlet
    two = sorted((o for o in r.options if o.pumps_running == 2), key=lambda o: o.fans_on)
    temps = [o.cw_inlet_temp for o in two]
    assert all(b <= a for a, b in zip(temps, temps[1:], strict=False))  # more fans, colder water
    assert all(o.cw_inlet_temp >= tower.wet_bulb + tower.min_approach - 1e-9 for o in r.options)
    three = [o for o in r.options if o.pumps_running == 3 and o.fans_on == 6][0]
    assert three.cw_inlet_temp > r.current.cw_inlet_temp  # more flow through a fixed tower: warmer water
    assert two[-1].fan_power == 8 * 150e3


def test_tower_min_approach_active():
    _, r = _tower_run(6.0, 2, 76.0)
    assert any("tower_min_approach" in o.active_constraints for o in r.options)


def test_velocity_limits_exclude_options():
    r = optimize_cooling_water_flow(MODEL, PUMP, TURBINE, **BASE, max_tube_velocity=2.0)
    for o in r.options:
        if o.tube_velocity > 2.0:
            assert not o.feasible and any(v.startswith("tube_velocity_max") for v in o.violations)
    assert r.optimum.tube_velocity <= 2.0 or r.optimum is r.current


def test_measured_flow_calibrates_system_curve():
    r = optimize_cooling_water_flow(MODEL, PUMP, TURBINE, **BASE, cw_flow=0.95 * Q_DESIGN)
    assert r.current.cw_flow == pytest.approx(0.95 * Q_DESIGN)
    assert "calibrated" in r.method["system_curve"]


# --- invalid inputs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(rated_flow=0.0, rated_head=20.0, rated_power=1e6), "pump_rated_flow"),
        (dict(rated_flow=4.0, rated_head=-1.0, rated_power=1e6), "pump_rated_head"),
        (dict(rated_flow=4.0, rated_head=20.0, rated_power=1e3), "pump_rated_power"),  # kW given as W
        (
            dict(rated_flow=4.0, rated_head=20.0, rated_power=1e6, shutoff_head_ratio=3.0),
            "pump_shutoff_head_ratio",
        ),
        (
            dict(rated_flow=4.0, rated_head=20.0, rated_power=1e6, points=[(0, 25), (4, 20)]),
            "pump_curve_points",
        ),
        (
            dict(rated_flow=4.0, rated_head=20.0, rated_power=1e6, points=[(0, 20), (2, 22), (4, 25)]),
            "pump_curve_points",
        ),
    ],
)
def test_invalid_pump(kwargs, field):
    with pytest.raises(DomainError) as exc:
        pump_curve(**kwargs)
    assert exc.value.field == field


@pytest.mark.parametrize(
    "over, field",
    [
        (dict(pumps_running=4), "pumps_running"),
        (dict(pumps_running=0), "pumps_running"),
        (dict(pumps_installed=0), "pumps_installed"),
        (dict(static_head=25.0), "static_head"),
        (dict(static_head=-1.0), "static_head"),
        (dict(vfd=True, speed_range=(1.0, 0.7)), "speed_range"),
        (dict(vfd=True, speed_steps=1), "speed_steps"),
        (dict(vfd=True, speed=1.3), "speed"),
        (dict(speed=0.9), "speed"),
        (dict(fans_on=2), "fans_on"),
        (dict(cw_flow=-1.0), "cw_flow"),
        (dict(cw_flow=100.0), "cw_flow"),
        (dict(power_price_usd_per_mwh=-3.0), "power_price_usd_per_mwh"),
        (dict(min_tube_velocity=5.0), "min_tube_velocity"),
        (dict(max_tube_velocity=0.0), "max_tube_velocity"),
        (dict(pump_flow_range=(1.2, 1.5)), "pump_flow_range"),
        (dict(operating_hours_per_year=9000.0), "operating_hours_per_year"),
        (dict(cleanliness_factor=85.0), "cleanliness_factor"),
        (dict(design_pumps_running=5), "design_pumps_running"),
    ],
)
def test_invalid_options(over, field):
    kw = {**BASE, **over}
    with pytest.raises((DomainError, OutOfRangeError)) as exc:
        optimize_cooling_water_flow(MODEL, PUMP, TURBINE, **kw)
    assert exc.value.field == field


@pytest.mark.parametrize(
    "over, field",
    [
        (dict(wet_bulb=f_to_k(70.0) + 100.0), "wet_bulb_temp"),
        (dict(fans_design=9), "fans_design"),
        (dict(fans_installed=0, fans_design=0), "fans_installed"),
        (dict(fan_power=-1.0), "fan_power"),
        (dict(approach_design=0.0), "tower_approach_design"),
    ],
)
def test_invalid_tower(over, field):
    kw = dict(
        wet_bulb=f_to_k(70.0),
        approach_design=5.0,
        design_flow=Q_DESIGN,
        fans_design=6,
        fans_installed=8,
        fan_power=150e3,
    )
    kw.update(over)
    with pytest.raises(DomainError) as exc:
        cooling_tower(**kw)
    assert exc.value.field == field


def test_inlet_below_wet_bulb_is_rejected():
    tower = cooling_tower(
        wet_bulb=f_to_k(70.0),
        approach_design=5.0,
        design_flow=Q_DESIGN,
        fans_design=6,
        fans_installed=8,
        fan_power=150e3,
    )
    with pytest.raises(DomainError) as exc:
        optimize_cooling_water_flow(
            MODEL, PUMP, TURBINE, **{**BASE, "cw_inlet_temp": f_to_k(65.0)}, tower=tower, fans_on=6
        )
    assert exc.value.field == "cw_inlet_temp"


def test_outputs_finite():
    r = optimize_cooling_water_flow(MODEL, PUMP, TURBINE, **BASE, vfd=True, speed_steps=5)
    for o in r.options:
        for x in (o.cw_flow, o.tube_velocity, o.cw_inlet_temp, o.pump_power, o.fan_power, o.aux_power):
            assert math.isfinite(x)
        for x in (o.backpressure, o.turbine_output_change, o.net_benefit):
            assert x is None or math.isfinite(x)
