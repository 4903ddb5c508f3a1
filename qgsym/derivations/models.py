"""Catalogue models: bands, Berry curvature and quantum metric, σ^(2) of every formula, Table 1.

For every model of the catalogue (``qgsym models list``) this derivation writes

* the band structure along a path (lattice: Γ → b₁/2 → (b₁+b₂)/2 → Γ in fractional
  coordinates of the reciprocal vectors; continuum: (−K/2, 0) → Γ → (K/2, 0) | Γ → (0, K/2)
  with K the cutoff);
* maps of the Berry curvature Ω^{xy} and of the trace of the quantum metric Tr g of the
  lowest band multiplet (sums over a degenerate multiplet: the gauge-invariant quantities);
* σ_ijk(μ) of every σ^(2) formula of the registry on one figure (intrinsic τ⁰ formulas and
  the τ-dependent Drude / Berry-curvature-dipole formulas in two panels), evaluated by the
  sum-over-states path of :mod:`qgsym.responses.nonlinear` (see :func:`sigma2_forms` for which
  form: Fermi sea on lattices, Fermi surface without the cutoff's boundary term on
  continuum models);
* the seed-003 Table-1 comparison at one chemical potential: every formula × every
  independent component (σ_ijk = σ_ikj), with the components that the model's symmetries
  force to vanish (Neumann's principle, :func:`qgsym.symmetry.selection_rules` with each
  formula's T-parity) marked, and a check that the computed values obey those rules
  (:func:`qgsym.symmetry.compare_with_rules`).

Two numbers for every Table-1 value: the primary form on an n² grid compared with the n/2
grid (grid error; n is refined until the μ scan changes by less than 2%), and the other form
(sea vs surface) on the n² grid. Only declared symmetries that hold at
the model's parameters (checked numerically, :func:`qgsym.symmetry.check_model_symmetries`)
are used for the selection rules. 1D models get the band structure only (σ^(2) maps and
Table 1 need two momenta).

Run alone: ``python -m qgsym.derivations.models [--out DIR]`` (default ``reports/models``).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from qgsym.bands.geometry import band_energies, band_geometry, multiplet_sum
from qgsym.bands.kspace import energy_scale
from qgsym.errors import QgsymError
from qgsym.formulas import sigma2_formulas
from qgsym.model.loader import catalogue_names, load_model
from qgsym.report.figures import plt, save_svg  # plt with the Agg backend selected
from qgsym.responses.nonlinear import boundary_integrals, evaluate_formulas, geometry_integrals
from qgsym.symmetry import check_model_symmetries, compare_with_rules, selection_rules

#: Seed-003 Table 1 rows first, then the other σ^(2) entries.
TABLE1_FORMULAS = ("wpd", "lka", "qk")
#: Grid settings: full report / fast (test) mode. n = k points per axis.
#: The σ^(2) grid is refined (n -> 2n, starting at ``sigma_grids[0]``) until the relative
#: change |σ(n) - σ(n/2)| / max|σ| drops below ``target`` or the largest grid is reached.
SETTINGS = {
    False: {"sigma_grids": (60, 120, 240), "target": 0.02, "mus": 41, "map_grid": 60,
            "path_points": 241},
    True: {"sigma_grids": (24,), "target": 0.02, "mus": 9, "map_grid": 16, "path_points": 41},
}
#: Models of the fast mode (a small, quick subset used by the tests).
FAST_MODELS = ("tilted_dirac",)
#: A value with |σ| below this fraction of the largest σ of the model counts as round-off.
ROUND_OFF = 1e-10
#: |σ| below this (natural units; the catalogue's responses are 1e-3 ... 1e2) is zero.
ABSOLUTE_FLOOR = 1e-10


def _symmetric_components(axes: str) -> list[str]:
    """Independent components of σ_ijk = σ_ikj: j <= k (xxx, xxy, xyy, yxx, ...)."""
    return [i + j + k for i in axes for j in axes for k in axes if axes.index(j) <= axes.index(k)]


def _all_components(axes: str) -> list[str]:
    return [i + j + k for i in axes for j in axes for k in axes]


def _path(model, points: int):
    """k points along the plotting path, their distance and the tick labels."""
    if model.lattice:
        b = np.asarray(model.reciprocal, dtype=float)
        if model.dimension == 1:
            corners = [(-0.5,), (0.0,), (0.5,)]
            labels = ["−b/2", "Γ", "b/2"]
        else:
            corners = [(0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.0)]
            labels = ["Γ", "b₁/2", "(b₁+b₂)/2", "Γ"]
        segments = [(np.asarray(corners[i]) @ b, np.asarray(corners[i + 1]) @ b)
                    for i in range(len(corners) - 1)]
    else:
        half = model.cutoff / 2
        if model.dimension == 1:
            segments = [(np.array([-half]), np.array([0.0])), (np.array([0.0]), np.array([half]))]
            labels = ["−K/2", "Γ", "K/2"]
        else:
            segments = [(np.array([-half, 0.0]), np.array([0.0, 0.0])),
                        (np.array([0.0, 0.0]), np.array([half, 0.0])),
                        (np.array([0.0, 0.0]), np.array([0.0, half]))]
            labels = ["(−K/2, 0)", "Γ", "(K/2, 0) | Γ", "(0, K/2)"]
    per_segment = max(2, points // len(segments))
    ks, distance, ticks = [], [], [0.0]
    start = 0.0
    for a, b_end in segments:
        t = np.linspace(0.0, 1.0, per_segment)
        ks.append(a[None, :] + t[:, None] * (b_end - a)[None, :])
        length = float(np.linalg.norm(b_end - a))
        distance.append(start + t * length)
        start += length
        ticks.append(start)
    return np.vstack(ks), np.concatenate(distance), ticks, labels


def _plot_bands(model, k_distance, energies, ticks, labels, out_dir: Path, name: str) -> str:
    figure, axis = plt.subplots(figsize=(4.2, 3.2))
    for band in range(energies.shape[1]):
        axis.plot(k_distance, energies[:, band], color="C0", linewidth=1.2)
    for tick in ticks:
        axis.axvline(tick, color="0.8", linewidth=0.6)
    axis.set_xticks(ticks, labels)
    axis.set_xlim(ticks[0], ticks[-1])
    axis.set_ylabel(f"energy ({model.units.get('energy', 'arb.')})")
    axis.set_title(f"{model.name}: bands ({model.n_bands} bands)")
    relative = f"{name}_bands.svg"
    save_svg(figure, out_dir / relative)
    return relative


def _geometry_maps(model, grid: int):
    """Ω^{xy} and Tr g of multiplet 0 on a grid; lattice maps use fractional coordinates."""
    fractions = (np.arange(grid) + 0.5) / grid
    f1, f2 = np.meshgrid(fractions, fractions, indexing="ij")
    flat = np.stack([f1.ravel(), f2.ravel()], axis=-1)
    if model.lattice:
        points = flat @ np.asarray(model.reciprocal, dtype=float)
        extent = [0.0, 1.0, 0.0, 1.0]
        axis_labels = ("fractional coordinate along b₁", "fractional coordinate along b₂")
        region = "the whole Brillouin zone (fractional coordinates of b₁, b₂)"
    else:
        half = model.cutoff / 3
        points = half * (2 * flat - 1)
        extent = [-half, half, -half, half]
        unit = model.units.get("length", "arb.")
        axis_labels = (f"kx (1/{unit})", f"ky (1/{unit})")
        region = f"|k_x|, |k_y| <= K/3 = {half:g} (K the cutoff)"
    geometry = band_geometry(model.hamiltonian, points, model.multiplets, energy_scale(model))
    curvature = multiplet_sum(geometry.berry_curvature[0, 1], model.multiplets)[:, 0]
    metric = multiplet_sum(geometry.quantum_metric[0, 0] + geometry.quantum_metric[1, 1],
                           model.multiplets)[:, 0]
    return (curvature.reshape(grid, grid), metric.reshape(grid, grid), extent, axis_labels,
            region, geometry.energies)


def _plot_maps(model, curvature, metric, extent, axis_labels, out_dir: Path, name: str) -> str:
    multiplet = model.multiplets[0]
    band = str(multiplet[0]) if len(multiplet) == 1 else f"{multiplet[0]}–{multiplet[-1]}"
    figure, axes = plt.subplots(1, 2, figsize=(8.6, 3.4), layout="constrained")
    unit = model.units.get("length", "arb.")
    for axis, values, title, cmap in (
        (axes[0], curvature, rf"Berry curvature $\Omega^{{xy}}$, band {band}", "RdBu_r"),
        (axes[1], metric, rf"quantum metric $\mathrm{{Tr}}\,g$, band {band}", "viridis"),
    ):
        if cmap == "RdBu_r":
            limit = float(np.max(np.abs(values))) or 1.0
            image = axis.imshow(values.T, origin="lower", extent=extent, cmap=cmap,
                                vmin=-limit, vmax=limit, aspect="auto")
        else:
            image = axis.imshow(values.T, origin="lower", extent=extent, cmap=cmap,
                                aspect="auto")
        axis.set_title(title)
        axis.set_xlabel(axis_labels[0])
        axis.set_ylabel(axis_labels[1])
        bar = figure.colorbar(image, ax=axis)
        bar.set_label(f"{unit}²")
    figure.suptitle(f"{model.name}: band geometry of the lowest multiplet")
    relative = f"{name}_geometry.svg"
    save_svg(figure, out_dir / relative)
    return relative


def _chemical_potentials(model, energies: np.ndarray, count: int):
    """μ window: the band energies on the map grid (all bands), 2% inside each edge.

    k_B T = window / 50: smooth enough for the n² grids of :data:`SETTINGS` (a presentation
    choice, stated on every figure).
    """
    low, high = float(np.min(energies)), float(np.max(energies))
    margin = 0.02 * (high - low)
    mus = np.linspace(low + margin, high - margin, count)
    temperature = (high - low) / 50
    return np.round(mus, 10), float(f"{temperature:.3g}")


def sigma2_forms(model, n: int, mus, temperature: float, keys):
    """σ^(2) of every formula in its two forms from one pass over the grid.

    Returns ``(primary, check, labels)``, each form a dict key -> ndarray (U, d, d, d):

    * lattice models: primary = the Fermi-sea form as published, check = the Fermi-surface
      form (integration by parts over the periodic BZ: equal up to discretization error);
    * continuum models: primary = the Fermi-surface form *without* the boundary term of the
      cutoff square, check = the Fermi-sea form over the square. A filled band contributes
      a boundary term ∮ f₀ X n dS on the square that vanishes only as the cutoff K → ∞ and
      breaks every rotation the square lacks (C₃, C₆); the surface form is its K → ∞ limit
      when the Fermi surface lies inside the square. Their difference is that boundary
      term, reported as the cutoff artifact (not as a numerical error).
    """
    sea, surface, _ = geometry_integrals(model, n, mus, temperature, "numeric")
    boundary = boundary_integrals(model, n, mus, temperature)
    sea_form = evaluate_formulas(keys, sea, {x: boundary[x] - sea[x] for x in sea}, model.axes)
    surface_form = evaluate_formulas(keys, {x: -surface[x] for x in surface}, surface,
                                     model.axes)
    if model.lattice:
        return sea_form, surface_form, ("Fermi-sea form (as published)",
                                        "Fermi-surface form (integration by parts)")
    return surface_form, sea_form, ("Fermi-surface form, cutoff K -> infinity (no boundary "
                                    "term)", "Fermi-sea form over the cutoff square")


def _converged_scan(model, mus, temperature, keys, settings):
    """Primary σ^(2)(μ) on grids n, 2n, ... until the relative change is below the target.

    Returns the finest values, n, the refinement history (each step: grid, max|σ|,
    max|σ(n) - σ(n_previous)|, their ratio) and the form labels.
    """
    history, previous = [], None
    for n in settings["sigma_grids"]:
        values, _, labels = sigma2_forms(model, n, mus, temperature, keys)
        scale = max(float(np.max(np.abs(v))) for v in values.values())
        if previous is None:
            previous_n = max(2, n // 2)
            previous = sigma2_forms(model, previous_n, mus, temperature, keys)[0]
        else:
            previous_n = history[-1]["grid"]
        change = max(float(np.max(np.abs(values[k] - previous[k]))) for k in keys)
        # Absolute floor: a response that vanishes identically (flat bands, symmetry) is
        # round-off (~1e-14 in these units) on every grid and needs no refinement.
        relative = change / max(scale, ABSOLUTE_FLOOR)
        history.append({"grid": n, "compared_with_grid": previous_n, "max_abs_sigma": scale,
                        "max_abs_change": change, "relative_change": relative})
        previous = values
        if relative <= settings["target"]:
            break
    return values, n, history, labels


def _dominant_component(values: dict, keys, components, axes) -> str:
    def size(component):
        index = tuple(axes.index(c) for c in component)
        return max(float(np.max(np.abs(values[k][(slice(None), *index)]))) for k in keys)

    return max(components, key=lambda c: (size(c), -components.index(c)))


def _plot_sigma2(model, mus, values, component, registry, out_dir: Path, name: str,
                 temperature: float) -> str:
    index = tuple(model.axes.index(c) for c in component)
    figure, axes = plt.subplots(1, 2, figsize=(9.0, 3.5), sharex=True, layout="constrained")
    styles = ["-", "--", "-.", ":"]
    intrinsic = [k for k in values if registry[k].tau_power == 0]
    extrinsic = [k for k in values if registry[k].tau_power != 0]
    for axis, keys, title in ((axes[0], intrinsic, r"intrinsic ($\tau^0$) formulas"),
                              (axes[1], extrinsic, r"coefficient of $\tau^p$ (Drude, BCD)")):
        for number, key in enumerate(keys):
            power = registry[key].tau_power
            label = key if power == 0 else rf"{key} ($\tau^{{{power}}}$)"
            axis.plot(mus, values[key][(slice(None), *index)], styles[number % 4],
                      color=f"C{number}", label=label, linewidth=1.3)
        axis.axhline(0.0, color="0.7", linewidth=0.6)
        axis.set_title(title)
        axis.set_xlabel(rf"$\mu$ ({model.units.get('energy', 'arb.')})")
        axis.legend(fontsize=7, frameon=False)
    axes[0].set_ylabel(rf"$\sigma_{{{component}}}$ (natural units)")
    figure.suptitle(rf"{model.name}: $\sigma_{{{component}}}$ vs $\mu$, $k_BT$ = {temperature:g} "
                    f"{model.units.get('energy', '')}")
    relative = f"{name}_sigma2.svg"
    save_svg(figure, out_dir / relative)
    return relative


def _symmetry_status(model) -> dict:
    checked = check_model_symmetries(model)
    return {name: result.to_json() for name, result in checked["symmetries"].items()}


def _table1(model, n: int, mu: float, temperature: float, keys, registry, holding) -> dict:
    """Every formula × component at one μ, with the grid and second-form checks and the rules."""
    axes = model.axes
    fine, other, labels = sigma2_forms(model, n, [mu], temperature, keys)
    coarse = sigma2_forms(model, max(2, n // 2), [mu], temperature, keys)[0]
    components = _all_components(axes)
    independent = _symmetric_components(axes)
    scale = max(float(np.max(np.abs(fine[k][0]))) for k in keys)
    grid_error = max(float(np.max(np.abs(fine[k][0] - coarse[k][0]))) for k in keys)
    form_difference = max(float(np.max(np.abs(fine[k][0] - other[k][0]))) for k in keys)
    # lattice: the two forms differ by discretization only -> part of the error estimate;
    # continuum: they differ by the cutoff boundary term -> reported, not an error.
    error = max(grid_error, form_difference) if model.lattice else grid_error
    safe_scale = max(scale, ABSOLUTE_FLOOR)
    tolerance = max(1e-9, 3 * error / safe_scale)
    operators = [op for op in model.symmetries if op.name in holding]
    rows = {}

    def pick(table, key):
        return {c: float(table[key][0][tuple(axes.index(x) for x in c)]) for c in independent}

    for key in keys:
        formula = registry[key]
        tensor = {c: float(fine[key][0][tuple(axes.index(x) for x in c)]) for c in components}
        rules = selection_rules(operators, 3, formula.t_parity, model.dimension)
        findings = compare_with_rules(tensor, rules, safe_scale, tolerance)
        rows[key] = {
            "tau_power": formula.tau_power,
            "t_parity": formula.t_parity,
            "values": pick(fine, key),
            "other_form": pick(other, key),
            "coarse_grid": pick(coarse, key),
            "forbidden": [c for c in independent if c in rules.forbidden],
            "relations": list(rules.relations),
            "violations": [f.to_json() for f in findings if f.severity == "violation"],
            "vanishing_allowed": [f.component for f in findings if f.kind == "allowed_vanishes"
                                  and f.component in independent],
        }
    return {
        "mu": mu,
        "temperature": temperature,
        "grid": [n] * model.dimension,
        "coarse_grid": [max(2, n // 2)] * model.dimension,
        "form": labels[0],
        "other_form": labels[1],
        "components": independent,
        "symmetries_used": [op.name for op in operators],
        "scale": scale,
        "grid_error": grid_error,
        "form_difference": form_difference,
        "form_difference_meaning": (
            "integration by parts on the periodic BZ: a discretization error" if model.lattice
            else "the boundary term of the filled bands on the cutoff square (an artifact of "
                 "the finite cutoff, not a numerical error; it breaks rotations the square "
                 "lacks)"),
        "error_estimate": error,
        "tolerance": tolerance,
        "tolerance_reason": "|sigma| <= tolerance * scale counts as zero; tolerance = max(1e-9, "
                            "3 x error estimate / scale); error estimate = |N - N/2| (and, for "
                            "lattice models, |sea - surface|) over formulas and components",
        "formulas": rows,
        "formula_order": list(keys),
        "path": "numeric (sum over states, fourth-order finite-difference k-derivatives)",
    }


def _model_data(model) -> dict:
    """The model's description: the head of its data record."""
    return {
        "model": model.name,
        "description": model.description,
        "source": model.source,
        "dimension": model.dimension,
        "lattice": bool(model.lattice),
        "bands": model.n_bands,
        "parameters": dict(model.parameters),
        "units": dict(model.units),
        "sigma_units": "natural units e = hbar = k_B = 1, energies and lengths in the model's "
                       "units; entries with tau_power p are the coefficient of tau^p",
        "multiplets": [list(m) for m in model.multiplets],
        "figures": {},
        "notes": [],
    }


