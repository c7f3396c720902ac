# SPDX-License-Identifier: MIT
"""First-principles clean U (calculators/first_principles.py): Gnielinski against the ``ht``
library, the film solve's flux balance, and one implementation for floats and arrays."""

import numpy as np
import pytest
from ht.conv_internal import turbulent_Gnielinski

from condensync_tools.calculators import first_principles as fp
from condensync_tools.calculators import water

VELOCITIES = np.array([0.6, 1.2, 2.0, 2.4, 3.1])
BULK = np.array([278.0, 290.5, 301.2, 315.0, 340.0])


@pytest.mark.parametrize("salinity", [0.0, 0.03516504])
def test_gnielinski_equals_the_ht_library(salinity):
    """Nu of Gnielinski (1976) with the Petukhov friction factor, as ht.conv_internal computes it."""
    d_i = 0.0221
    for v, t in zip(VELOCITIES, BULK, strict=True):
        h, re, props = fp.tube_side(float(v), d_i, float(t), salinity)
        fd = (0.790 * np.log(re) - 1.64) ** -2
        ref = turbulent_Gnielinski(Re=re, Pr=props.prandtl, fd=fd) * props.conductivity / d_i
        assert h == pytest.approx(ref, rel=1e-13)


def test_film_solution_balances_the_fluxes():
    """h_shell(ΔT)·ΔT = (driving − ΔT)/r_other at the solved ΔT (to the solve's tolerance)."""
    p_sat = 7000.0
    t_sat = water.saturation_temperature(p_sat)
    h_fg, rho_v = water.latent_heat(p_sat), water.saturated_vapour_density(p_sat)
    a, c68 = fp._nusselt_coefficient(t_sat, 0.0254, fp.bank_factor(10), rho_v)
    for r_other, driving in ((1e-4, 10.0), (3e-4, 4.0), (5e-5, 0.5)):
        dt = fp.solve_film(a, c68, h_fg, r_other, driving)
        h = a * ((h_fg + c68 * dt) / dt) ** 0.25
        assert h * dt == pytest.approx((driving - dt) / r_other, rel=1e-10)


def test_clean_u_pieces_give_the_same_floats_on_scalars_and_arrays():
    d_o, d_i, r_wall, rows = 0.0254, 0.0221, 2.1e-5, fp.bank_factor(10)
    p = np.array([4000.0, 6000.0, 8000.0, 11000.0, 14000.0])
    t_sat, h_fg, rho_v = water.saturation_props(p)
    h_arr, re_arr, _ = fp.tube_side(VELOCITIES, d_i, BULK - 3.0)
    r_tube = fp.tube_resistance(d_o, d_i, h_arr)
    u_arr, hs_arr = fp.shell_side_clean_u(d_o, rows, r_wall, r_tube, BULK - 3.0, t_sat, h_fg, rho_v)
    for i in range(p.size):
        h, re, _ = fp.tube_side(float(VELOCITIES[i]), d_i, float(BULK[i] - 3.0))
        assert (h, re) == (h_arr[i], re_arr[i])
        u, hs = fp.shell_side_clean_u(d_o, rows, r_wall, fp.tube_resistance(d_o, d_i, h), float(BULK[i] - 3.0),
                                      float(t_sat[i]), float(h_fg[i]), float(rho_v[i]))  # fmt: skip
        assert (u, hs) == (u_arr[i], hs_arr[i])
