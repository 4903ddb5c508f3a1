"""Seed 003 Fig. 2c: nonlinear Hall σ_xyy of the toy model (Eq. 20) vs ε_F for t/v = 0, 0.5, 0.9.

The seed's Fig. 2c plots the quantum-metric nonlinear Hall conductivity "σ^qm_xy" of the
PT-symmetric toy model H = v τ_x(k_x σ_x + k_y σ_y) + (m − b k²) τ_z + t k_x τ_z
(v = 1 eV nm, m = 0.1 eV, b = 1 eV nm², Fig. 2 caption) against the Fermi energy for
t/v = 0, 0.5, 0.9. qgsym reads σ^qm_xy as σ_xyy (J_x = σ_xyy E_y², the model keeps the mirror
M_y, which forbids σ_yxx; see :mod:`qgsym.claims.toy_model`) and plots it for all three
Table-1 formulas (WPD, LKA, QK), not only the one the paper used: the point of the figure is
that the formulas differ.

Two independent evaluations (full mode):

* ``closed``: :func:`qgsym.claims.toy_model.toy_model_scan` — Clifford closed-form geometry
  with exact symbolic k-derivatives, 400² grid over |k_i| <= 2 nm⁻¹;
* ``numeric``: :func:`qgsym.responses.nonlinear.sigma2_values` with the sum-over-states path (eigh and
  fourth-order finite differences) on a 200² grid, and on a 100² grid for the grid error.

The temperature (k_B T = 5 meV) is qgsym's choice: the paper does not state one.

Run alone: ``python -m qgsym.derivations.toy_model [--out DIR] [--fast]`` (default
``reports/toy_model``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from qgsym.claims.toy_model import FERMI_LEVELS, FORMULAS, T_OVER_V, TEMPERATURE, toy_model_scan
from qgsym.model.loader import load_model
from qgsym.report.figures import plt, save_svg  # plt with the Agg backend selected
from qgsym.responses.nonlinear import sigma2_values

#: Grids (points per axis): closed-form scan, numeric scan, numeric coarse scan.
GRIDS = {False: {"closed": 400, "numeric": 200, "coarse": 100},
         True: {"closed": None, "numeric": 40, "coarse": 20}}
UNIT = "e³/ħ · nm/eV"  # [dk] nm⁻² × ∂_k nm × 𝒢 nm²/eV, with e = ħ = 1 in the numbers
COMPONENT = (0, 1, 1)  # σ_xyy


def numeric_scan(grid: int) -> dict:
    """σ_xyy of wpd, lka, qk vs ε_F by the sum-over-states path (independent of the claim's)."""
    base = load_model("qiang_toy")
    curves = {}
    for ratio in T_OVER_V:
        model = base.with_parameters({"t": ratio * base.parameters["v"]})
        values, _ = sigma2_values(model, grid, FERMI_LEVELS, TEMPERATURE, FORMULAS, "sea",
                                  "numeric")
        curves[str(ratio)] = {key: values[key][(slice(None), *COMPONENT)].tolist()
                              for key in FORMULAS}
    return {"grid": grid, "path": "numeric", "curves": curves}


def _max_difference(a: dict, b: dict) -> dict:
    return {r: {k: float(np.max(np.abs(np.subtract(a[r][k], b[r][k])))) for k in FORMULAS}
            for r in a}


def _plot_fig2c(reference: dict, check: dict | None, out_dir: Path) -> str:
    levels = np.asarray(FERMI_LEVELS)
    figure, axes = plt.subplots(1, 3, figsize=(10.5, 3.4), sharey=True,
                               layout="constrained")
    for axis, key in zip(axes, FORMULAS, strict=True):
        for number, ratio in enumerate(reference["curves"]):
            axis.plot(levels, reference["curves"][ratio][key], color=f"C{number}",
                      linewidth=1.4, label=f"t/v = {float(ratio):g}")
            if check is not None:
                axis.plot(levels, check["curves"][ratio][key], "o", color=f"C{number}",
                          markersize=2.5, markerfacecolor="none", markeredgewidth=0.7)
        axis.axhline(0.0, color="0.7", linewidth=0.6)
        axis.set_title(key.upper())
        axis.set_xlabel(r"$\varepsilon_F$ (eV)")
    axes[0].set_ylabel(rf"$\sigma_{{xyy}}$ ({UNIT})")
    axes[0].legend(frameon=False, fontsize=8)
    note = (f"lines: {reference['path']} path, {reference['grid']}² grid"
            + (f"; circles: {check['path']} path, {check['grid']}² grid" if check else ""))
    figure.suptitle(rf"seed 003 Fig. 2c: toy model (Eq. 20), $k_BT$ = {TEMPERATURE * 1000:g} "
                    f"meV; {note}", fontsize=8)
    save_svg(figure, out_dir / "fig2c.svg")
    return "fig2c.svg"


def _plot_formulas(reference: dict, out_dir: Path) -> str:
    levels = np.asarray(FERMI_LEVELS)
    figure, axes = plt.subplots(1, 3, figsize=(10.5, 3.2), sharey=True,
                               layout="constrained")
    for axis, ratio in zip(axes, reference["curves"], strict=True):
        for number, key in enumerate(FORMULAS):
            axis.plot(levels, reference["curves"][ratio][key], ["-", "--", "-."][number],
                      color=f"C{number + 3}", label=key.upper(), linewidth=1.4)
        axis.axhline(0.0, color="0.7", linewidth=0.6)
        axis.set_title(f"t/v = {float(ratio):g}")
        axis.set_xlabel(r"$\varepsilon_F$ (eV)")
    axes[0].set_ylabel(rf"$\sigma_{{xyy}}$ ({UNIT})")
    axes[0].legend(frameon=False, fontsize=8)
    figure.suptitle("the three Table-1 formulas on the same model", fontsize=9)
    save_svg(figure, out_dir / "formulas_compared.svg")
    return "formulas_compared.svg"


def _summary(reference, check, coarse, fast: bool) -> str:
    levels = np.asarray(FERMI_LEVELS)
    lines = [
        "Seed 003 Fig. 2c reproduced for all three Table-1 formulas: σ_xyy of the toy model "
        f"(Eq. 20) vs ε_F ∈ [{levels[0]:g}, {levels[-1]:g}] eV at k_B T = "
        f"{TEMPERATURE * 1000:g} meV (qgsym's choice; the paper gives none), "
        f"in {UNIT}.",
        "",
        "| t/v | formula | max \\|σ_xyy\\| | at ε_F (eV) | grid error | method difference |",
        "|---|---|---|---|---|---|",
    ]
    grid_error = _max_difference(check["curves"], coarse["curves"]) if coarse else None
    method = _max_difference(reference["curves"], check["curves"]) if check is not reference \
        else None
    for ratio, curves in reference["curves"].items():
        for key in FORMULAS:
            values = np.abs(curves[key])
            where = float(levels[int(np.argmax(values))])
            grid_text = f"{grid_error[ratio][key]:.2g}" if grid_error else "not estimated"
            method_text = (f"{method[ratio][key]:.2g}" if method else
                           "not computed (fast mode: one path only)")
            lines.append(f"| {float(ratio):g} | {key} | {values.max():.4g} | {where:g} | "
                         f"{grid_text} | {method_text} |")
    lines += [
        "",
        f"Reference curves: {reference['path']} path on a {reference['grid']}² grid. "
        f"Grid error: |numeric {check['grid']}² − numeric {coarse['grid']}²|. "
        + ("Method difference: |closed − numeric| (different paths and grids)." if method
           else ""),
        "",
        "Reading: the paper's σ^qm_xy is σ_xyy (J_x = σ_xyy E_y²). At t = 0 the model is "
        "also T-symmetric (P and T hold separately), and T forbids every τ⁰ formula, so every "
        "curve vanishes there up to round-off; the claim that it grows with t is decided in claim C6c.",
    ]
    if fast:
        lines += ["", "**Fast mode** (tests): coarse numeric grids only, not converged."]
    return "\n".join(lines)


def run(out_dir: Path, fast: bool = False) -> dict:
    """Write Fig. 2c (SVG) and its data (JSON) into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    grids = GRIDS[fast]
    check = numeric_scan(grids["numeric"])
    coarse = numeric_scan(grids["coarse"])
    if grids["closed"] is None:
        reference = check
    else:
        scan = toy_model_scan(grids["closed"], TEMPERATURE)
        reference = {"grid": scan["grid"], "path": scan["path"], "curves": scan["curves"]}
    figures = [_plot_fig2c(reference, None if reference is check else check, out_dir),
               _plot_formulas(reference, out_dir)]
    data = {
        "figure": "seed 003 Fig. 2c",
        "model": "qiang_toy",
        "parameters": dict(load_model("qiang_toy").parameters),
        "t_over_v": list(T_OVER_V),
        "component": "xyy",
        "fermi_levels_eV": list(FERMI_LEVELS),
        "temperature_eV": TEMPERATURE,
        "units": f"sigma_xyy in {UNIT} (natural units e = hbar = 1; eV, nm)",
        "reference": reference,
        "numeric_check": check,
        "numeric_coarse": coarse,
        "grid_error": _max_difference(check["curves"], coarse["curves"]),
        "method_difference": (None if reference is check
                              else _max_difference(reference["curves"], check["curves"])),
        "fast_mode": fast,
    }
    if data["method_difference"] is None:
        data["method_difference"] = "not computed in fast mode (one evaluation path only)"
    (out_dir / "fig2c.json").write_text(json.dumps(data, sort_keys=True, indent=1) + "\n",
                                        encoding="utf-8")
    return {
        "title": "Seed 003 Fig. 2c: σ_xyy of the toy model vs ε_F (WPD, LKA, QK)",
        "figures": figures,
        "data": ["fig2c.json"],
        "summary": _summary(reference, check, coarse, fast),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports/toy_model")
    parser.add_argument("--fast", action="store_true", help="coarse numeric grids only (tests)")
    args = parser.parse_args(argv)
    print(run(Path(args.out), fast=args.fast)["summary"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
