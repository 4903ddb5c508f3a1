"""BlochModel: an immutable Bloch Hamiltonian H(k) with its parameters, domain and symmetries.

A model is data. It is built from a TOML file by :func:`qgsym.model.loader.load_model` (entries
parsed by the whitelist parser :mod:`qgsym.model.expr`) or directly from a SymPy matrix with
:func:`bloch_model`. The symbolic matrix keeps parameters as symbols (so derivations can stay
general); :attr:`BlochModel.numeric_matrix` substitutes their values.

Validation done on construction:

* square, non-empty matrix of size N; momenta ``kx, ky, kz`` limited to the dimension;
* every parameter declared, real and finite; no unknown symbol;
* Hermitian: symbolically when SymPy decides quickly, always numerically at random k
  (relative tolerance 1e-10);
* lattice models: whether H(k + b_i) = H(k) for each reciprocal vector ``b_i`` (recorded in
  :attr:`BlochModel.periodic`; a sublattice basis with ``cos(kx/2)`` is not periodic, which
  is allowed, but forms that assume a periodic *matrix* must not be used on it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType

import numpy as np
import sympy

from qgsym.errors import ModelError
from qgsym.model.expr import check_expansion
from qgsym.model.multiplets import generic_multiplets
from qgsym.symbolic.kernels import BlochHamiltonian

MOMENTUM_NAMES = ("kx", "ky", "kz")
MOMENTA = tuple(sympy.Symbol(name, real=True) for name in MOMENTUM_NAMES)
AXES = "xyz"
RESERVED_NAMES = frozenset({*MOMENTUM_NAMES, "I", "pi", "E", "e"})


@dataclass(frozen=True)
class SymmetryOperator:
    """A (possibly antiunitary) symmetry operation g acting on Bloch Hamiltonians.

    The model is invariant under g when

    .. math::
        U H(k) U^\\dagger = H(R k) \\quad\\text{(unitary)}, \\qquad
        U H(k)^* U^\\dagger = H(R k) \\quad\\text{(antiunitary)}.

    Attributes
    ----------
    name : str
    matrix : sympy.ImmutableMatrix, shape (N, N)
        The unitary part U.
    antiunitary : bool
    k_action : sympy.ImmutableMatrix, shape (d, d)
        R, the action on crystal momentum (for T: R = -1; for PT: R = +1).
    """

    name: str
    matrix: sympy.ImmutableMatrix
    antiunitary: bool
    k_action: sympy.ImmutableMatrix

    @property
    def unitary_array(self) -> np.ndarray:
        return np.array(self.matrix.evalf(), dtype=complex)

    @property
    def k_action_array(self) -> np.ndarray:
        return np.array(self.k_action.evalf(), dtype=float)


@dataclass(frozen=True)
class BlochModel:
    """An immutable Bloch Hamiltonian.

    Attributes
    ----------
    name, description, source : str
    dimension : int
        Number of momenta (1, 2 or 3).
    lattice : bool
        True for a periodic (tight-binding) model, False for a continuum model.
    matrix : sympy.ImmutableMatrix, shape (N, N)
        H(k) in the momenta (:attr:`momenta`) and parameter symbols.
    parameters : Mapping[str, float]
        Parameter values (read-only mapping).
    reciprocal : numpy.ndarray, shape (d, d)
        Rows are reciprocal vectors b_i (lattice models); the BZ is their span.
    cutoff : float or None
        Continuum models integrate over :math:`|k_i| \\le` cutoff.
    units : Mapping[str, str]
        ``energy`` and ``length`` units of the model's numbers.
    symmetries, broken_symmetries : tuple of SymmetryOperator
        Declared symmetries, and operators the source says are broken.
    periodic : bool or None
        Lattice models: whether H(k + b_i) = H(k) (None for continuum models).
    """

    name: str
    dimension: int
    lattice: bool
    matrix: sympy.ImmutableMatrix
    parameters: Mapping[str, float]
    reciprocal: np.ndarray | None = None
    cutoff: float | None = None
    units: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"energy": "arb.", "length": "arb."})
    )
    description: str = ""
    source: str = ""
    symmetries: tuple[SymmetryOperator, ...] = ()
    broken_symmetries: tuple[SymmetryOperator, ...] = ()
    periodic: bool | None = None
    path: str = ""

    # -- derived, cached (the object is immutable, so caching is safe) --------------------
    @property
    def momenta(self) -> tuple[sympy.Symbol, ...]:
        return MOMENTA[: self.dimension]

    @property
    def axes(self) -> str:
        return AXES[: self.dimension]

    @property
    def n_bands(self) -> int:
        return self.matrix.shape[0]

    @cached_property
    def parameter_symbols(self) -> dict[str, sympy.Symbol]:
        return {name: sympy.Symbol(name, real=True) for name in self.parameters}

    @cached_property
    def numeric_matrix(self) -> sympy.ImmutableMatrix:
        """H(k) with the parameter values substituted (exact rationals where possible).

        Raises
        ------
        ExpressionError
            An entry whose expansion with these values (e.g. a parameter as exponent) would
            exceed the symbolic budget (:func:`qgsym.model.expr.check_expansion`).
        """
        values = {
            symbol: sympy.nsimplify(self.parameters[name], rational=True)
            for name, symbol in self.parameter_symbols.items()
        }
        matrix = sympy.ImmutableMatrix(self.matrix.xreplace(values))
        for (i, j), entry in np.ndenumerate(np.array(matrix.tolist(), dtype=object)):
            check_expansion(entry, f"model '{self.name}': hamiltonian.matrix[{i}][{j}] "
                                   f"with parameters {dict(self.parameters)}")
        return matrix

    @cached_property
    def hamiltonian(self):
        """Numeric H(k), dH/dk, d2H/dk2 kernels (:class:`qgsym.symbolic.kernels.BlochHamiltonian`).

        The symbolic stage ends in :mod:`qgsym.symbolic.kernels` (lambdify, cached on disk);
        the band engines (:mod:`qgsym.bands`) only evaluate these kernels.
        """
        return BlochHamiltonian.from_matrix(self.numeric_matrix, self.momenta)

    @cached_property
    def multiplets(self) -> tuple[tuple[int, ...], ...]:
        """Generic degenerate multiplets (e.g. Kramers pairs), found at random k."""
        return generic_multiplets(self.hamiltonian, random_momenta(self, 7, seed=2024))

    @property
    def brillouin_zone_volume(self) -> float:
        if self.lattice:
            return float(abs(np.linalg.det(self.reciprocal)))
        return float((2 * self.cutoff) ** self.dimension)

    def with_parameters(self, overrides: Mapping[str, float]) -> BlochModel:
        """Return a copy with some parameter values replaced (``--set NAME=VALUE``)."""
        if not overrides:
            return self
        parameters = dict(self.parameters)
        for name, value in overrides.items():
            if name not in parameters:
                known = ", ".join(sorted(parameters)) or "none"
                raise ModelError(
                    f"model '{self.name}' has no parameter '{name}' (parameters: {known})"
                )
            parameters[name] = _finite_parameter(name, value)
        candidate = replace(self, parameters=MappingProxyType(parameters))
        candidate.__dict__.pop("numeric_matrix", None)
        candidate.__dict__.pop("hamiltonian", None)
        candidate.__dict__.pop("parameter_symbols", None)
        candidate.__dict__.pop("multiplets", None)
        candidate.__dict__.pop("closed_form", None)  # qgsym.bands.closed_form.closed_form_of
        _check_hermitian_numerically(candidate)
        return candidate

    def summary(self) -> dict:
        """A JSON-ready description (``qgsym models show``)."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "dimension": self.dimension,
            "bands": self.n_bands,
            "lattice": self.lattice,
            "periodic_matrix": self.periodic,
            "cutoff": self.cutoff,
            "reciprocal": None if self.reciprocal is None else self.reciprocal.tolist(),
            "units": dict(self.units),
            "parameters": dict(self.parameters),
            "hamiltonian": [[str(entry) for entry in row] for row in self.matrix.tolist()],
            "symmetries": [s.name for s in self.symmetries],
            "broken_symmetries": [s.name for s in self.broken_symmetries],
        }


