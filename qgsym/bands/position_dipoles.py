"""Basis-connection terms of the analytic Fermi-sea dipoles (Wannier90 ``full`` interpolation).

In the ``full`` convention (Wang, Yates, Souza, Vanderbilt, PRB 74, 195118 (2006)) the tight-
binding basis has a Berry connection :math:`A^I_b(\\mathbf k)` (d, N, N), built from the
position matrix r(R) (:meth:`WannierHamiltonian.position_jet
<qgsym.model.wannier90.WannierHamiltonian.position_jet>`, with its first and second
k-derivatives). This module gives the terms it adds to the sum-over-states values and
derivatives of :mod:`qgsym.bands.dipoles` (whose docstring has the notation: V, v, A, the
covariant derivative :math:`O_{;a} = \\partial_aO + i[A^a, O]`).

Values (the convention of :func:`qgsym.bands.geometry.band_geometry`, reused exactly). With
:math:`\\bar A_b = V^\\dagger A^I_b V` and :math:`P_{\\rm off}` the projection on elements
between different multiplets, the band connection between multiplets (the interband part
of WYSV's :math:`\\mathcal A = \\bar A + iD`, :math:`D = V^\\dagger\\partial V`, whose
interband part iD is the tb A) is

.. math::
    B^b = A^b + P_{\\rm off}\\bar A^b, \\qquad
    Q^{bc}_D = \\sum_{n\\in D,m\\notin D} B^b_{nm}B^c_{mn},

:math:`g_D = \\mathrm{Re}\\,Q_D` and :math:`\\mathcal G_D = 2\\,\\mathrm{Re}\\sum B^b_{nm}
B^c_{mn}/(\\varepsilon_n-\\varepsilon_m)` (the tb formulas with A → B), and the Berry
curvature gains the basis curvature :math:`F^I_{bc} = \\partial_bA^I_c - \\partial_cA^I_b
- i[A^I_b, A^I_c]`:

.. math::
    \\Omega^{bc}_D = -2\\,\\mathrm{Im}\\,Q^{bc}_D + \\mathrm{Tr}_D\\bar F_{bc}, \\qquad
    \\bar F_{bc} = \\overline{\\partial_bA^I_c} - \\overline{\\partial_cA^I_b}
        - i[\\bar A_b, \\bar A_c]

(:math:`\\bar X = V^\\dagger X V`; V† commutes through the commutator). The inverse mass has no
basis term: the energies do not depend on the basis connection.

Derivatives. Every :math:`\\bar X = V^\\dagger X V` obeys
:math:`\\partial_a\\bar X_{nm} = \\overline{\\partial_aX}_{nm} + i[iD^a,\\bar X]_{nm}` with
the eigenvector connection iD (A^I does not enter here: :math:`\\bar X` is the product
V†·X·V, and besides ∂X only ∂V appears). The interband part of iD is the tb A; its
intra-multiplet part is block diagonal and drops out of every multiplet trace, and
:math:`P_{\\rm off}` commutes with a commutator with a block-diagonal matrix, so
:math:`(P_{\\rm off}\\bar X)_{;a} = P_{\\rm off}(\\bar X_{;a})`. Hence

.. math::
    (B^b)_{;a} = (A^b)_{;a} + P_{\\rm off}\\big(\\overline{\\partial_aA^I_b}
        + i[A^a, \\bar A_b]\\big),

with :math:`(A^b)_{;a}` of :mod:`qgsym.bands.dipoles`; :math:`\\partial_aQ_D` and
:math:`\\partial_a\\mathcal G_D` are the tb formulas with A → B, (A)_{;a} → (B)_{;a} (B and
(B^b)_{;a} are Hermitian, as A and (A^b)_{;a} are). The curvature term:

.. math::
    \\partial_a\\mathrm{Tr}_D\\bar F_{bc} = \\mathrm{Tr}_D\\Big[
        \\overline{\\partial_a\\partial_bA^I_c} - \\overline{\\partial_a\\partial_cA^I_b}
        - i[\\overline{\\partial_aA^I_b}, \\bar A_c] - i[\\bar A_b, \\overline{\\partial_aA^I_c}]
        \\Big] - 2\\,\\mathrm{Im}\\sum_{n\\in D}\\sum_l A^a_{nl}(\\bar F_{bc})_{ln},

where, X and Y Hermitian, :math:`-i[X, Y]_{nn} = 2\\,\\mathrm{Im}\\sum_l X_{nl}Y_{ln}`, and
the last term is :math:`i\\,\\mathrm{Tr}_D[A^a, \\bar F_{bc}]` (F̄ Hermitian).

Without a basis connection every term here vanishes and :mod:`qgsym.bands.dipoles` is the tb
form. Validity as there (multiplets degenerate at every k, gaps between them open); the
finite difference of :func:`~qgsym.bands.geometry.band_geometry`'s ``full`` values is the
independent check (``method="finite-difference"``). Array namespace ``xp`` as there (``@``,
``.mT``, ``xp.asarray``, ``xp.conj``, ``xp.real``, ``xp.imag``, ``xp.where``, ``xp.sum``,
``xp.linalg.diagonal``, ``xp.reshape``, ``xp.permute_dims``, ``xp.zeros_like``, integer-array
indexing along the first axis, broadcasting).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qgsym.bands.geometry import flip


@dataclass(frozen=True)
class RotatedBasis:
    """The basis connection and its k-derivatives in the band basis of one block of points.

    Attributes
    ----------
    connection : array, shape (d, P, N, N)
        :math:`\\bar A_b = V^\\dagger A^I_b V`.
    derivative : array, shape (d, d, P, N, N)
        [a, b] = :math:`V^\\dagger\\partial_aA^I_b V`.
    curvature : array, shape (d, d, P, N, N)
        [b, c] = :math:`\\bar F_{bc}` (module docstring), Hermitian in (n, m).
    curl_diagonal : array or None, shape (d, d, d, P, N), real
        [a, b, c] = :math:`(V^\\dagger(\\partial_a\\partial_bA^I_c
        - \\partial_a\\partial_cA^I_b)V)_{nn}`; None when only values are needed.
    """

    connection: object
    derivative: object
    curvature: object
    curl_diagonal: object


def basis_unavailable(hamiltonian) -> str:
    """Why the basis terms cannot be formed for ``hamiltonian`` ('' when they can or are 0)."""
    connection = getattr(hamiltonian, "basis_connection", None)
    if not callable(connection) or getattr(hamiltonian, "interpolation", "full") == "tb":
        return ""
    if callable(getattr(hamiltonian, "position_jet", None)):
        return ""
    return ("the tight-binding basis has a Berry connection (Wannier90 'full' "
            "interpolation) but the model gives no position_jet (its k-derivatives)")


def position_jet(hamiltonian, k, derivatives: bool):
    """``hamiltonian.position_jet(k, 2 or 1)`` (NumPy) for a ``full`` model, else None."""
    jet = getattr(hamiltonian, "position_jet", None)
    if not callable(jet):
        return None
    return jet(k, 2 if derivatives else 1)


@lru_cache(maxsize=8)
def _curl_index(d: int):
    """Rows (a, b < c) of the curl of ∂²A^I: packed rows of ∂_a∂_bA_c and ∂_a∂_cA_b (in the
    (K·d) layout of :meth:`position_jet`), and the map of (a, b, c) to a row with its sign
    (0 for b = c)."""
    pairs = list(itertools.combinations_with_replacement(range(d), 2))
    rows = [(a, b, c) for a in range(d) for b in range(d) for c in range(b + 1, d)]
    plus = [pairs.index(tuple(sorted((a, b)))) * d + c for a, b, c in rows]
    minus = [pairs.index(tuple(sorted((a, c)))) * d + b for a, b, c in rows]
    index = np.zeros((d, d, d), dtype=int)
    sign = np.zeros((d, d, d))
    for a, b, c in itertools.product(range(d), repeat=3):
        if b != c:
            index[a, b, c] = rows.index((a, min(b, c), max(b, c)))
            sign[a, b, c] = 1.0 if b < c else -1.0
    return plus, minus, index.reshape(-1), sign.reshape(-1)


def rotate(parts, vectors, xp) -> RotatedBasis:
    """Rotate ``parts`` = [A^I, ∂A^I, (∂²A^I packed)] into the band basis V (P, N, N)."""
    dagger = flip(xp.conj(vectors))
    connection = dagger @ xp.asarray(parts[0]) @ vectors
    derivative = dagger @ xp.asarray(parts[1]) @ vectors
    product = connection[:, None] @ connection[None, :]  # Ā_b Ā_c
    curvature = (derivative - xp.permute_dims(derivative, (1, 0, 2, 3, 4))
                 - 1j * (product - xp.permute_dims(product, (1, 0, 2, 3, 4))))
    curl = None
    if len(parts) > 2:
        d, n_points, n_bands = connection.shape[0], vectors.shape[0], vectors.shape[-1]
        second = xp.asarray(parts[2])
        second = xp.reshape(second, (second.shape[0] * d, n_points, n_bands, n_bands))
        shape = (d, d, d, n_points, n_bands)
        plus, minus, index, sign = _curl_index(d)
        if not plus:  # d = 1: no pair b < c
            return RotatedBasis(connection, derivative, curvature,
                                xp.zeros_like(xp.reshape(xp.real(second[:1, :, 0]), shape)))
        rows = second[xp.asarray(plus)] - second[xp.asarray(minus)]
        # (V† X V)_nn = Σ_i conj(V_in) (X V)_in; X Hermitian, so the diagonal is real
        diagonal = xp.real(xp.sum(xp.conj(vectors) * (rows @ vectors), axis=-2))
        curl = xp.reshape(diagonal[xp.asarray(index)] * xp.asarray(sign)[:, None, None], shape)
    return RotatedBasis(connection, derivative, curvature, curl)


def _hermitian_pair_diagonal(left, right, xp):
    """out[i, j, p, n] = Σ_l left[i, p, n, l] right[j, p, l, n] for Hermitian ``right``."""
    return xp.sum(left[:, None] * xp.conj(right)[None, :], axis=-1)


def band_connection(connection, basis: RotatedBasis, same, xp):
    """B^b = A^b + P_off Ā_b, shape (d, P, N, N) (zero inside multiplets)."""
    rotated = basis.connection
    return connection + xp.where(same, xp.zeros_like(rotated), rotated)


def curvature(basis: RotatedBasis, xp):
    """(F̄_bc)_nn, shape (d, d, P, N) (real): the basis term of Ω^{bc}_n."""
    return xp.real(xp.linalg.diagonal(basis.curvature))


def connection_derivative(connection, basis: RotatedBasis, same, xp):
    """P_off(∂_aĀ_b + i[A^a, Ā_b]), shape (d·d, P, N, N), index a·d + b: added to (A^b)_{;a}."""
    d = connection.shape[0]
    product = connection[:, None] @ basis.connection[None, :]  # A^a Ā_b; Ā_b A^a is its †
    term = basis.derivative + 1j * (product - flip(xp.conj(product)))
    term = xp.where(same, xp.zeros_like(term), term)
    return xp.reshape(term, (d * d, *term.shape[2:]))


def curvature_derivative(connection, basis: RotatedBasis, xp):
    """∂_a Tr_D F̄_bc per band (sum it over a multiplet), shape (d, d, d, P, N), [a, b, c]."""
    derivative, rotated, internal = basis.derivative, basis.connection, basis.curvature
    d = rotated.shape[0]
    shape = (d, d, d, *basis.curl_diagonal.shape[3:])  # (a, b, c, P, N)
    # first[a, b, c] = Im Σ_l (∂_aĀ_b)_nl Ā^c_ln; Im Σ_l Ā^b_nl (∂_aĀ_c)_ln = −first[a, c, b]
    first = xp.reshape(xp.imag(_hermitian_pair_diagonal(
        xp.reshape(derivative, (d * d, *derivative.shape[2:])), rotated, xp)), shape)
    cross = 2.0 * (first - xp.permute_dims(first, (0, 2, 1, 3, 4)))
    transport = _hermitian_pair_diagonal(  # [a, b·d + c] = Σ_l A^a_nl F̄_bc,ln
        connection, xp.reshape(internal, (d * d, *internal.shape[2:])), xp)
    return basis.curl_diagonal + cross - 2.0 * xp.reshape(xp.imag(transport), shape)