def _table1_mu(mus, values: dict, intrinsic: list, largest: float) -> tuple[float, str]:
    """The μ of Table 1: where the intrinsic (τ⁰) responses of the scan are largest.

    ``values[k]`` has shape (len(mus), d, d, d); returns (μ, the sentence saying the choice).
    """
    scores = np.sum([np.max(np.abs(values[k].reshape(len(mus), -1)), axis=1)
                     for k in intrinsic], axis=0)
    if float(np.max(scores)) <= ROUND_OFF * max(largest, np.finfo(float).tiny) or not np.any(
            scores > 0):
        mu_index = len(mus) // 2
        choice = "the middle of the mu window (the intrinsic formulas vanish everywhere)"
    else:
        mu_index = int(np.argmax(scores))
        choice = "the mu of the scan where the intrinsic (tau^0) responses are largest"
    return float(mus[mu_index]), choice


def model_report(name: str, out_dir: Path, fast: bool) -> dict:
    """Figures and data of one catalogue model (never raises for a model-specific problem)."""
    settings = SETTINGS[fast]
    model = load_model(name)
    registry = sigma2_formulas()
    keys = [k for k in TABLE1_FORMULAS if k in registry] + [
        k for k in registry if k not in TABLE1_FORMULAS]
    data = _model_data(model)
    k_path, distance, ticks, labels = _path(model, settings["path_points"])
    energies = band_energies(model.hamiltonian, k_path)
    data["figures"]["bands"] = _plot_bands(model, distance, energies, ticks, labels, out_dir, name)
    data["band_path"] = {"labels": labels, "points": len(k_path)}
    if model.dimension != 2:
        data["status"] = "bands only"
        data["notes"].append(f"{model.dimension}D model: the curvature/metric maps, the "
                             "sigma^(2) scan and Table 1 need two momenta; only the bands "
                             "are shown.")
        return data
    symmetry_status = _symmetry_status(model)
    holding = [n for n, r in symmetry_status.items() if r["holds"]]
    data["symmetries"] = symmetry_status
    data["symmetries_holding"] = holding
    broken = [n for n, r in symmetry_status.items() if not r["holds"]]
    if broken:
        data["notes"].append(f"declared symmetries broken at these parameters (not used for "
                             f"selection rules): {', '.join(broken)}")
    try:
        curvature, metric, extent, axis_labels, region, map_energies = _geometry_maps(
            model, settings["map_grid"])
    except QgsymError as error:
        data["status"] = "failed"
        data["notes"].append(f"band geometry could not be computed: {error}")
        return data
    data["figures"]["geometry"] = _plot_maps(model, curvature, metric, extent, axis_labels,
                                             out_dir, name)
    data["maps"] = {"grid": [settings["map_grid"]] * 2, "region": region,
                    "berry_curvature_range": [float(curvature.min()), float(curvature.max())],
                    "trace_metric_range": [float(metric.min()), float(metric.max())]}
    mus, temperature = _chemical_potentials(model, map_energies, settings["mus"])
    try:
        values, n, refinement, labels = _converged_scan(model, mus, temperature, keys, settings)
    except QgsymError as error:
        data["status"] = "failed"
        data["notes"].append(f"sigma^(2) could not be computed: {error}")
        return data
    independent = _symmetric_components(model.axes)
    intrinsic = [k for k in keys if registry[k].tau_power == 0]
    component = _dominant_component(values, intrinsic, independent, model.axes)
    largest = max(float(np.max(np.abs(v))) for v in values.values())
    index = tuple(model.axes.index(c) for c in component)
    data["figures"]["sigma2"] = _plot_sigma2(model, mus, values, component, registry, out_dir,
                                             name, temperature)
    data["sigma2_scan"] = {
        "mu": mus.tolist(),
        "temperature": temperature,
        "grid": [n, n],
        "component": component,
        "component_choice": "the independent component with the largest |sigma| over the "
                            "intrinsic formulas and the mu window",
        "values": {k: values[k][(slice(None), *index)].tolist() for k in keys},
        "form": labels[0],
        "path": "numeric (sum over states)",
        "refinement": refinement,
        "relative_grid_change": refinement[-1]["relative_change"],
    }
    if refinement[-1]["relative_change"] > settings["target"]:
        data["notes"].append(
            f"sigma^(2) scan not converged to {settings['target']:.0%} on the largest grid "
            f"{n}x{n}: relative change |N - N/2| / max|sigma| = "
            f"{refinement[-1]['relative_change']:.2g}; read the curves as qualitative.")
    mu, choice = _table1_mu(mus, values, intrinsic, largest)
    try:
        data["table1"] = _table1(model, n, mu, temperature, keys, registry, holding)
        data["table1"]["mu_choice"] = choice
    except QgsymError as error:
        data["notes"].append(f"Table 1 could not be computed: {error}")
        data["status"] = "failed"
        return data
    data["status"] = "ok"
    return data


