"""Numeric evaluation of the rank-3 (σ^(2)) registry formulas on a model.

All formulas reduce to the Brillouin-zone integrals of :mod:`qgsym.formulas.identities`,

.. math::
    \\mathrm{sea}[X]_{abc} = \\sum_n\\int[dk] f_0\\,\\partial_a X_n^{bc}, \\qquad
    \\mathrm{surface}[X]_{abc} = \\sum_n\\int[dk] f_0'\\, v^a_n X_n^{bc},

for X = band-normalized metric, Berry curvature, inverse mass (multiplet sums). This module
computes those integrals (for many chemical potentials at once) by one of two independent
paths, then substitutes them into each formula's components:

``numeric``
    eigh sum-over-states primitives (:mod:`qgsym.bands.geometry`); k-derivatives ∂_a X by
    analytic sum over states from the same diagonalization (:mod:`qgsym.bands.dipoles`; for
    Wannier90 ``full`` with the basis-connection terms of :mod:`qgsym.bands.position_dipoles`),
    or, where the model has no ∂³H (a callable model) and with
    ``derivatives="finite-difference"``, by a fourth-order central difference (step h,
    error O(h⁴) ≈ 1e-12 relative for the step chosen in :func:`derivative_step`); only the
    Fermi-surface form requested: no derivatives at all;
``closed``
    Clifford closed forms (:mod:`qgsym.bands.closed_form`) with exact symbolic derivatives.

The Fermi-sea and Fermi-surface forms of a formula are related by integration by parts; for
continuum models the boundary term at the cutoff is computed (:func:`boundary_integrals`)
and reported, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qgsym.bands.closed_form import closed_form_of, level_sum, level_values, product_parts
from qgsym.bands.convergence import grid_converged, grid_of, level_tree, temperature_width
from qgsym.bands.dipoles import multiplet_geometry
from qgsym.bands.execution import ordered_sum
from qgsym.bands.gap_closing import (
    level_gap_flags,
    require_open_gaps,
    with_level_flags,
    with_warnings,
)
from qgsym.bands.geometry import check_gaps
from qgsym.bands.kspace import (
    adaptive_integral,
    chunk_points,
    energy_scale,
    fermi_derivative,
    fermi_dirac,
    make_grid,
)
from qgsym.errors import QgsymError
from qgsym.formulas import sigma2_formulas
from qgsym.formulas.base import E_CHARGE, HBAR, TAU
from qgsym.formulas.identities import all_components, formula_component
from qgsym.responses.geometric import component_keys
from qgsym.symmetry import tensor_symmetry_report
from qgsym.symmetry.invariance import holding_symmetries
from qgsym.symmetry.neumann import compare_with_rules, selection_rules

PRIMITIVE_FIELDS = {
    "metric": "band_normalized_metric",
    "curvature": "berry_curvature",
    "mass": "inverse_mass",
}
_NATURAL = {E_CHARGE: 1, HBAR: 1, TAU: 1}
#: Points per chunk of the closed path: its arrays (P,) of 64 KB stay below glibc's
#: 128 KB mmap threshold and in L2, so NumPy's temporaries are reused, not page-faulted
#: (measured ~1.5-3x faster than 20 000 points on a loaded 2-core machine).
CLOSED_CHUNK_POINTS = 8192


def derivative_step(model) -> float:
    """Finite-difference step in k: 1e-3 of a reciprocal vector / 2π, or 1e-4 of the cutoff."""
    if model.lattice:
        return 1e-3 * float(np.min(np.linalg.norm(model.reciprocal, axis=1))) / (2 * np.pi)
    return 1e-4 * model.cutoff


@dataclass(frozen=True)
class PrimitiveArrays:
    """Multiplet-level primitives at P points (M multiplets).

    energies (P, M); velocity (d, P, M); for each X in PRIMITIVE_FIELDS: value (d, d, P, M)
    and derivative (d, d, d, P, M) with index order (a, b, c) = ∂_a X^{bc}; ``derivatives``
    is None when they were not requested (Fermi-surface form only).
    """

    energies: np.ndarray
    velocity: np.ndarray
    values: dict
    derivatives: dict | None


def _numeric_level(model, points, scale):
    """Multiplet energies (P, M), velocities (d, P, M) and values X -> (d, d, P, M)."""
    geometry = multiplet_geometry(model.hamiltonian, points, model.multiplets, scale,
                                  derivatives=False)
    values = {x: geometry.values[f] for x, f in PRIMITIVE_FIELDS.items()}
    return geometry.energies, geometry.velocity, values


def numeric_primitives(model, points, scale, derivatives: str = "auto",
                       need_derivatives: bool = True) -> PrimitiveArrays:
    """Sum-over-states primitives and their k-derivatives (:mod:`qgsym.bands.dipoles`).

    Parameters
    ----------
    derivatives : {"auto", "analytic", "finite-difference"}
        ``auto``: analytic sum over states from one diagonalization where the model allows
        it (:func:`qgsym.bands.dipoles.analytic_unavailable`), else the fourth-order central
        difference with the step of :func:`derivative_step` (error O(h⁴)).
    need_derivatives : bool
        False: no ∂_a X at all (``derivatives`` of the result is None).
    """
    geometry = multiplet_geometry(
        model.hamiltonian, points, model.multiplets, scale, derivatives=need_derivatives,
        method=derivatives, step=derivative_step(model) if need_derivatives else None)
    values = {x: geometry.values[f] for x, f in PRIMITIVE_FIELDS.items()}
    gradient = None
    if need_derivatives:
        gradient = {x: geometry.derivatives[f] for x, f in PRIMITIVE_FIELDS.items()}
    return PrimitiveArrays(geometry.energies, geometry.velocity, values, gradient)


def closed_primitives(closed, points, fields=tuple(PRIMITIVE_FIELDS),
                      forms=("sea", "surface"), velocity: bool = True) -> PrimitiveArrays:
    """Closed-form (Clifford) primitives in the (…, P, M) layout, only those needed.

    ``fields``: the X of PRIMITIVE_FIELDS to evaluate; ``forms``: their derivatives ∂_a X
    for "sea", their values for "surface"; the velocity also when ``velocity`` (the
    adaptive grid needs it). What is not computed is None (velocity, derivatives) or
    absent (values).
    """
    names = ["energies"] + (["velocity"] if velocity or "surface" in forms else [])
    names += [PRIMITIVE_FIELDS[x] for x in fields] if "surface" in forms else []
    names += [f"{PRIMITIVE_FIELDS[x]}_derivative" for x in fields] if "sea" in forms else []
    table = closed.primitives(points, names)
    values = {x: table[PRIMITIVE_FIELDS[x]] for x in fields if PRIMITIVE_FIELDS[x] in table}
    derivatives = ({x: table[f"{PRIMITIVE_FIELDS[x]}_derivative"] for x in fields}
                   if "sea" in forms else None)
    return PrimitiveArrays(table["energies"], table.get("velocity"), values, derivatives)


def choose_path(model, path: str):
    """Return (path name, closed-form geometry or None)."""
    if path not in ("auto", "numeric", "closed"):
        raise QgsymError(f"unknown evaluation path '{path}' (auto, numeric, closed)")
    if path == "numeric" or not hasattr(model, "numeric_matrix"):  # not a symbolic model
        return "numeric", None
    closed = closed_form_of(model)
    if closed is None:
        if path == "closed":
            raise QgsymError(f"model '{model.name}' is not of Clifford (d-vector) form")
        return "numeric", None
    return "closed", closed


def geometry_integrals(model, n: int, mus, temperature: float, path: str = "auto",
                       fermi=None, forms=("sea", "surface"), derivatives: str = "auto",
                       fields=tuple(PRIMITIVE_FIELDS)):
    """sea[X]_abc and surface[X]_abc for every chemical potential.

    Parameters
    ----------
    mus : array_like, shape (U,)
    fermi : tuple (mu, width), optional
        Integrate on the adaptive Fermi-surface grid of :func:`qgsym.bands.kspace.adaptive_integral`
        (the n^d grid within a few ``width`` of μ, n/8 elsewhere) instead of the uniform one.
    forms : collection of {"sea", "surface"}
        The integrals needed; without "sea" no k-derivative is computed and ``sea`` is None;
        without "surface" ``surface`` is None.
    derivatives : {"auto", "analytic", "finite-difference"}
        How the numeric path differentiates (:func:`numeric_primitives`).
    fields : collection of PRIMITIVE_FIELDS keys
        The X integrated (the closed path evaluates only these).

    Returns
    -------
    sea, surface : dict X -> ndarray (U, d, d, d) (None when not in ``forms``)
    path : str
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    fermi_dirac(0.0, 0.0, temperature)
    path, closed = choose_path(model, path)
    scale = energy_scale(model)

    need_sea = "sea" in forms
    unknown = set(forms) - {"sea", "surface"}
    if unknown or not forms:
        raise QgsymError(f"unknown integral form(s) {sorted(unknown)} (sea, surface)")
    if not fields or set(fields) - set(PRIMITIVE_FIELDS):
        raise QgsymError(f"fields must be some of {', '.join(PRIMITIVE_FIELDS)}, got "
                         f"{list(fields)}")
    fields = [x for x in PRIMITIVE_FIELDS if x in fields]  # fixed order
    forms = [form for form in ("sea", "surface") if form in forms]

    def evaluate(points):
        if closed is not None:
            return _closed_point_integrands(closed, points, mus, temperature, fields, forms,
                                            fermi is not None, scale)
        arrays = numeric_primitives(model, points, scale, derivatives, need_sea)
        return arrays.energies, arrays.velocity, _point_integrands(arrays, mus, temperature,
                                                                   fields, forms)

    if fermi is None:
        chunk = min(max(1000, 20_000 // max(1, len(mus) // 8)), chunk_points(model))
        if closed is not None:
            chunk = min(chunk, CLOSED_CHUNK_POINTS)
        total = ordered_sum(lambda c: evaluate(c[0])[2] @ c[1], make_grid(model, n).chunks(chunk))
    else:
        total = adaptive_integral(model, n, fermi, evaluate)
    tables = {form: {x: total[f * len(fields) + i] for i, x in enumerate(fields)}
              for f, form in enumerate(forms)}
    sea, surface = tables.get("sea"), tables.get("surface")
    for table in tables.values():
        for x, value in table.items():
            if not np.all(np.isfinite(value)):
                raise QgsymError(f"the {x} integrals are not finite on this grid")
    return sea, surface, path


def _point_integrands(arrays, mus: np.ndarray, temperature: float,
                      fields=tuple(PRIMITIVE_FIELDS), forms=("sea", "surface")) -> np.ndarray:
    """Per-point integrands, shape (len(forms) F, U, d, d, d, P): per form, each X of ``fields``.

    .. math:: f_0\\,\\partial_a X^{bc}_n \\quad\\text{(sea) and}\\quad f_0'\\,v^a_n X^{bc}_n
              \\quad\\text{(surface; summed over levels n)}
    """
    channels = []
    if "sea" in forms:
        occupation = fermi_dirac(arrays.energies[None], mus[:, None, None], temperature)
        channels += [np.einsum("upm,abcpm->uabcp", occupation, arrays.derivatives[x])
                     for x in fields]
    if "surface" in forms:
        derivative = fermi_derivative(arrays.energies[None], mus[:, None, None], temperature)
        channels += [np.einsum("upm,apm,bcpm->uabcp", derivative, arrays.velocity,
                               arrays.values[x]) for x in fields]
    return np.stack(channels)


def _closed_point_integrands(closed, points, mus, temperature, fields, forms, velocity, scale):
    """:func:`_point_integrands` of the closed path, from the level parts of the primitives.

    X_s = even + s·odd (:meth:`~qgsym.bands.closed_form.ClosedFormGeometry.level_parts`), so
    the level sums are Σ_s f_s X_s = (f₊ + f₋) even + (f₊ − f₋) odd: no per-level arrays.
    Returns energies (P, 2), velocity (d, P, 2) or None, and the integrands.
    """
    names = ["energies"] + (["velocity"] if velocity or "surface" in forms else [])
    names += [PRIMITIVE_FIELDS[x] for x in fields] if "surface" in forms else []
    names += [f"{PRIMITIVE_FIELDS[x]}_derivative" for x in fields] if "sea" in forms else []
    parts = closed.level_parts(points, names)
    energies = level_values(parts["energies"])
    check_gaps(energies, points, ((0,), (1,)), scale)  # |d| = gap/2
    channels = []
    if "sea" in forms:
        occupation = fermi_dirac(energies[None], mus[:, None, None], temperature)
        channels += [level_sum(occupation, parts[f"{PRIMITIVE_FIELDS[x]}_derivative"])
                     for x in fields]
    if "surface" in forms:
        derivative = fermi_derivative(energies[None], mus[:, None, None], temperature)
        channels += [level_sum(derivative, product_parts(parts["velocity"],
                                                         parts[PRIMITIVE_FIELDS[x]]))
                     for x in fields]
    speed = level_values(parts["velocity"]) if velocity else None
    return energies, speed, channels[0][None] if len(channels) == 1 else np.stack(channels)


def boundary_integrals(model, n: int, mus, temperature: float) -> dict:
    """Continuum models: Σ_n ∮ f₀ X^{bc} n_a dS/(2π)^d on the faces |k_a| = cutoff.

    With it, integration by parts reads sea[X]_abc = boundary[X]_abc − surface[X]_abc.
    Returns X -> ndarray (U, d, d, d); zero for lattice models.
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    d = model.dimension
    result = {x: np.zeros((len(mus), d, d, d)) for x in PRIMITIVE_FIELDS}
    if model.lattice:
        return result
    scale = energy_scale(model)
    axis = model.cutoff * (2 * (np.arange(n) + 0.5) / n - 1)
    face_weight = (2 * model.cutoff / n) ** (d - 1) / (2 * np.pi) ** d
    for a in range(d):
        others = np.stack(np.meshgrid(*([axis] * (d - 1)), indexing="ij"), -1).reshape(-1, d - 1)
        for sign in (1.0, -1.0):
            points = np.insert(others, a, sign * model.cutoff, axis=1)
            energies, _, values = _numeric_level(model, points, scale)
            occupation = fermi_dirac(energies[None], mus[:, None, None], temperature)
            for x in PRIMITIVE_FIELDS:
                result[x][:, a] += sign * face_weight * np.einsum(
                    "upm,bcpm->ubc", occupation, values[x])
    return result


def evaluate_formulas(keys, sea, surface, axes: str) -> dict:
    """Formula components (natural units, coefficient of τ^p) from the integrals.

    ``keys`` are registry keys or :class:`~qgsym.formulas.base.Formula` objects (user
    formulas). Returns key -> ndarray (U, d, d, d).
    """
    d = len(axes)
    out = {}
    for formula in _formulas(keys):
        values = np.zeros((next(iter(sea.values())).shape[0], d, d, d))
        for index, terms in _formula_terms(formula, axes):
            values[(slice(None), *index)] = _linear_value(terms, sea, surface)
        out[formula.key] = values
    return out


def _formulas(keys) -> list:
    """Formula objects of registry keys or Formula objects."""
    registry = sigma2_formulas() if any(isinstance(key, str) for key in keys) else {}
    return [registry[key] if isinstance(key, str) else key for key in keys]


def formula_fields(keys, axes: str = "xyz") -> tuple[str, ...]:
    """The X of PRIMITIVE_FIELDS whose integrals the formulas ``keys`` (as in
    :func:`evaluate_formulas`) contain along ``axes``, in PRIMITIVE_FIELDS order."""
    used = {term[2] for formula in _formulas(keys)
            for _, terms in _formula_terms(formula, axes) for term in terms}
    return tuple(x for x in PRIMITIVE_FIELDS if x in used)


@lru_cache(maxsize=512)
def _formula_terms(formula, axes: str) -> tuple:
    """Every component of ``formula`` as a linear combination of integral symbols.

    Returns ((component index, ((coefficient, kind, X, integral index), ...)), ...) with
    the symbols in name order (a fixed order: the same bits); symbols along an axis the
    model does not have are dropped (zero). Cached: the symbolic expansion is the slow part.
    """
    out = []
    for component in all_components(3, axes):
        expression = formula_component(formula, component).xreplace(_NATURAL)
        terms = []
        for symbol in sorted(expression.free_symbols, key=lambda s: s.name):
            kind, primitive, indices = symbol.name.split("_")
            if any(c not in axes for c in indices):
                continue  # a component along an axis the model does not have: zero
            terms.append((float(expression.coeff(symbol)), kind, primitive,
                          tuple(axes.index(c) for c in indices)))
        constant = expression.subs({s: 0 for s in expression.free_symbols})
        if constant != 0:
            raise QgsymError(f"formula component has a constant part {constant}")
        out.append((tuple(axes.index(c) for c in component), tuple(terms)))
    return tuple(out)


def _linear_value(terms, sea, surface):
    """Value of a linear combination of integral symbols (arrays over μ)."""
    total = 0.0
    for coefficient, kind, primitive, index in terms:
        table = sea if kind == "sea" else surface
        total = total + coefficient * table[primitive][(slice(None), *index)]
    return total


def resolve_formula_keys(requested) -> list[str]:
    available = list(sigma2_formulas())
    if not requested or requested == ("all",):
        return available
    unknown = [k for k in requested if k not in available]
    if unknown:
        raise QgsymError(
            f"unknown sigma2 formula(s) {', '.join(unknown)}; known: {', '.join(available)}"
        )
    return list(requested)


def infinite_domain_integrals(model, n: int, mus, temperature: float, path: str = "auto",
                              fermi=None, scan: bool = False, forms=("sea", "surface"),
                              fields=tuple(PRIMITIVE_FIELDS)):
    """sea and surface integrals as estimates of the integrals over the whole domain.

    Lattice models: the Brillouin zone is closed and nothing changes. Continuum models: the
    square |k_i| <= cutoff truncates the plane; the Fermi-sea integral over the square carries
    the boundary flux ∮ f₀X n_a dS, which the integral over the plane does not have (X decays
    at infinity and f₀' vanishes outside the Fermi surface). It is removed here:
    sea_plane = sea_square − boundary. This is exact when the Fermi surface lies inside the
    square, which is checked: ``fermi_surface_at_cutoff`` is max T|f₀'| on the boundary (≤ 1/4;
    0 when the Fermi surface is well inside).

    ``scan`` takes the integrals from the binned many-level pass
    (:func:`qgsym.responses.fermi_scan.fermi_scan`, uniform grid; ``fermi`` is ignored) and
    adds its largest binning bound relative to the largest integral to ``info``
    (``binning_bound``). ``fields`` restricts the X integrated (not by the scan).

    Returns
    -------
    sea, surface : dict X -> ndarray (U, d, d, d)
    info : dict with ``path``, ``boundary`` (max |boundary term|), ``fermi_surface_at_cutoff``
    """
    if scan:
        from qgsym.responses.fermi_scan import fermi_scan  # noqa: PLC0415 (cycle: responses.fermi_scan imports this module)

        result = fermi_scan(model, n, mus, temperature, path)
        sea, surface, used = result.sea, result.surface, result.path
        largest = max(max(float(np.max(np.abs(t[x]))) for x in t) for t in (sea, surface))
        bound = max(max(float(np.max(b[x])) for x in b) for b in
                    (result.error_bound["sea"], result.error_bound["surface"]))
        info = {"path": used, "boundary": 0.0, "fermi_surface_at_cutoff": 0.0,
                "binning_bound": bound / largest if largest > 0 else 0.0,
                "binning_bound_absolute": bound,
                "bin_width": result.bin_width, "taylor_order": result.order}
    else:
        sea, surface, used = geometry_integrals(model, n, mus, temperature, path, fermi,
                                               forms, fields=fields)
        info = {"path": used, "boundary": 0.0, "fermi_surface_at_cutoff": 0.0}
    if not model.lattice:
        boundary = boundary_integrals(model, n, mus, temperature)
        if sea is not None:
            sea = {x: sea[x] - boundary[x] for x in sea}
        info["boundary"] = float(max(np.max(np.abs(b)) for b in boundary.values()))
        info["fermi_surface_at_cutoff"] = fermi_surface_at_cutoff(model, n, mus, temperature)
    return sea, surface, info


def fermi_surface_at_cutoff(model, n: int, mus, temperature: float) -> float:
    """max over the cutoff boundary and bands of T|f₀'(ε)| (0: Fermi surface inside)."""
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    axis = model.cutoff * (2 * (np.arange(n) + 0.5) / n - 1)
    worst = 0.0
    for a in range(model.dimension):
        others = np.stack(np.meshgrid(*([axis] * (model.dimension - 1)), indexing="ij"),
                          -1).reshape(-1, model.dimension - 1)
        for sign in (1.0, -1.0):
            points = np.insert(others, a, sign * model.cutoff, axis=1)
            energies = np.linalg.eigvalsh(model.hamiltonian.matrix(points))
            weight = temperature * np.abs(
                fermi_derivative(energies[None], mus[:, None, None], temperature))
            worst = max(worst, float(weight.max()))
    return worst


def sigma2_values(model, n, mus, temperature, keys, form="sea", path="auto", info=None,
                  fermi=None, scan=False):
    """σ_ijk of each formula in the requested form, for every μ.

    ``form = "sea"`` evaluates every formula from Fermi-sea integrals (a Fermi-surface
    formula through surface = −sea); ``"surface"`` from Fermi-surface integrals
    (sea = −surface). Both estimate the same tensor; their difference is quadrature error.
    ``info`` (a dict), if given, receives the path and boundary diagnostics; ``fermi``
    (mu, width), if given, selects the adaptive Fermi-surface grid (:func:`geometry_integrals`);
    ``scan`` the binned one-pass integrals of every level (:func:`infinite_domain_integrals`).
    Returns key -> ndarray (U, d, d, d), and the path used.
    """
    if form not in ("sea", "surface"):
        raise QgsymError(f"--form must be sea or surface, got {form!r}")
    sea, surface, details = infinite_domain_integrals(model, n, mus, temperature, path, fermi,
                                                      scan=scan, forms=(form,),
                                                      fields=formula_fields(keys, model.axes))
    if info is not None:
        info.update(details)
    if form == "surface":
        sea = {x: -surface[x] for x in surface}
    else:
        surface = {x: -sea[x] for x in sea}
    return evaluate_formulas(keys, sea, surface, model.axes), details["path"]


def _sigma2_symmetry(model, options, result, error_max) -> None:
    """Symmetry report of the converged σ^(2) (its zero threshold uses the error estimate)."""

    registry = sigma2_formulas()
    parities = {k: registry[k].t_parity for k in result["values"]}
    if not options.mus:
        result["symmetry"] = tensor_symmetry_report(model, result["values"], parities, error_max)
        return
    result["symmetry"] = _level_symmetry_report(model, result["values"], parities, error_max,
                                                options.mus)


def _level_symmetry_report(model, values, parities, error_max, mus) -> dict:
    """The symmetry report of every level (one list leaf per level), rules derived once.

    As :func:`qgsym.symmetry.neumann.tensor_symmetry_report` level by level (its zero
    threshold from each level's largest component); violations carry their ``mu``.
    """

    holding, lost = holding_symmetries(model)
    rules = {key: selection_rules(holding, 3, parities[key], model.dimension)
             for key in values} if holding else {}
    report = {"operators": [op.name for op in holding],
              "declared_but_broken_at_these_parameters": lost,
              "zero_threshold_relative": [], "per_formula": {}}
    for key in values:
        report["per_formula"][key] = {
            "forbidden": list(rules[key].forbidden) if holding else [],
            "relations": list(rules[key].relations) if holding else [],
            "violations": [], "notes": []}
    for u, mu in enumerate(mus):
        tensors = level_tree(values, u)
        scale = max((abs(v) for t in tensors.values() for v in t.values()), default=0.0) or 1.0
        tol = max(1e-8, 3 * error_max / scale)
        report["zero_threshold_relative"].append(tol)
        for key, tensor in tensors.items():
            if not holding:
                continue
            entry = report["per_formula"][key]
            for finding in compare_with_rules(tensor, rules[key], scale, tol):
                if finding.severity == "violation":
                    entry["violations"].append({**finding.to_json(), "mu": mu})
                elif finding.message not in entry["notes"]:
                    entry["notes"].append(finding.message)
    return report


@grid_converged(fermi_width=temperature_width, finish=_sigma2_symmetry)
def compute_sigma2(model, options) -> dict:
    """``qgsym compute sigma2``: every d³ component of each requested formula (one grid)."""

    keys = resolve_formula_keys(options.formulas)
    n = grid_of(model, options)
    many = bool(options.mus)
    mus = list(options.mus) if many else [options.mu]
    if many:  # levels near a closing are flagged, the others computed (never refused)
        warnings, flagged = level_gap_flags(model, n, "sigma2", mus, options.T)
    else:
        warnings = require_open_gaps(model, n, "sigma2", (mus, options.T))
    info: dict = {}
    fine, path = sigma2_values(model, n, mus, options.T, keys, options.form, info=info,
                               fermi=None if many else (options.mu, options.T), scan=many)
    registry = sigma2_formulas()
    values, tau_power = {}, {}
    for key in keys:
        tensors = fine[key]
        values[key] = {}
        for c in component_keys(model, 3):
            column = tensors[(slice(None), *(model.axes.index(x) for x in c))]
            values[key][c] = [float(v) for v in column] if many else float(column[0])
        tau_power[key] = registry[key].tau_power
    notes = []
    if getattr(model, "periodic", True) is False:
        notes.append(
            "H(k) is not periodic in the declared cell (sublattice basis): k-derivatives are "
            "analytic or finite differences, never periodic spectral derivatives; the "
            "gauge-invariant integrands are periodic, so both forms are valid")
    if not model.lattice:
        notes.append(
            "continuum model: the Fermi-sea integrals over |k_i| <= cutoff have their boundary "
            f"flux removed (max {info['boundary']:.3g}) so both forms estimate the integral "
            "over the plane")
        if info["fermi_surface_at_cutoff"] > 1e-8:
            notes.append(
                "WARNING: the Fermi surface reaches the cutoff (max T|f0'| on the boundary = "
                f"{info['fermi_surface_at_cutoff']:.3g}); the result depends on the cutoff")
    result = {
        "values": values,
        "tau_power": tau_power,
        "notes": "; ".join(notes),
        "form": options.form,
        "path": path,
        "units": "natural (e = hbar = k_B = 1; model energy and length units); "
                 "entries with tau_power p are the coefficient of tau^p",
    }
    if many:
        result["k_grid"] = (
            f"uniform {n}^{model.dimension} grid, one binned pass for all {len(mus)} levels "
            f"(Taylor order {info['taylor_order']}, bin width {info['bin_width']:.3g}; binning "
            f"bound {info['binning_bound_absolute']:.2g} per integral, natural units: "
            f"{info['binning_bound']:.2g} of the largest integral; a bound, not in "
            "error_estimate)")
    if many:
        return with_level_flags(result, warnings, flagged)
    return with_warnings(result, warnings)
