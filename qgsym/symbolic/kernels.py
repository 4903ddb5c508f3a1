"""SymPy -> vectorised NumPy kernels (lambdify with common-subexpression elimination).

The symbolic stage ends here: a list of SymPy expressions in some arguments becomes a
function of NumPy arrays. The generated source is kept (``kernel.source``, inspectable) and
cached on disk by a hash of the expressions (:mod:`qgsym.cache`), so a model seen before
costs no lambdify.

:class:`BlochHamiltonian` bundles the kernels of H(k), dH/dk_i and d2H/dk_i dk_j for a
numeric model matrix (and, built on first use, d3H/dk_i dk_j dk_l for the analytic Fermi-sea
dipoles of :mod:`qgsym.bands.dipoles`); the numeric geometry (:mod:`qgsym.bands.geometry`)
works from it.

Functions SymPy produces when differentiating grammar entries and that NumPy lacks are
given here: ``DiracDelta`` (from the derivative of ``sign``, itself the derivative of
``Abs = sqrt(x**2)``, e.g. |d| of a one-component Clifford model) is 0 at a non-zero
argument, and a band crossing exactly on a grid point (argument 0) is refused with a
:class:`~qgsym.errors.GapClosingError`. A kernel whose source still names a function
unknown to NumPy is refused with a one-line :class:`~qgsym.errors.ModelError`, never left to
fail with a ``NameError`` at evaluation.
"""

from __future__ import annotations

import builtins
import dis
import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import sympy

from qgsym.cache import cache_key, cached_text
from qgsym.errors import GapClosingError, ModelError


def dirac_delta(argument, order: int = 0) -> np.ndarray:
    """Numeric δ^(order)(x) on a grid: 0 where x ≠ 0; a grid point with x = 0 is refused.

    .. math::
        \\delta^{(n)}(x) = 0 \\quad (x \\neq 0).

    SymPy writes ∂_k sign(f(k)) = 2 f'(k) δ(f(k)) for the derivatives of |f|; off the set
    f = 0 this vanishes and the band-sorted derivatives equal those of the smooth orbital
    bands. On f = 0 (two bands cross) they are undefined.

    Parameters
    ----------
    argument : array_like, shape (P,)
    order : int

    Returns
    -------
    ndarray, shape (P,)
        Zeros.

    Raises
    ------
    GapClosingError
        Some entry of ``argument`` is exactly 0.
    """
    argument = np.asarray(argument)
    if np.any(argument == 0):
        raise GapClosingError(
            "two bands cross exactly on a grid point, where the band-sorted derivatives this "
            "quantity needs (a DiracDelta of 0) are undefined; refused on this grid")
    return np.zeros(argument.shape)


@lru_cache(maxsize=1)
def _numpy_namespace() -> dict:
    """The namespace lambdify itself gives numpy-printed code, plus :func:`dirac_delta`."""
    namespace = dict(sympy.lambdify([], 0, modules="numpy").__globals__)
    namespace["DiracDelta"] = dirac_delta
    return namespace


def _compile_kernel(source: str, key: str, shape: tuple[int, ...]) -> Kernel:
    """Compile lambdify's ``source`` in the NumPy namespace; refuse names it does not know.

    Raises
    ------
    ModelError
        The source calls a function the namespace lacks (SymPy had no NumPy printer for it).
    """
    namespace = dict(_numpy_namespace())
    exec(compile(source, f"<qgsym kernel {key[:12]}>", "exec"), namespace)  # our own code
    function = namespace["_lambdifygenerated"]
    unknown = sorted({
        instruction.argval for instruction in dis.get_instructions(function)
        if instruction.opname == "LOAD_GLOBAL"
        and instruction.argval not in namespace and not hasattr(builtins, instruction.argval)
    })
    if unknown:
        raise ModelError(
            f"the model's derivatives need {', '.join(unknown)}, which qgsym cannot evaluate "
            "numerically; rewrite the entries without it (e.g. avoid sqrt of a square)")
    return Kernel(shape=tuple(shape), source=source, function=function)


@dataclass(frozen=True)
class Kernel:
    """A vectorised function of arrays returning an array of fixed trailing shape.

    Attributes
    ----------
    shape : tuple of int
        Trailing shape of the result (e.g. (N, N) for a matrix).
    source : str
        The generated Python source (for inspection).
    """

    shape: tuple[int, ...]
    source: str
    function: object

    def __call__(self, *arguments: np.ndarray) -> np.ndarray:
        """Evaluate on broadcastable arrays; returns complex array of shape (*batch, *shape)."""
        arrays = [np.asarray(a, dtype=float) for a in arguments]
        batch = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
        with np.errstate(all="ignore"):
            entries = self.function(*arrays)
        out = np.empty((*batch, len(entries)), dtype=complex)
        for index, entry in enumerate(entries):
            out[..., index] = entry
        return out.reshape(*batch, *self.shape)