def _summary(reports: list[dict], fast: bool) -> str:
    lines = [
        "Per catalogue model: band structure, Berry curvature and quantum-metric maps, "
        "σ^(2) of every registry formula vs μ, and the seed-003 Table-1 comparison at one μ "
        "with the symmetry-forbidden components marked (one page per model).",
        "",
        "| model | D | symmetries used | μ (Table 1) | Table-1 error estimate | symmetry violations |",
        "|---|---|---|---|---|---|",
    ]
    for data in reports:
        table = data.get("table1")
        if table is None:
            lines.append(f"| {data['model']} | {data['dimension']} | "
                         f"{', '.join(data.get('symmetries_holding', [])) or 'none'} | "
                         f"not computed | not computed | {data['status']}: "
                         f"{'; '.join(data['notes']) or 'no reason recorded'} |")
            continue
        violations = sum(len(r["violations"]) for r in table["formulas"].values())
        lines.append(
            f"| {data['model']} | {data['dimension']} | "
            f"{', '.join(table['symmetries_used']) or 'none'} | {table['mu']:.4g} | "
            f"{table['error_estimate']:.2g} | {violations} |")
    if fast:
        lines += ["", "**Fast mode** (tests): small grids and a subset of the models; "
                  "the numbers are not converged."]
    return "\n".join(lines)