def _finite_parameter(name: str, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ModelError(f"parameter '{name}' = {value!r} is not a real number") from None
    if not math.isfinite(number):
        raise ModelError(f"parameter '{name}' = {value!r} is not finite")
    return number


def bloch_model(
    name: str,
    matrix,
    parameters: Mapping[str, float],
    *,
    dimension: int,
    lattice: bool,
    reciprocal=None,
    cutoff: float | None = None,
    units: Mapping[str, str] | None = None,
    description: str = "",
    source: str = "",
    symmetries: tuple[SymmetryOperator, ...] = (),
    broken_symmetries: tuple[SymmetryOperator, ...] = (),
    path: str = "",
) -> BlochModel:
    """Build and validate a :class:`BlochModel` from a SymPy matrix.

    Parameters
    ----------
    matrix : sympy matrix, shape (N, N)
        In the symbols ``kx, ky, kz`` (real) and ``Symbol(p, real=True)`` for each parameter.
    parameters : Mapping[str, float]
    dimension : int
    lattice : bool
    reciprocal : array_like, shape (d, d), optional
        Rows b_i; default 2*pi times the identity (lattice models).
    cutoff : float, optional
        Required for continuum models.

    Raises
    ------
    ModelError
        Non-square or empty matrix, bad dimension, undeclared symbol, non-finite parameter,
        non-Hermitian matrix, missing cutoff.
    """
    if dimension not in (1, 2, 3):
        raise ModelError(f"model '{name}': dimension must be 1, 2 or 3, got {dimension!r}")
    matrix = sympy.ImmutableMatrix(matrix)
    if matrix.shape[0] == 0 or matrix.shape[0] != matrix.shape[1]:
        raise ModelError(f"model '{name}': hamiltonian matrix is {matrix.shape}, not square")
    parameters = {p: _finite_parameter(p, v) for p, v in parameters.items()}
    for p in parameters:
        if p in RESERVED_NAMES or not p.isidentifier():
            raise ModelError(f"model '{name}': '{p}' cannot be a parameter name")
    allowed = set(MOMENTA[:dimension]) | {sympy.Symbol(p, real=True) for p in parameters}
    unknown = sorted(str(s) for s in matrix.free_symbols - allowed)
    if unknown:
        raise ModelError(
            f"model '{name}': hamiltonian uses undeclared symbol(s) {', '.join(unknown)}"
        )
    if lattice:
        reciprocal = (
            2 * np.pi * np.eye(dimension)
            if reciprocal is None
            else np.array(reciprocal, dtype=float)
        )
        if reciprocal.shape != (dimension, dimension) or not np.all(np.isfinite(reciprocal)):
            raise ModelError(f"model '{name}': reciprocal must be a finite {dimension}x{dimension}")
        if abs(np.linalg.det(reciprocal)) < 1e-12:
            raise ModelError(f"model '{name}': reciprocal vectors are linearly dependent")
        reciprocal.setflags(write=False)
        cutoff = None
    else:
        if cutoff is None:
            raise ModelError(f"model '{name}': a continuum model needs a 'cutoff'")
        cutoff = _finite_parameter("cutoff", cutoff)
        if cutoff <= 0:
            raise ModelError(f"model '{name}': cutoff must be positive, got {cutoff}")
        reciprocal = None
    for operator in (*symmetries, *broken_symmetries):
        if operator.matrix.shape != matrix.shape:
            raise ModelError(
                f"model '{name}': symmetry '{operator.name}' is {operator.matrix.shape}, "
                f"the hamiltonian is {matrix.shape}"
            )
        if operator.k_action.shape != (dimension, dimension):
            raise ModelError(
                f"model '{name}': symmetry '{operator.name}' k_action must be "
                f"{dimension}x{dimension}"
            )
    model = BlochModel(
        name=name,
        dimension=dimension,
        lattice=bool(lattice),
        matrix=matrix,
        parameters=MappingProxyType(parameters),
        reciprocal=reciprocal,
        cutoff=cutoff,
        units=MappingProxyType(dict(units or {"energy": "arb.", "length": "arb."})),
        description=description,
        source=source,
        symmetries=tuple(symmetries),
        broken_symmetries=tuple(broken_symmetries),
        path=path,
    )
    _check_hermitian_symbolically(model)
    _check_hermitian_numerically(model)
    if lattice:
        object.__setattr__(model, "periodic", _is_periodic(model))
    return model


def _check_hermitian_symbolically(model: BlochModel) -> None:
    difference = model.matrix - model.matrix.conjugate().T
    for entry in difference:
        if entry == 0:
            continue
        simplified = sympy.expand(entry)
        if simplified == 0:
            continue
        # SymPy could not decide quickly: the numeric check below decides.
        return


def random_momenta(model: BlochModel, count: int, seed: int = 12345) -> np.ndarray:
    """Reproducible random k points in the integration domain, shape (count, d)."""
    rng = np.random.default_rng(seed)
    fractions = rng.uniform(-0.5, 0.5, size=(count, model.dimension))
    if model.lattice:
        return fractions @ model.reciprocal
    return 2 * model.cutoff * fractions


def _check_hermitian_numerically(model: BlochModel) -> None:
    k = random_momenta(model, 16)
    try:
        with np.errstate(all="ignore"):
            h = model.hamiltonian.matrix(k)
    except (ZeroDivisionError, FloatingPointError, ValueError, TypeError) as error:
        raise ModelError(f"model '{model.name}': H(k) cannot be evaluated ({error})") from None
    if not np.all(np.isfinite(h)):
        raise ModelError(f"model '{model.name}': H(k) is not finite at some random k")
    deviation = np.max(np.abs(h - np.conj(np.swapaxes(h, -1, -2))))
    scale = max(1.0, float(np.max(np.abs(h))))
    if deviation > 1e-10 * scale:
        raise ModelError(
            f"model '{model.name}': hamiltonian is not Hermitian "
            f"(max |H - H^dagger| = {deviation:.3g} at random k)"
        )


def _is_periodic(model: BlochModel) -> bool:
    k = random_momenta(model, 8)
    h = model.hamiltonian.matrix(k)
    scale = max(1.0, float(np.max(np.abs(h))))
    for vector in model.reciprocal:
        if np.max(np.abs(model.hamiltonian.matrix(k + vector) - h)) > 1e-9 * scale:
            return False
    return True


@dataclass(frozen=True)
class NumericModel:
    """A lattice model known only numerically (Wannier90 ``_hr.dat``, tests, generated models).

    Attributes
    ----------
    name : str
    dimension : int
    reciprocal : ndarray, shape (d, d)
        Rows b_i.
    hamiltonian : object
        ``matrix(k) -> (P, N, N)``, ``derivative(k) -> (d, P, N, N)``,
        ``second_derivative(k) -> (d, d, P, N, N)`` with k Cartesian, shape (P, d).
    """

    name: str
    dimension: int
    reciprocal: np.ndarray
    hamiltonian: object
    n_bands: int
    units: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"energy": "arb.", "length": "arb."})
    )
    description: str = ""
    source: str = ""
    lattice: bool = True
    cutoff: float | None = None
    periodic: bool | None = True
    symmetries: tuple = ()
    broken_symmetries: tuple = ()
    parameters: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    path: str = ""

    @property
    def axes(self) -> str:
        return AXES[: self.dimension]

    @property
    def brillouin_zone_volume(self) -> float:
        return float(abs(np.linalg.det(self.reciprocal)))

    @cached_property
    def multiplets(self) -> tuple[tuple[int, ...], ...]:
        return generic_multiplets(self.hamiltonian, random_momenta(self, 7, seed=2024))

    def with_parameters(self, overrides: Mapping[str, float]):
        if overrides:
            raise ModelError(f"model '{self.name}' is numeric and has no parameters to --set")
        return self

    def summary(self) -> dict:
        return {
            "name": self.name, "description": self.description, "source": self.source,
            "dimension": self.dimension, "bands": self.n_bands, "lattice": True,
            "reciprocal": self.reciprocal.tolist(), "units": dict(self.units),
            "parameters": {}, "hamiltonian": "numeric (hopping matrices)",
        }
