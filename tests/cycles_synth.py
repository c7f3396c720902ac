# SPDX-License-Identifier: MIT
"""A synthetic multi-year condenser history with known cleanings, from a forward model.

Truth: the cleanliness factor follows a Kern–Seaton cycle after each cleaning, with the
residual a real cleaning leaves (CF 0.88-0.93 right after it):
CF(t) = 1/(1 + y0 + R_inf·(1 − e^(−t/τ))). Each hour of ~3.4 years of operation is then
turned into raw measurements through the project's own calculators, the same chain a plant
follows:

* U_clean: HEI C1·√V·Fw·Fm at the row's tube velocity and CW inlet temperature (Fw derived)
  — :func:`condensync_tools.calculators.history.analyse_rows`, iterated with the pressure it
  depends on; heat duty from ρ(T_in)·Q_vol·cp·TR, same function;
* U = CF·U_clean; NTU = U·A/(ṁ·cp) = U·A·TR/Q; TTD = TR/(e^NTU − 1); T_sat = T_out + TTD;
  P = P_sat(T_sat) (IAPWS-IF97, :func:`condensync_tools.calculators.water.psat_t`).

Seasonal CW inlet temperature (±9 K) with a diurnal swing, load swings (daily cycle,
weekends, random low-load days), a third CW pump in summer, a 12-day outage without a
cleaning (no flow: invalid rows), one cleaning inside a 2-day outage, and measurement noise
on every sensor. Deterministic (fixed seed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np

from condensync_tools.calculators import history as hist
from condensync_tools.calculators import water as v97
from condensync_tools.calculators.tubes import tube_bundle
from condensync_tools.units import from_si

DAY_S = 86400.0
#: The condenser (US design arguments of the tools).
DESIGN_US = {"tube_od": 1.0, "tube_count": 28000, "plugged_tubes": 300, "tube_passes": 2, "tube_length": 38.0}
DESIGN_SI = {"tube_od": 25.4, "tube_count": 28000, "plugged_tubes": 300, "tube_passes": 2, "tube_length": 38.0 * 0.3048}
START = datetime(2022, 1, 1, tzinfo=timezone.utc)
END = datetime(2025, 5, 30, tzinfo=timezone.utc)
#: (cleaning day, hour the cleaning ends, residual CF after it, tau [d], R_inf [index]).
CLEANINGS = (
    (date(2022, 4, 12), 10, 0.90, 85.0, 0.36),
    (date(2023, 4, 18), 23, 0.88, 75.0, 0.38),  # during the 2-day outage 2023-04-17/18
    (date(2024, 4, 9), 14, 0.93, 80.0, 0.34),
    (date(2025, 4, 15), 9, 0.91, 80.0, 0.36),  # the current cycle: 45 days old at END
)
#: State of the first, partial cycle at START: (age [d], residual CF, tau, R_inf).
FIRST_CYCLE = (260.0, 0.90, 80.0, 0.36)
OUTAGES = (
    (datetime(2023, 4, 17, tzinfo=timezone.utc), datetime(2023, 4, 19, tzinfo=timezone.utc)),
    (datetime(2023, 10, 5, tzinfo=timezone.utc), datetime(2023, 10, 17, tzinfo=timezone.utc)),
)
TRIGGER_CF = 0.75


def _epoch_days(when: datetime) -> float:
    return when.timestamp() / DAY_S


def true_index(t_days: np.ndarray) -> np.ndarray:
    """True fouling index 1/CF − 1 at times [days since the epoch]."""
    age0, cf0, tau, r_inf = FIRST_CYCLE
    y = (1 / cf0 - 1) + r_inf * -np.expm1(-(t_days - _epoch_days(START) + age0) / tau)
    for day, hour, cf, tau, r_inf in CLEANINGS:
        c = _epoch_days(datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc))
        after = t_days >= c
        y = np.where(after, (1 / cf - 1) + r_inf * -np.expm1(-np.maximum(t_days - c, 0.0) / tau), y)
    return y


def true_days_to_trigger() -> float:
    """Days from END until the current cycle's CF reaches the trigger (closed form)."""
    day, hour, cf, tau, r_inf = CLEANINGS[-1]
    c = _epoch_days(datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc))
    need = (1 / TRIGGER_CF - 1) - (1 / cf - 1)
    return c + (-tau * math.log(1 - need / r_inf)) - _epoch_days(END)