def run(out_dir: Path, fast: bool = False) -> dict:
    """Write every model's figures and data into ``out_dir`` (contract of ``qgsym report``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [n for n in catalogue_names() if not fast or n in FAST_MODELS]
    reports, figures, data_files = [], [], []
    for name in names:
        try:
            data = model_report(name, out_dir, fast)
        except QgsymError as error:
            data = {"model": name, "status": "failed", "dimension": 0, "figures": {},
                    "notes": [f"the model could not be processed: {error}"]}
        reports.append(data)
        relative = f"{name}.json"
        (out_dir / relative).write_text(json.dumps(_finite(data), sort_keys=True, indent=1)
                                        + "\n", encoding="utf-8")
        data_files.append(relative)
        figures.extend(data["figures"].values())
    return {
        "title": "Catalogue models: bands, band geometry, σ^(2) vs μ and seed-003 Table 1",
        "figures": figures,
        "data": data_files,
        "summary": _summary(reports, fast),
        "model_pages": data_files,
    }


def _finite(value):
    """Refuse to write a non-finite number silently: it becomes a string saying so."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return f"not finite ({value})"
    if isinstance(value, np.floating | np.integer):
        return _finite(value.item())
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports/models")
    parser.add_argument("--fast", action="store_true", help="small grids, one model (tests)")
    args = parser.parse_args(argv)
    result = run(Path(args.out), fast=args.fast)
    print(result["summary"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
