"""σ^qm of WPD, LKA and QK vs μ in SI for the PT-symmetric antiferromagnet CuMnAs (catalogue ``cumnas``).

Seed 003 names PT-symmetric antiferromagnets (CuMnAs, Mn₂Au, even-layer MnBi₂Te₄) as the
materials where the intrinsic (τ⁰) quantum-metric nonlinear conductivity is seen. This
derivation evaluates the three Table-1 formulas (registry keys ``wpd``, ``lka``, ``qk``) on
the catalogue model ``cumnas``: the 2D CuMnAs minimal model of Šmejkal, Železný, Sinova &
Jungwirth, PRL 118, 106402 (2017), with the tetragonal lattice constant a = 0.382 nm (cited)
and the energy scale t = 1 eV (**assumed**: no source read gives t in eV; at fixed ratios every
value below scales as a/t, and μ as t). Néel vector along [110], which gaps the model's Dirac
points (see the TOML).

One pass per grid: :func:`qgsym.responses.fermi_scan.fermi_scan` gives the Fermi-sea and
Fermi-surface integrals for every μ at once, :func:`qgsym.responses.nonlinear.evaluate_formulas`
turns them into the formulas, :func:`qgsym.formulas.units.si_values` converts them to SI
(A·m/V² for a 2D σ_ijk). Convergence, stated: the same scan on the N/2 grid (grid error), the
Fermi-surface form against the Fermi-sea form on the N grid (quadrature error), and the
binning bound of the scan. Components: σ_xxx (longitudinal, = −σ_yyy by the mirror M_110)
and σ_yxx (transverse, J_y = σ_yxx E_x², = −σ_xyy); the mirror relations are checked too.

k_B T = 25.85 meV (300 K), qgsym's choice.

Run alone: ``python -m qgsym.derivations.ptafm_quantum_metric [--out DIR] [--fast]`` (default
``reports/ptafm_quantum_metric``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import scipy.constants as constants

from qgsym.bands.kspace import make_grid
from qgsym.formulas.units import si_values
from qgsym.model.loader import load_model
from qgsym.report.figures import plt, save_svg
from qgsym.responses.fermi_scan import fermi_scan
from qgsym.responses.nonlinear import evaluate_formulas

MODEL = "cumnas"
FORMULAS = ("wpd", "lka", "qk")
#: k_B T at 300 K in eV.
TEMPERATURE = round(constants.k * 300.0 / constants.electron_volt, 6)
#: Points per axis of the grid N (the check grid is N/2), and the number of μ.
SETTINGS = {False: {"grid": 200, "mus": 221}, True: {"grid": 40, "mus": 23}}
#: μ window (eV): the band energies run from -2.34 to 2.10 eV.
MU_RANGE = (-2.3, 2.1)
#: Components shown: name -> index (a, b, c) of σ_abc.
COMPONENTS = {"xxx": (0, 0, 0), "yxx": (1, 0, 0)}
#: Mirror M_110 partners: σ_yyy = -σ_xxx, σ_xyy = -σ_yxx.
MIRROR_PARTNERS = {"xxx": (1, 1, 1), "yxx": (0, 1, 1)}
#: μ of the table in the summary (eV).
TABLE_MUS = (-1.0, -0.45, -0.1, 0.14, 0.35, 0.6, 1.0)
#: Axis unit of the figure (fA·m/V² = 1e-15 A·m/V²).
FIGURE_SCALE = 1e-15


def _forms(model, grid: int, mus: np.ndarray) -> dict:
    """Sea and surface forms of the three formulas (natural units) from one scan."""
    scan = fermi_scan(model, grid, mus, TEMPERATURE, "numeric")
    sea = evaluate_formulas(FORMULAS, scan.sea, {x: -scan.sea[x] for x in scan.sea}, model.axes)
    surface = evaluate_formulas(FORMULAS, {x: -scan.surface[x] for x in scan.surface},
                                scan.surface, model.axes)
    bound = max(float(np.max(scan.error_bound[kind][x]))
                for kind in ("sea", "surface") for x in scan.error_bound[kind])
    return {"sea": sea, "surface": surface, "binning_bound": bound}


def _band_edges(model, grid: int) -> dict:
    energies = np.linalg.eigvalsh(model.hamiltonian.matrix(make_grid(model, grid).points))
    return {"bottom": float(energies.min()), "top": float(energies.max()),
            "gap": [float(energies[:, 1].max()), float(energies[:, 2].min())],
            "min_direct_gap": float(np.min(energies[:, 2] - energies[:, 1]))}


def _to_si(model, values: dict) -> tuple[dict, dict]:
    converted = si_values({"values": {k: v.tolist() for k, v in values.items()}}, model,
                          "sigma2")
    return ({k: np.asarray(v) for k, v in converted["values_si"].items()},
            converted["units_si"])


def _differences(a: dict, b: dict) -> dict:
    """max over μ and components of |a − b| per formula, absolute and relative to max|a|."""
    out = {}
    for key in FORMULAS:
        scale = float(np.max(np.abs(a[key])))
        change = float(np.max(np.abs(a[key] - b[key])))
        out[key] = {"max_abs_difference": change, "max_abs_sigma": scale,
                    "relative": change / scale if scale else 0.0}
    return out


def _mirror_residual(values: dict) -> float:
    worst = 0.0
    for key in FORMULAS:
        v = values[key]
        scale = float(np.max(np.abs(v)))
        for name, index in COMPONENTS.items():
            partner = MIRROR_PARTNERS[name]
            worst = max(worst, float(np.max(np.abs(v[(slice(None), *index)]
                                                   + v[(slice(None), *partner)]))) / scale)
    return worst


def _plot(mus, si, unit: str, edges: dict, grid: int, out_dir: Path) -> str:
    figure, axes = plt.subplots(1, 2, figsize=(9.0, 3.4), sharey=True, layout="constrained")
    for axis, (name, index) in zip(axes, COMPONENTS.items(), strict=True):
        for number, key in enumerate(FORMULAS):
            axis.plot(mus, si[key][(slice(None), *index)] / FIGURE_SCALE,
                      ["-", "--", "-."][number], color=f"C{number}", label=key.upper(),
                      linewidth=1.4)
        axis.axvspan(*edges["gap"], color="0.92", zorder=0)
        axis.axhline(0.0, color="0.6", linewidth=0.6)
        axis.set_title(rf"$\sigma_{{{name}}}$" + (" (= $-\\sigma_{yyy}$)" if name == "xxx"
                                                  else " (= $-\\sigma_{xyy}$)"))
        axis.set_xlabel(r"$\mu$ (eV)")
    axes[0].set_ylabel(rf"$\sigma^{{qm}}$ (fA m/V$^2$ = $10^{{-15}}$ {unit})")
    axes[0].legend(frameon=False, fontsize=8)
    figure.suptitle(f"CuMnAs 2D model (catalogue 'cumnas', Šmejkal et al. 2017; a = 0.382 nm, "
                    f"t = 1 eV assumed), n ∥ [110], $k_BT$ = {TEMPERATURE * 1e3:.2f} meV, "
                    f"{grid}² grid; grey: band gap", fontsize=8)
    save_svg(figure, out_dir / "sigma_qm_si.svg")
    return "sigma_qm_si.svg"


def _table(mus, si, unit: str) -> list[str]:
    lines = [f"| μ (eV) | formula | σ_xxx ({unit}) | σ_yxx ({unit}) |", "|---|---|---|---|"]
    for target in TABLE_MUS:
        u = int(np.argmin(np.abs(mus - target)))
        for key in FORMULAS:
            xxx = si[key][(u, *COMPONENTS["xxx"])]
            yxx = si[key][(u, *COMPONENTS["yxx"])]
            lines.append(f"| {mus[u]:.2f} | {key} | {xxx:.3e} | {yxx:.3e} |")
    return lines


def _summary(data: dict, si, mus, unit: str, fast: bool) -> str:
    grid, coarse = data["grid"], data["check_grid"]
    peak = {k: float(np.max(np.abs(si[k]))) for k in FORMULAS}
    lines = [
        "σ^qm (τ⁰, intrinsic) of the three Table-1 formulas on the PT-symmetric antiferromagnet "
        "CuMnAs (catalogue `cumnas`: 2D minimal model of Šmejkal et al., PRL 118, 106402 (2017); "
        "a = 0.382 nm cited, **t = 1 eV assumed**, values scale as a/t), Néel vector ∥ [110], "
        f"k_B T = {TEMPERATURE * 1e3:.2f} meV, {len(mus)} μ from {mus[0]:g} to {mus[-1]:g} eV "
        f"in one pass per grid, SI units ({unit}).",
        "",
        *_table(mus, si, unit),
        "",
        "Largest |σ| over μ and components: " + ", ".join(
            f"{k} {peak[k]:.3e} {unit}" for k in FORMULAS) + ".",
        "",
        f"Convergence: grid {grid}² vs {coarse}² (Fermi-sea form): max|Δσ|/max|σ| = "
        + ", ".join(f"{k} {data['grid_error'][k]['relative']:.1e}" for k in FORMULAS)
        + f"; Fermi-surface vs Fermi-sea form on {grid}²: "
        + ", ".join(f"{k} {data['form_difference'][k]['relative']:.1e}" for k in FORMULAS)
        + f"; binning bound of the scan {data['binning_bound']:.1e} (natural units, per unit "
        f"window weight). Mirror M_110 (σ_yyy = −σ_xxx, σ_xyy = −σ_yxx) holds to "
        f"{data['mirror_residual']:.1e} relative.",
        "",
        f"Band gap (bands 2–3) from {data['band_edges']['gap'][0]:.3f} to "
        f"{data['band_edges']['gap'][1]:.3f} eV (smallest direct gap "
        f"{data['band_edges']['min_direct_gap']:.3f} eV on the {grid}² grid). Inside the gap "
        "(μ = 0.14 eV) all three are about 1% of their peak or less: filled bands give zero "
        "(the Fermi-sea integrand is a k-derivative of a periodic function), the rest is the "
        "thermal tail of the band edges (e^(−0.13 eV/k_BT) ≈ 7e-3). The three "
        "formulas differ in size and, in places, in sign on the same model: which one a "
        "measurement tests matters. As a sheet of one Mn bilayer per c = 0.6318 nm, "
        f"σ_3D ≈ σ_2D/c: the largest |σ| here ({max(peak.values()):.2e} {unit}) would be "
        f"{max(peak.values()) / 0.6318e-9 * 1e3:.2g} mA/V² (Wang, Gao & Xiao, PRL 127, 277201 "
        "(2021), abstract: 'of the order of mA/V²' from DFT for 3D CuMnAs) — an order-of-"
        "magnitude comparison only, with t assumed.",
    ]
    if fast:
        lines += ["", "**Fast mode** (tests): coarse grids, not converged."]
    return "\n".join(lines)


def run(out_dir: Path, fast: bool = False) -> dict:
    """Write the σ^qm(μ) figure (SVG) and its data with SI units (JSON) into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = SETTINGS[fast]
    model = load_model(MODEL)
    mus = np.round(np.linspace(*MU_RANGE, settings["mus"]), 10)
    grid = settings["grid"]
    fine = _forms(model, grid, mus)
    coarse = _forms(model, grid // 2, mus)
    si, units_si = _to_si(model, fine["sea"])
    unit = units_si[FORMULAS[0]]
    edges = _band_edges(model, grid)
    data = {
        "model": MODEL,
        "parameters": dict(model.parameters),
        "source": model.source,
        "units_model": dict(model.units),
        "temperature_eV": TEMPERATURE,
        "mu_eV": mus.tolist(),
        "grid": grid,
        "check_grid": grid // 2,
        "form": "Fermi-sea form (as published); Fermi-surface form as a check",
        "units_si": units_si,
        "sigma_si": {k: {name: si[k][(slice(None), *index)].tolist()
                         for name, index in COMPONENTS.items()} for k in FORMULAS},
        "sigma_si_all_components": {k: si[k].tolist() for k in FORMULAS},
        "sigma_natural_units": "e^3/hbar * nm/eV (e = hbar = 1; model energies eV, lengths nm)",
        "grid_error": _differences(fine["sea"], coarse["sea"]),
        "form_difference": _differences(fine["sea"], fine["surface"]),
        "binning_bound": max(fine["binning_bound"], coarse["binning_bound"]),
        "mirror_residual": _mirror_residual(fine["sea"]),
        "band_edges": edges,
        "fast_mode": fast,
    }
    figures = [_plot(mus, si, unit, edges, grid, out_dir)]
    (out_dir / "sigma_qm_si.json").write_text(json.dumps(data, sort_keys=True, indent=1) + "\n",
                                              encoding="utf-8")
    return {
        "title": "PT-symmetric antiferromagnet CuMnAs: σ^qm of WPD, LKA, QK vs μ in SI",
        "figures": figures,
        "data": ["sigma_qm_si.json"],
        "summary": _summary(data, si, mus, unit, fast),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports/ptafm_quantum_metric")
    parser.add_argument("--fast", action="store_true", help="coarse grids only (tests)")
    args = parser.parse_args(argv)
    print(run(Path(args.out), fast=args.fast)["summary"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
