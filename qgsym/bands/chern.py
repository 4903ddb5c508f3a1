"""Chern numbers two independent ways: ∫Ω on a grid, and Fukui–Hatsugai–Suzuki link variables.

Sign convention (SPEC): :math:`C_n = \\frac{1}{2\\pi}\\int_{BZ} \\Omega_n^{xy} d^2k` with
:math:`\\Omega = -2\\,\\mathrm{Im}\\,Q` and :math:`A_n = \\langle u_n|i\\partial u_n\\rangle`.
Fukui, Hatsugai, Suzuki, J. Phys. Soc. Jpn. 74, 1674 (2005), doi:10.1143/JPSJ.74.1674, define
:math:`C = \\frac{1}{2\\pi i}\\sum F` with :math:`A = \\langle u|\\partial u\\rangle`, which is
minus ours; :func:`chern_fhs` returns ours, :math:`C = -\\frac{1}{2\\pi}\\sum_{plaquettes}
\\arg(U_1 U_2 U_1^{-1} U_2^{-1})`.

For a degenerate multiplet the link variable is the determinant of the overlap matrix of the
multiplet (non-Abelian FHS), and the curvature is the multiplet trace.
"""

from __future__ import annotations

import numpy as np

from qgsym.bands.geometry import multiplet_sum
from qgsym.bands.kspace import integrate_with_error
from qgsym.errors import QgsymError


def _require_2d_lattice(model, what: str) -> None:
    if model.dimension != 2 or not model.lattice:
        raise QgsymError(f"{what} needs a 2D lattice model; '{model.name}' is "
                         f"{model.dimension}D {'lattice' if model.lattice else 'continuum'}")


def chern_fhs(model, n: int) -> np.ndarray:
    """Chern number of each multiplet by FHS link variables on an n x n grid.

    The eigenvectors are computed at every point of the closed (n+1) x (n+1) grid of
    fractional coordinates i/n, so a lattice model whose matrix is not periodic in the
    declared cell (sublattice basis) is handled correctly: its link variables are periodic.

    Returns
    -------
    ndarray, shape (number of multiplets,)
    """
    _require_2d_lattice(model, "the FHS Chern number")
    axis = np.arange(n + 1) / n
    fractions = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    _, vectors = np.linalg.eigh(model.hamiltonian.matrix(fractions @ model.reciprocal))
    vectors = vectors.reshape(n + 1, n + 1, model.n_bands, model.n_bands)
    result = []
    for group in model.multiplets:
        u = vectors[..., list(group)]  # (n+1, n+1, N, r)

        def link(a, b):
            overlap = np.conj(np.swapaxes(a, -1, -2)) @ b
            value = np.linalg.det(overlap)
            return value / np.abs(value)

        u1 = link(u[:-1, :-1], u[1:, :-1])  # link in direction 1 at k
        u2 = link(u[:-1, :-1], u[:-1, 1:])  # direction 2 at k
        u1_up = link(u[:-1, 1:], u[1:, 1:])  # direction 1 at k + e2
        u2_right = link(u[1:, :-1], u[1:, 1:])  # direction 2 at k + e1
        plaquette = np.angle(u1 * u2_right * np.conj(u1_up) * np.conj(u2))
        result.append(-plaquette.sum() / (2 * np.pi))
    return np.array(result)


def chern_curvature(model, n: int) -> tuple[np.ndarray, float]:
    """Chern number of each multiplet as (1/2π)∫Ω^{xy} d²k = 2π ∫[dk] Ω^{xy}.

    Returns
    -------
    values : ndarray, shape (number of multiplets,)
    error_estimate : float
        |C(n) - C(n/2)|.
    """
    if model.dimension != 2:
        raise QgsymError(f"a Chern number needs a 2D model; '{model.name}' is {model.dimension}D")
    value, error, _ = integrate_with_error(
        model,
        n,
        lambda g: 2 * np.pi * multiplet_sum(g.berry_curvature[0, 1], model.multiplets).T,
    )
    return value, error


#: |C_FHS - nearest integer| above which the FHS sum is not an integer (a closed torus of
#: link variables gives an integer up to rounding of ~n² angles, ~1e-12 at n = 1000).
FHS_INTEGER_TOLERANCE = 1e-6
#: Largest accepted |∫Ω − C_FHS| and |∫Ω(N) − ∫Ω(N/2)|: the contract's default tolerance 1e-2
#: applied to a Chern number of magnitude 1 (the quantum of C).
CHERN_AGREEMENT_TOLERANCE = 1e-2


def chern_checks(fhs: np.ndarray, curvature: np.ndarray, curvature_error: float) -> tuple[str, ...]:
    """Consistency of a lattice model's Chern numbers; one warning line per failed check.

    Checks (M multiplets):

    .. math::
        |C^{FHS}_a - \\mathrm{round}(C^{FHS}_a)| \\le 10^{-6}, \\quad
        |C^{\\Omega}_a - C^{FHS}_a| \\le 10^{-2}, \\quad
        \\delta C^{\\Omega} \\le 10^{-2}, \\quad
        \\sum_a \\mathrm{round}(C^{FHS}_a) = 0,

    the last because all bands together span the trivial bundle of a lattice model.

    Parameters
    ----------
    fhs : ndarray, shape (M,)
        From :func:`chern_fhs`.
    curvature : ndarray, shape (M,)
        From :func:`chern_curvature`.
    curvature_error : float
        |C^Ω(N) − C^Ω(N/2)|.

    Returns
    -------
    tuple of str
        Empty when every check passes; otherwise the result is not converged.
    """
    warnings = []
    integers = np.round(fhs)
    worst = int(np.argmax(np.abs(fhs - integers)))
    if abs(fhs[worst] - integers[worst]) > FHS_INTEGER_TOLERANCE:
        warnings.append(f"the Fukui-Hatsugai-Suzuki Chern number of multiplet {worst} is "
                        f"{fhs[worst]:.6g}, not an integer: the grid does not resolve the bands")
    worst = int(np.argmax(np.abs(curvature - fhs)))
    if abs(curvature[worst] - fhs[worst]) > CHERN_AGREEMENT_TOLERANCE:
        warnings.append(f"the Chern number of multiplet {worst} is {fhs[worst]:.6g} by "
                        f"Fukui-Hatsugai-Suzuki but {curvature[worst]:.6g} by the integral of "
                        "the Berry curvature: not converged; use a finer --grid")
    if curvature_error > CHERN_AGREEMENT_TOLERANCE:
        warnings.append(f"the integral of the Berry curvature changes by {curvature_error:.3g} "
                        "between the grid and half of it: not converged; use a finer --grid")
    if integers.sum() != 0:
        warnings.append(f"the Chern numbers sum to {integers.sum():g}, not 0 as they must for a "
                        "lattice model: not converged")
    return tuple(warnings)
