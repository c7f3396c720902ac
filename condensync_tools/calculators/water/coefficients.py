# SPDX-License-Identifier: MIT
"""The IAPWS coefficients the property routines use, each in one place, with its table.

IF97 regions 1 and 2 (R7-97(2012) Tables 2, 10 and 11) are read from the data file
``calculators/data/if97_coefficients.json``, extracted from the ``iapws`` package's tables
(``iapws97.Const``): tests/test_water.py checks the file equals them, and the properties
against the release's verification tables. A data file rather than an import: importing the
``iapws`` package imports every formulation it has and scipy (about 0.7 s), which the IF97
routines never need. IAPWS-95 (R6-95(2018) Tables 1-2) is read from iapws' ``IAPWS95``
class on first use (``IAPWS95_RESIDUAL``, ``IAPWS95_IDEAL``, ``R_IAPWS95``: sea-water
properties only). The coefficients iapws
keeps only inside function bodies are typed here once, from the releases:

* IAPWS R7-97(2012) IF97: Eq. 1 (R), Table 34 (region 4, saturation line);
* IAPWS R12-08, viscosity of ordinary water: Table 1 (H_i of μ0), Table 2 (H_ij of μ1);
* IAPWS R15-11, thermal conductivity of ordinary water: Table 1 (L_k of λ0),
  Table 2 (L_ij of λ1);
* IAPWS R13-08, seawater: Table 2 (saline Gibbs coefficients g_ijk) and its constants;
* critical point of water T_c = 647.096 K, ρ_c = 322 kg/m³ (IAPWS R6-95(2018) Eqs. 2-3;
  the reducing constants T* and ρ* of R12-08 and R15-11).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

#: Specific gas constant of IF97 [kJ/(kg·K)], R7-97(2012) Eq. 1.
R_IF97 = 0.461526
#: Critical temperature [K] and density [kg/m³] (R6-95(2018) Eqs. 2-3).
T_CRITICAL = 647.096
RHO_CRITICAL = 322.0
#: Critical pressure [Pa] and triple-point temperature [K] / pressure [Pa] (R7-97(2012), §2 and region 4).
P_CRITICAL = 22.064e6
T_TRIPLE = 273.16
P_TRIPLE = 611.657


def _if97_tables() -> dict:
    """The IF97 region 1 and 2 coefficient tables (data file ``calculators/data/if97_coefficients.json``)."""
    text = resources.files("condensync_tools.calculators").joinpath("data", "if97_coefficients.json").read_text("utf-8")
    return json.loads(text)


# --- IF97 regions 1 and 2 (R7-97(2012) Tables 2, 10, 11): (n, I, J) and (n0, J0) per term.
_IF97 = _if97_tables()
REGION1_TERMS = tuple((float(n), int(i), int(j)) for n, i, j in _IF97["region1_n_i_j"])
REGION2_IDEAL_TERMS = tuple((float(n), int(j)) for n, j in _IF97["region2_ideal_n_j"])
REGION2_RESIDUAL_TERMS = tuple((float(n), int(i), int(j)) for n, i, j in _IF97["region2_residual_n_i_j"])

#: IF97 region 4 (saturation line) n_1 ... n_10, R7-97(2012) Table 34 (index 0 unused).
REGION4_N = (
    0.0,
    0.11670521452767e04,
    -0.72421316703206e06,
    -0.17073846940092e02,
    0.12020824702470e05,
    -0.32325550322333e07,
    0.14915108613530e02,
    -0.48232657361591e04,
    0.40511340542057e06,
    -0.23855557567849e00,
    0.65017534844798e03,
)

#: R12-08 Table 1: H_0 ... H_3 of μ0(T̄) = 100·√T̄ / Σ H_i/T̄^i [μPa·s].
VISCOSITY_H0 = (1.67752, 2.20462, 0.6366564, -0.241605)
#: R12-08 Table 2: (i, j, H_ij) of μ1 = exp(ρ̄ Σ H_ij (1/T̄ − 1)^i (ρ̄ − 1)^j), nonzero terms in table order.
VISCOSITY_H1 = (
    (0, 0, 0.520094), (1, 0, 0.850895e-1), (2, 0, -0.108374e1), (3, 0, -0.289555),
    (0, 1, 0.222531), (1, 1, 0.999115), (2, 1, 0.188797e1), (3, 1, 0.126613e1), (5, 1, 0.120573),
    (0, 2, -0.281378), (1, 2, -0.906851), (2, 2, -0.772479), (3, 2, -0.489837), (4, 2, -0.257040),
    (0, 3, 0.161913), (1, 3, 0.257399),
    (0, 4, -0.325372e-1), (3, 4, 0.698452e-1),
    (4, 5, 0.872102e-2),
    (3, 6, -0.435673e-2), (5, 6, -0.593264e-3),
)  # fmt: skip

#: R15-11 Table 1: L_0 ... L_4 of λ0(T̄) = √T̄ / Σ L_k/T̄^k [mW/(m·K)].
CONDUCTIVITY_L0 = (2.443221e-3, 1.323095e-2, 6.770357e-3, -3.454586e-3, 4.096266e-4)
#: R15-11 Table 2: (i, j, L_ij) of λ1 = exp(ρ̄ Σ L_ij (1/T̄ − 1)^i (ρ̄ − 1)^j), in table order.
CONDUCTIVITY_L1 = (
    (0, 0, 1.60397357), (0, 1, -0.646013523), (0, 2, 0.111443906), (0, 3, 0.102997357),
    (0, 4, -0.0504123634), (0, 5, 0.00609859258),
    (1, 0, 2.33771842), (1, 1, -2.78843778), (1, 2, 1.53616167), (1, 3, -0.463045512),
    (1, 4, 0.0832827019), (1, 5, -0.00719201245),
    (2, 0, 2.19650529), (2, 1, -4.54580785), (2, 2, 3.55777244), (2, 3, -1.40944978),
    (2, 4, 0.275418278), (2, 5, -0.0205938816),
    (3, 0, -1.21051378), (3, 1, 1.60812989), (3, 2, -0.621178141), (3, 3, 0.0716373224),
    (4, 0, -2.7203370), (4, 1, 4.57586331), (4, 2, -3.18369245), (4, 3, 1.1168348),
    (4, 4, -0.19268305), (4, 5, 0.012913842),
)  # fmt: skip


# --- IAPWS-95 (R6-95(2018) Tables 1-2), from iapws' coefficient tables, on first use.
_IAPWS95_NAMES = ("IAPWS95_RESIDUAL", "IAPWS95_IDEAL", "R_IAPWS95")


@cache
def _iapws95_tables() -> dict[str, object]:
    from iapws.iapws95 import IAPWS95

    return {
        "IAPWS95_RESIDUAL": IAPWS95._constants,
        "IAPWS95_IDEAL": IAPWS95.Fi0,
        #: Specific gas constant of IAPWS-95 [kJ/(kg·K)] (R6-95(2018) Eq. 1: R / M).
        "R_IAPWS95": IAPWS95._constants["R"] / IAPWS95.M,
    }


def __getattr__(name: str) -> object:
    """``IAPWS95_RESIDUAL`` (residual coefficients), ``IAPWS95_IDEAL`` (ideal-gas part) and
    ``R_IAPWS95`` (specific gas constant [kJ/(kg·K)], R6-95(2018) Eq. 1: R / M), read from
    iapws on first use (PEP 562)."""
    if name in _IAPWS95_NAMES:
        return _iapws95_tables()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: IAPWS R13-08: salinity unit S_u = 40.188617 g/kg · (35.16504/35) [kg/kg] (Eq. 16 and §2).
SALINITY_UNIT = 0.040188617142857146
#: R13-08 reducing constants: standard pressure p0 [MPa], p* = 100 MPa, T0 = 273.15 K, T* = 40 K.
SEA_P0_MPA, SEA_P_STAR_MPA, SEA_T0_K, SEA_T_STAR_K = 0.101325, 100.0, 273.15, 40.0
#: R13-08 Table 2: (i, j, k, g_ijk) of the saline Gibbs function g^S = Σ g_ijk ξ^i τ^j π^k
#: (i = 1 carries the extra ξ² ln ξ factor and does not enter g_p or g_TT), rows in table order.
SALINE_G = (
    (1, 0, 0, 0.581281456626732e4), (2, 0, 0, 0.141627648484197e4), (3, 0, 0, -0.243214662381794e4),
    (4, 0, 0, 0.202580115603697e4), (5, 0, 0, -0.109166841042967e4), (6, 0, 0, 0.374601237877840e3),
    (7, 0, 0, -0.485891069025409e2), (1, 1, 0, 0.851226734946706e3), (2, 1, 0, 0.168072408311545e3),
    (3, 1, 0, -0.493407510141682e3), (4, 1, 0, 0.543835333000098e3), (5, 1, 0, -0.196028306689776e3),
    (6, 1, 0, 0.367571622995805e2), (2, 2, 0, 0.880031352997204e3), (3, 2, 0, -0.430664675978042e2),
    (4, 2, 0, -0.685572509204491e2), (2, 3, 0, -0.225267649263401e3), (3, 3, 0, -0.100227370861875e2),
    (4, 3, 0, 0.493667694856254e2), (2, 4, 0, 0.914260447751259e2), (3, 4, 0, 0.875600661808945),
    (4, 4, 0, -0.171397577419788e2), (2, 5, 0, -0.216603240875311e2), (4, 5, 0, 0.249697009569508e1),
    (2, 6, 0, 0.213016970847183e1), (2, 0, 1, -0.331049154044839e4), (3, 0, 1, 0.199459603073901e3),
    (4, 0, 1, -0.547919133532887e2), (5, 0, 1, 0.360284195611086e2), (2, 1, 1, 0.729116529735046e3),
    (3, 1, 1, -0.175292041186547e3), (4, 1, 1, -0.226683558512829e2), (2, 2, 1, -0.860764303783977e3),
    (3, 2, 1, 0.383058066002476e3), (2, 3, 1, 0.694244814133268e3), (3, 3, 1, -0.460319931801257e3),
    (2, 4, 1, -0.297728741987187e3), (3, 4, 1, 0.234565187611355e3), (2, 0, 2, 0.384794152978599e3),
    (3, 0, 2, -0.522940909281335e2), (4, 0, 2, -0.408193978912261e1), (2, 1, 2, -0.343956902961561e3),
    (3, 1, 2, 0.831923927801819e2), (2, 2, 2, 0.337409530269367e3), (3, 2, 2, -0.541917262517112e2),
    (2, 3, 2, -0.204889641964903e3), (2, 4, 2, 0.747261411387560e2), (2, 0, 3, -0.965324320107458e2),
    (3, 0, 3, 0.680444942726459e2), (4, 0, 3, -0.301755111971161e2), (2, 1, 3, 0.124687671116248e3),
    (3, 1, 3, -0.294830643494290e2), (2, 2, 3, -0.178314556207638e3), (3, 2, 3, 0.256398487389914e2),
    (2, 3, 3, 0.113561697840594e3), (2, 4, 3, -0.364872919001588e2), (2, 0, 4, 0.158408172766824e2),
    (3, 0, 4, -0.341251932441282e1), (2, 1, 4, -0.316569643860730e2), (2, 2, 4, 0.442040358308000e2),
    (2, 3, 4, -0.111282734326413e2), (2, 0, 5, -0.262480156590992e1), (2, 1, 5, 0.704658803315449e1),
    (2, 2, 5, -0.792001547211682e1),
)  # fmt: skip

#: Sharqawy, Lienhard, Zubair (2010) Eqs. 22-23: μ_sw = μ_w·(1 + A·S + B·S²), S in kg/kg,
#: A = a0 + a1·t + a2·t², B = b0 + b1·t + b2·t² (t in °C). Not an IAPWS release.
SHARQAWY_A = (1.541, 1.998e-2, -9.52e-5)
SHARQAWY_B = (7.974, -7.561e-2, 4.724e-4)