def make_kernel(
    expressions: Sequence[sympy.Expr], arguments: Sequence[sympy.Symbol], shape: tuple[int, ...]
) -> Kernel:
    """Lambdify ``expressions`` (flattened, row-major for ``shape``) with cse, cached on disk."""
    expressions = [sympy.sympify(e) for e in expressions]
    if int(np.prod(shape)) != len(expressions):
        raise ValueError(f"shape {shape} does not match {len(expressions)} expressions")
    key = cache_key("kernel", repr(tuple(map(sympy.srepr, arguments))),
                    *map(sympy.srepr, expressions))

    def build() -> str:
        function = sympy.lambdify(list(arguments), list(expressions), modules="numpy", cse=True)
        return inspect.getsource(function)

    return _compile_kernel(cached_text("kernels", key, build), key, shape)


def make_kernel_from_builder(
    key_parts: tuple[str, ...], build_expressions, arguments: Sequence[sympy.Symbol],
    shape: tuple[int, ...],
) -> Kernel:
    """Like :func:`make_kernel`, but the expressions are built only on a cache miss.

    ``key_parts`` must determine the expressions completely (e.g. ``srepr`` of the model
    matrix and the kernel's name); ``build_expressions()`` returns the flattened list. Use it
    when building the expressions (symbolic derivatives of large closed forms) is the slow
    part.
    """
    key = cache_key("kernel-builder", repr(tuple(map(sympy.srepr, arguments))), *key_parts)

    def build() -> str:
        expressions = [sympy.sympify(e) for e in build_expressions()]
        if int(np.prod(shape)) != len(expressions):
            raise ValueError(f"shape {shape} does not match {len(expressions)} expressions")
        function = sympy.lambdify(list(arguments), expressions, modules="numpy", cse=True)
        return inspect.getsource(function)

    return _compile_kernel(cached_text("kernels", key, build), key, shape)


@dataclass(frozen=True)
class BlochHamiltonian:
    """Numeric kernels of a Bloch Hamiltonian and its first and second k-derivatives.

    Attributes
    ----------
    dimension : int
    n_bands : int
    expression : tuple or None
        (matrix, momenta) the kernels were built from (:meth:`from_matrix`); needed for the
        third-derivative kernel, which is built (and cached on disk) only when first used.
    """

    dimension: int
    n_bands: int
    matrix_kernel: Kernel
    derivative_kernel: Kernel
    second_derivative_kernel: Kernel
    expression: tuple | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_matrix(cls, matrix: sympy.Matrix, momenta: Sequence[sympy.Symbol]):
        """Build kernels from a numeric (parameter-free) SymPy matrix in ``momenta``."""
        n = matrix.shape[0]
        d = len(momenta)
        entries = list(matrix)
        first = [sympy.diff(e, k) for k in momenta for e in entries]
        second = [sympy.diff(e, k1, k2) for k1 in momenta for k2 in momenta for e in entries]
        return cls(
            dimension=d,
            n_bands=n,
            matrix_kernel=make_kernel(entries, momenta, (n, n)),
            derivative_kernel=make_kernel(first, momenta, (d, n, n)),
            second_derivative_kernel=make_kernel(second, momenta, (d, d, n, n)),
            expression=(sympy.ImmutableMatrix(matrix), tuple(momenta)),
        )

    @property
    def supports_third_derivative(self) -> bool:
        """True when :meth:`third_derivative` is available (built from a SymPy matrix)."""
        return self.expression is not None

    @cached_property
    def third_derivative_kernel(self) -> Kernel:
        """Kernel of d3H/dk_i dk_j dk_l, shape (d, d, d, N, N); lambdified on first use."""
        if self.expression is None:
            raise ModelError("this Hamiltonian has no symbolic matrix: no third-derivative kernel")
        matrix, momenta = self.expression
        n, d = self.n_bands, self.dimension
        entries = list(matrix)

        def build():
            return [sympy.diff(e, k1, k2, k3) for k1 in momenta for k2 in momenta
                    for k3 in momenta for e in entries]

        return make_kernel_from_builder(
            (sympy.srepr(matrix), "third-derivative"), build, momenta, (d, d, d, n, n))

    def matrix(self, k: np.ndarray) -> np.ndarray:
        """H(k): k of shape (P, d) -> (P, N, N)."""
        k = np.atleast_2d(k)
        return self.matrix_kernel(*k.T)

    def derivative(self, k: np.ndarray) -> np.ndarray:
        """dH/dk_i: (P, d) -> (d, P, N, N)."""
        k = np.atleast_2d(k)
        return np.moveaxis(self.derivative_kernel(*k.T), 1, 0)

    def second_derivative(self, k: np.ndarray) -> np.ndarray:
        """d2H/dk_i dk_j: (P, d) -> (d, d, P, N, N)."""
        k = np.atleast_2d(k)
        return np.moveaxis(self.second_derivative_kernel(*k.T), 0, 2)

    def third_derivative(self, k: np.ndarray) -> np.ndarray:
        """d3H/dk_i dk_j dk_l: (P, d) -> (d, d, d, P, N, N)."""
        k = np.atleast_2d(k)
        return np.moveaxis(self.third_derivative_kernel(*k.T), 0, 3)
