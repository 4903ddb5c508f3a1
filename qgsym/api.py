"""The public Python API: what ``import qgsym`` exposes (a notebook's surface).

Models: :func:`load_model` (catalogue name, TOML, Wannier90 ``_hr.dat``/``_tb.dat``),
:func:`model_from_sympy` (a SymPy matrix in plain symbols), :func:`model_from_function` (a
NumPy callable; derivatives by finite differences). Quantities: :func:`compute` (any
``qgsym compute`` quantity, for one or many μ and T, results with units). Formulas:
:func:`formula`, :func:`load_formula`, :func:`compare_formula`. Claims: :func:`check`.
Everything else in the package is private.

Conventions (README): natural units e = ħ = k_B = 1 inside, energies and lengths in the
model's own units; SI in ``Result.values_si`` where the model declares physical units.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import sympy

from qgsym.bands.execution import SERIAL, chunk_map, session, using
from qgsym.compute import MANY_LEVELS, ComputeOptions, compute_function, compute_levels
from qgsym.errors import ModelError, QgsymError
from qgsym.formulas import formula_registry
from qgsym.formulas.units import si_values
from qgsym.formulas.user import load_formula_file
from qgsym.model.bloch import MOMENTA, MOMENTUM_NAMES, NumericModel, bloch_model
from qgsym.model.loader import load_model

__all__ = [
    "Result", "load_model", "model_from_sympy", "model_from_function", "compute",
    "formula", "load_formula", "compare_formula", "check", "Sweep", "sweep",
]


@dataclass(frozen=True)
class Result:
    """One computed quantity with its units, error estimate and convergence verdict.

    Attributes
    ----------
    quantity : str
    values : Mapping
        Natural units (``units``); nesting as in ``qgsym compute --json`` (formula ->
        component -> value). With several (μ, T) pairs every leaf is a list aligned with
        ``mu`` and ``T``.
    error_estimate : Mapping
        Same nesting as ``values``: |V(N) − V(N/2)| of the final grids.
    converged : bool
        Every value meets the tolerance (and, for Fermi-surface quantities, the grid resolves
        k_B T); all pairs together when several.
    units, units_si : str or Mapping
    values_si : Mapping or None
        SI values where the model declares physical units.
    mu, T : float or list of float
    raw : tuple of dict
        The full ``qgsym compute`` records: one per (μ, T), or one for all μ when
        ``sigma1``, ``sigma2`` or ``nernst`` evaluated every level in one pass (one T); its
        ``converged_per_mu`` gives each level's verdict.
    """

    quantity: str
    values: Mapping
    error_estimate: Mapping
    converged: bool
    units: object
    values_si: Mapping | None
    units_si: object
    mu: object
    T: object
    raw: tuple = field(repr=False, default=())


def model_from_sympy(matrix, parameters: Mapping[str, float] | None = None, *,
                     dimension: int | None = None, lattice: bool = True, reciprocal=None,
                     cutoff: float | None = None, name: str = "user",
                     units: Mapping[str, str] | None = None):
    """A Bloch model from a SymPy matrix written with plain symbols.

    Parameters
    ----------
    matrix : sympy matrix or nested list, shape (N, N)
        Entries in ``kx, ky, kz`` and the parameters, as plain ``sympy.Symbol`` or
        ``sympy.symbols`` (any assumptions: they are matched by name).
    parameters : Mapping[str, float], optional
        Values of the other symbols.
    dimension : int, optional
        Default: the highest momentum used (kz -> 3, ky -> 2, else 1).
    lattice, reciprocal, cutoff, name, units
        As in a model file (README "Model files"); a continuum model needs ``cutoff``.

    Returns
    -------
    qgsym.model.bloch.BlochModel
    """
    matrix = sympy.Matrix(matrix)
    parameters = dict(parameters or {})
    by_name = {symbol.name: symbol for symbol in matrix.free_symbols}
    used = [k for k in MOMENTUM_NAMES if k in by_name]
    if dimension is None:
        dimension = max((MOMENTUM_NAMES.index(k) + 1 for k in used), default=1)
    replacements = {}
    for symbol_name, symbol in by_name.items():
        if symbol_name in MOMENTUM_NAMES:
            replacements[symbol] = MOMENTA[MOMENTUM_NAMES.index(symbol_name)]
        elif symbol_name in parameters:
            replacements[symbol] = sympy.Symbol(symbol_name, real=True)
        else:
            raise ModelError(f"model '{name}': symbol '{symbol_name}' is neither a momentum "
                             f"({', '.join(MOMENTUM_NAMES[:dimension])}) nor a parameter")
    return bloch_model(name, matrix.xreplace(replacements), parameters, dimension=dimension,
                       lattice=lattice, reciprocal=reciprocal, cutoff=cutoff, units=units)


class _FiniteDifferenceHamiltonian:
    """H(k) from a callable, with ∂H and ∂²H by fourth-order central differences.

    The step h (in the model's inverse length) balances truncation O(h⁴) against rounding
    O(ε/h²): h = 1e-3 gives ∂H to ~1e-12 and ∂²H to ~1e-9 relative for smooth H.
    """

    def __init__(self, function: Callable, dimension: int, n_bands: int, step: float):
        self.function, self.dimension, self.n_bands, self.step = (
            function, dimension, n_bands, step)

    def matrix(self, k: np.ndarray) -> np.ndarray:
        values = np.asarray(self.function(np.asarray(k, dtype=float)), dtype=complex)
        if values.shape != (len(k), self.n_bands, self.n_bands):
            raise ModelError(f"the Hamiltonian function returned shape {values.shape}, "
                             f"expected ({len(k)}, {self.n_bands}, {self.n_bands})")
        if not np.all(np.isfinite(values)):
            raise ModelError("the Hamiltonian function returned a non-finite value")
        return values

    def _shifted(self, k, axis, amount):
        shifted = np.array(k, dtype=float)
        shifted[:, axis] += amount
        return self.matrix(shifted)

    def derivative(self, k: np.ndarray) -> np.ndarray:
        h = self.step
        return np.stack([
            (8 * (self._shifted(k, a, h) - self._shifted(k, a, -h))
             - (self._shifted(k, a, 2 * h) - self._shifted(k, a, -2 * h))) / (12 * h)
            for a in range(self.dimension)])

    def second_derivative(self, k: np.ndarray) -> np.ndarray:
        h = self.step
        d = self.dimension
        out = np.empty((d, d, len(k), self.n_bands, self.n_bands), dtype=complex)
        for a in range(d):
            for b in range(a, d):
                def along(sa, sb, a=a, b=b):
                    shifted = np.array(k, dtype=float)
                    shifted[:, a] += sa * h
                    shifted[:, b] += sb * h
                    return self.matrix(shifted)
                if a == b:
                    value = (-along(2, 0) + 16 * along(1, 0) - 30 * self.matrix(k)
                             + 16 * along(-1, 0) - along(-2, 0)) / (12 * h * h)
                else:
                    value = (along(1, 1) - along(1, -1) - along(-1, 1) + along(-1, -1)) / (
                        4 * h * h)
                out[a, b] = out[b, a] = value
        return out


def model_from_function(hamiltonian: Callable, dimension: int, *, reciprocal=None,
                        name: str = "user", units: Mapping[str, str] | None = None,
                        step: float = 1e-3) -> NumericModel:
    """A lattice model from a NumPy callable ``H(k)``.

    Parameters
    ----------
    hamiltonian : callable
        ``k`` of shape (P, d) (Cartesian, the model's inverse length) -> array (P, N, N),
        Hermitian, periodic under the reciprocal vectors.
    dimension : int
    reciprocal : array_like, shape (d, d), optional
        Rows b_i; default 2π times the identity.
    step : float
        Finite-difference step of ∂H and ∂²H (fourth order; see the class docstring).

    Returns
    -------
    qgsym.model.bloch.NumericModel
    """
    if dimension not in (1, 2, 3):
        raise ModelError(f"model '{name}': dimension must be 1, 2 or 3, got {dimension!r}")
    reciprocal = (2 * np.pi * np.eye(dimension) if reciprocal is None
                  else np.array(reciprocal, dtype=float))
    if reciprocal.shape != (dimension, dimension) or abs(np.linalg.det(reciprocal)) < 1e-12:
        raise ModelError(f"model '{name}': reciprocal must be an invertible "
                         f"{dimension}x{dimension} matrix")
    probe = np.asarray(hamiltonian(np.zeros((1, dimension))), dtype=complex)
    if probe.ndim != 3 or probe.shape[1] != probe.shape[2]:
        raise ModelError(f"model '{name}': H(k) must return shape (P, N, N), got {probe.shape}")
    n_bands = probe.shape[1]
    kernel = _FiniteDifferenceHamiltonian(hamiltonian, dimension, n_bands, step)
    rng = np.random.default_rng(7)
    sample = kernel.matrix(rng.uniform(-np.pi, np.pi, (5, dimension)))
    if not np.allclose(sample, np.conj(np.swapaxes(sample, 1, 2)), atol=1e-10):
        raise ModelError(f"model '{name}': H(k) is not Hermitian")
    return NumericModel(name=name, dimension=dimension, reciprocal=reciprocal,
                        hamiltonian=kernel, n_bands=n_bands,
                        units=MappingProxyType(dict(units or {"energy": "arb.",
                                                              "length": "arb."})),
                        description="NumPy callable (finite-difference derivatives)")


def _merge(items):
    if isinstance(items[0], Mapping):
        return {name: _merge([item[name] for item in items]) for name in items[0]}
    return list(items)


def compute(quantity: str, model, *, mu=0.0, T=0.01, grid: int | None = None,
            formulas: Sequence[str] = (), form: str = "sea", tol: float | None = None,
            broadening: Sequence[float] = (),
            degeneracy_threshold: float | None = None, workers: int | None = None,
            client=None) -> Result:
    """Compute a ``qgsym compute`` quantity on a model, for one or many (μ, T).

    Parameters
    ----------
    quantity : str
        ``bands``, ``chern``, ``berry-curvature``, ``quantum-metric``, ``sigma1``, ``sigma2``,
        ``sigma-kubo``, ``seebeck``, ``kappa``, ``nernst``, ``sigma11``, ...
    model : model object or str
        From :func:`load_model`, :func:`model_from_sympy`, :func:`model_from_function`, or a
        catalogue name / path.
    mu, T : float or array_like
        Chemical potential(s) and temperature(s) k_B T (model energy unit); broadcast together.
        ``sigma1``, ``sigma2`` and ``nernst`` at one T evaluate all μ in one pass over each
        k grid (README "Many Fermi levels"); other cases run pair by pair.
    grid : int, optional
        Points per axis, fixed; default: refine until ``tol`` (README "Convergence").
    formulas : sequence of str
        Registry keys (``sigma2``: default all).
    degeneracy_threshold : float, optional
        Bands split by less than this (model energy unit) at generic k form one multiplet
        (``--degeneracy-threshold``); default 1e-9 of the spectrum's spread.
    workers : int, optional
        Processes for the k chunks; default: the cores available (README "Running on all
        cores and on a cluster"). The result is the same to the last bit for any number.
    client : distributed.Client, optional
        Run the k chunks on this Dask cluster instead (same bits again).

    Returns
    -------
    Result
    """
    if isinstance(model, str):
        model = load_model(model)
    compute_function(quantity)
    mus, temperatures = np.broadcast_arrays(np.atleast_1d(np.asarray(mu, dtype=float)),
                                            np.atleast_1d(np.asarray(T, dtype=float)))
    mus, temperatures = mus.ravel(), temperatures.ravel()
    if np.any(temperatures <= 0) or not np.all(np.isfinite(mus)):
        raise QgsymError("T must be positive and mu finite")
    extra = {} if tol is None else {"tol": float(tol)}
    common = {"grid": grid, "formulas": tuple(formulas), "form": form,
              "broadening": tuple(broadening), "degeneracy_threshold": degeneracy_threshold,
              **extra}
    single = mus.size == 1
    if not single and quantity in MANY_LEVELS and np.all(temperatures == temperatures[0]):
        options = ComputeOptions(mu=float(mus[0]), T=float(temperatures[0]),
                                 mus=tuple(float(x) for x in mus), **common)
        with session(workers, client=client):
            record = compute_levels(quantity, model, options)
        record.update(si_values(record, model, quantity))
        return Result(
            quantity=quantity, values=record["values"],
            error_estimate=record.get("error_estimate"),
            converged=bool(record.get("converged", True)),
            units=record.get("units", "natural"), values_si=record.get("values_si"),
            units_si=record.get("units_si"), mu=mus.tolist(), T=temperatures.tolist(),
            raw=(record,))
    records = []
    with session(workers, client=client):
        for mu_value, temperature in zip(mus, temperatures, strict=True):
            options = ComputeOptions(mu=float(mu_value), T=float(temperature), **common)
            record = compute_levels(quantity, model, options)
            record.update(si_values(record, model, quantity))
            records.append(record)
    pick = (lambda key: records[0].get(key)) if single else (lambda key: _merge(
        [r[key] for r in records]) if records[0].get(key) is not None else None)
    return Result(
        quantity=quantity, values=pick("values"), error_estimate=pick("error_estimate"),
        converged=all(r.get("converged", True) for r in records),
        units=records[0].get("units", "natural"), values_si=pick("values_si"),
        units_si=records[0].get("units_si"),
        mu=float(mus[0]) if single else mus.tolist(),
        T=float(temperatures[0]) if single else temperatures.tolist(),
        raw=tuple(records))


def formula(key: str):
    """The registry entry ``key`` (``qgsym formulas show KEY``)."""
    registry = formula_registry()
    if key not in registry:
        raise QgsymError(f"unknown formula '{key}'; known: {', '.join(registry)}")
    return registry[key]


def load_formula(path):
    """A user formula from a TOML file (README "Your own formula")."""
    return load_formula_file(path)


def compare_formula(user, against: Sequence[str] = (), **options) -> dict:
    """``qgsym compare``: a user formula (file, key or Formula) against the registry."""
    from qgsym.compare import compare_formula as run  # noqa: PLC0415 (slow import deferred: compare loads the claim engines)

    return run(user, against, **options)


def check(*claim_ids: str) -> list:
    """Decide claims (all when none given); results carry the source's words and the finding."""
    from qgsym.claims import all_claims, known_ids, run_claim  # noqa: PLC0415 (slow import deferred: every claim engine)

    claims = all_claims()
    unknown = [c for c in claim_ids if c not in claims]
    if unknown:
        raise QgsymError(f"unknown claim id(s) {', '.join(unknown)}")
    return [run_claim(claims[c]) for c in (claim_ids or known_ids()) if c in claims]


@dataclass(frozen=True)
class Sweep:
    """σ^(2) formulas, AHC and Drude over a model parameter × Fermi levels (one fixed grid).

    Attributes
    ----------
    parameter : str
    values : ndarray, shape (V,)
        The parameter's values.
    mu : ndarray, shape (U,)
    T : float
    grid : int
        Points per axis (fixed: no refinement, no error estimate beyond ``error_bound``).
    sigma2 : Mapping
        Formula key -> ndarray (V, U, d, d, d), natural units, coefficient of τ^p.
    ahc, drude : ndarray, shape (V, U, d, d)
        −Σ∫ f₀ Ω and −Σ∫ f₀' v v (the conventions of :class:`FermiScan`).
    error_bound : ndarray, shape (V,)
        The largest Taylor-remainder bound of the binning (:class:`FermiScan`) per value.
    """

    parameter: str
    values: np.ndarray
    mu: np.ndarray
    T: float
    grid: int
    sigma2: Mapping
    ahc: np.ndarray
    drude: np.ndarray
    error_bound: np.ndarray


def _sweep_point(model, parameter, mus, temperature, grid, keys, form, value):
    """One parameter value: the many-level scan and the formulas (serial inside)."""
    from qgsym.responses.fermi_scan import fermi_scan  # noqa: PLC0415 (slow import deferred: responses load scipy.optimize, ~0.3 s)
    from qgsym.responses.nonlinear import evaluate_formulas  # noqa: PLC0415 (slow import deferred: responses load scipy.optimize, ~0.3 s)

    with using(SERIAL):
        varied = model.with_parameters({parameter: float(value)})
        scan = fermi_scan(varied, grid, mus, temperature)
    if form == "surface":
        sea, surface = {x: -v for x, v in scan.surface.items()}, scan.surface
    else:
        sea, surface = scan.sea, {x: -v for x, v in scan.sea.items()}
    bound = max(float(np.max(b)) for table in (scan.error_bound["sea"], scan.error_bound[
        "surface"]) for b in table.values())
    return evaluate_formulas(keys, sea, surface, varied.axes), scan.ahc, scan.drude, bound


def sweep(model, parameter: str, values, *, mu, T: float = 0.01, grid: int = 64,
          formulas: Sequence[str] = (), form: str = "sea", workers: int | None = None,
          client=None) -> Sweep:
    """σ^(2) formulas, AHC and Drude for every (parameter value, μ) as one computation.

    Each parameter value is one task (a Fermi scan over all μ on the ``grid``^d k grid,
    :func:`qgsym.responses.fermi_scan.fermi_scan`); with a Dask ``client`` all tasks are
    submitted together (one Dask computation, the model shipped once), else they run on
    ``workers`` processes. The results are gathered in the order of ``values``, so they do
    not depend on where they ran.

    Parameters
    ----------
    model : model object or str
    parameter : str
        A parameter of the model (``with_parameters``).
    values : array_like, shape (V,)
    mu : array_like, shape (U,)
    T : float
    grid : int
        Points per axis (fixed).
    formulas : sequence of str
        σ^(2) registry keys (default all).
    form : {"sea", "surface"}
    workers : int, optional
        Default: the cores available.
    client : distributed.Client, optional

    Returns
    -------
    Sweep
    """
    from qgsym.responses.nonlinear import resolve_formula_keys  # noqa: PLC0415 (slow import deferred: responses load scipy.optimize, ~0.3 s)

    if isinstance(model, str):
        model = load_model(model)
    if parameter not in dict(getattr(model, "parameters", {})):
        raise QgsymError(f"model '{model.name}' has no parameter '{parameter}'")
    if form not in ("sea", "surface"):
        raise QgsymError(f"form must be sea or surface, got {form!r}")
    values = np.atleast_1d(np.asarray(values, dtype=float))
    mus = np.atleast_1d(np.asarray(mu, dtype=float))
    if values.ndim != 1 or not np.all(np.isfinite(values)) or not values.size:
        raise QgsymError("the parameter values must be a non-empty list of finite numbers")
    keys = resolve_formula_keys(tuple(formulas))
    task = functools.partial(_sweep_point, model, parameter, mus, float(T), grid, keys, form)
    with session(workers, client=client) as runner:
        points = list(chunk_map(task, list(values), runner, label="sweep points"))
    return Sweep(
        parameter=parameter, values=values, mu=mus, T=float(T), grid=grid,
        sigma2={k: np.stack([p[0][k] for p in points]) for k in keys},
        ahc=np.stack([p[1] for p in points]), drude=np.stack([p[2] for p in points]),
        error_bound=np.array([p[3] for p in points]))