@dataclass
class Synthetic:
    timestamps: list[str]
    t_days: np.ndarray  #: [days since the epoch]
    t_in: np.ndarray  #: [K]
    t_out: np.ndarray
    flow: np.ndarray  #: [m³/s]
    pressure: np.ndarray  #: [Pa]
    cf_true: np.ndarray
    u_clean: np.ndarray  #: [W/(m²·K)]
    running: np.ndarray

    def arrays(self, system: str) -> dict:
        """Tool arguments (timestamps and the four measurement arrays) in a unit system."""

        def conv(kind, a):
            return [round(from_si(kind, float(v), system), 6) for v in a]

        return {
            "timestamps": self.timestamps,
            "cw_inlet_temp": conv("temperature", self.t_in),
            "cw_outlet_temp": conv("temperature", self.t_out),
            "cw_flow": conv("volumetric_flow", self.flow),
            "condenser_pressure": conv("pressure", self.pressure),
        }

    def daily_cleanliness(self, noise: float = 0.004, seed: int = 3) -> list[tuple[str, float, float]]:
        """(date, CF, R_f [m²·K/W]) per running day: what a daily CF test would record."""
        rng = np.random.default_rng(seed)
        days = np.floor(self.t_days).astype(np.int64)
        out = []
        for d in np.unique(days[self.running]):
            sel = (days == d) & self.running
            cf = float(np.mean(self.cf_true[sel])) + noise * float(rng.standard_normal())
            u = float(np.mean(self.u_clean[sel]))
            out.append((str(np.datetime64(int(d), "D")), cf, (1 / cf - 1) / u))
        return out


def design() -> hist.HistoryDesign:
    bundle = tube_bundle(0.0254, 18, 28000, 300, 2, 38.0 * 0.3048)
    return hist.HistoryDesign(bundle=bundle)


def generate(seed: int = 7, end: datetime = END) -> Synthetic:
    rng = np.random.default_rng(seed)
    hours = int((end - START).total_seconds() // 3600)
    t = _epoch_days(START) + np.arange(hours) / 24.0
    doy = (t - _epoch_days(datetime(2022, 1, 1, tzinfo=timezone.utc))) % 365.25
    hour = (t * 24.0) % 24.0
    ar = np.zeros(hours)
    eps = rng.standard_normal(hours) * 0.08
    for i in range(1, hours):
        ar[i] = 0.97 * ar[i - 1] + eps[i]
    t_in = (
        273.15
        + 17.0
        + 9.0 * np.sin(2 * np.pi * (doy - 115.0) / 365.25)
        + 0.8 * np.sin(2 * np.pi * (hour - 9.0) / 24.0)
        + ar
    )
    weekday = np.floor(t + 4).astype(np.int64) % 7  # 1970-01-01 was a Thursday: 0 = Monday
    load = 0.85 + 0.13 * np.sin(2 * np.pi * (hour - 8.0) / 24.0)
    load = np.where(weekday >= 5, load * 0.8, load)
    low_days = rng.random(int(t[-1] - t[0]) + 2) < 0.05
    load = np.where(low_days[(t - t[0]).astype(np.int64)], 0.55, load) + 0.02 * rng.standard_normal(hours)
    summer = (doy > 160) & (doy < 260)
    flow = np.where(summer, 19.0, 15.0)
    running = np.ones(hours, dtype=bool)
    for a, b in OUTAGES:
        running &= ~((t >= _epoch_days(a)) & (t < _epoch_days(b)))
    tr = 9.0 * load * 15.0 / flow
    cf = 1.0 / (1.0 + true_index(t))
    d = design()
    t_out = t_in + tr
    pressure = v97.psat_t(t_out + 3.0)
    for _ in range(4):  # U_clean (derived Fw) depends weakly on the saturation state
        rows = hist.analyse_rows(t_in, t_out, flow, pressure, d)
        u_clean, duty = rows.column("u_clean"), rows.column("heat_duty")
        ntu = cf * u_clean * d.area * tr / duty
        pressure = v97.psat_t(t_out + tr / np.expm1(ntu))
    meas_in = t_in + 0.05 * rng.standard_normal(hours)
    meas_out = t_out + 0.1 * rng.standard_normal(hours)
    meas_flow = flow * (1.0 + 0.015 * rng.standard_normal(hours))
    meas_p = pressure * (1.0 + 0.004 * rng.standard_normal(hours))
    meas_flow = np.where(running, meas_flow, 0.0)
    meas_out = np.where(running, meas_out, meas_in)
    stamps = [
        s.replace(".000", "")
        for s in np.datetime_as_string((t * DAY_S * 1000).round().astype(np.int64).astype("datetime64[ms]"), unit="s")
    ]
    return Synthetic([s + "Z" for s in stamps], t, meas_in, meas_out, meas_flow, meas_p, cf, u_clean, running)
