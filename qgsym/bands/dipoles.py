"""Multiplet-summed band geometry and its k-derivatives (Fermi-sea dipoles) from one eigh.

For every generic multiplet D (a set of bands degenerate at every k, e.g. a Kramers pair)
this module returns the gauge-invariant multiplet sums of

* the Berry curvature :math:`\\Omega^{bc}_D = -2\\,\\mathrm{Im}\\,Q^{bc}_D`,
* the quantum metric :math:`g^{bc}_D = \\mathrm{Re}\\,Q^{bc}_D`,
* the band-normalized metric :math:`\\mathcal G^{bc}_D`,
* the inverse mass :math:`M^{bc}_D = \\sum_{n\\in D}\\partial_b\\partial_c\\varepsilon_n`,

and, optionally, their k-derivatives :math:`\\partial_a X^{bc}_D` ("dipoles"), analytically by
sum over states from one diagonalization and ∂H, ∂²H, ∂³H.

Derivation (V eigenvectors, :math:`v^a = V^\\dagger\\partial_aH V`,
:math:`W^{ab} = V^\\dagger\\partial_a\\partial_bH V`, :math:`T^{abc} = V^\\dagger
\\partial_a\\partial_b\\partial_cH V`, and for n, m in different multiplets
:math:`A^a_{nm} = i v^a_{nm}/(\\varepsilon_m-\\varepsilon_n)`, zero inside a multiplet):
the matrix of any operator O in the moving band basis obeys
:math:`\\partial_a O_{nm} = (\\partial_a O)_{nm} + i[\\mathcal A^a, O]_{nm}` with the full
Berry connection 𝒜. Splitting 𝒜 into the interband part A and the intra-multiplet part
(gauge dependent, block diagonal), the covariant derivative
:math:`O_{;a} = (\\partial_aO) + i[A^a, O]` obeys the Leibniz rule, and the intra part drops out
of every multiplet trace :math:`\\mathrm{Tr}_D` (a commutator with a block-diagonal matrix).
Because the multiplet is degenerate at every k, :math:`P_D\\partial_aH P_D =
\\partial_a\\varepsilon_D P_D`, so the energy matrix E has scalar blocks and
:math:`E_{;a} = \\partial_a E`. Then

.. math::
    (v^b)_{;a} = W^{ab} + i[A^a, v^b], \\qquad
    (W^{bc})_{;a} = T^{abc} + i[A^a, W^{bc}],

    (A^b_{nm})_{;a} = \\frac{i (v^b)_{;a,nm}}{\\varepsilon_m-\\varepsilon_n}
        - \\frac{i v^b_{nm}(v^a_{mm}-v^a_{nn})}{(\\varepsilon_m-\\varepsilon_n)^2}

(differentiate :math:`A^b(\\varepsilon_m-\\varepsilon_n) = i v^b_{nm}` covariantly), and with
:math:`Q^{bc}_D = \\sum_{n\\in D, m\\notin D}A^b_{nm}A^c_{mn}`,
:math:`\\mathcal G^{bc}_D = 2\\,\\mathrm{Re}\\sum_{n\\in D,m\\notin D}
A^b_{nm}A^c_{mn}/(\\varepsilon_n-\\varepsilon_m)`,
:math:`M^{bc}_D = \\sum_{n\\in D}[W^{bc}_{nn} + 2\\,\\mathrm{Re}\\sum_{m\\notin D}
v^b_{nm}v^c_{mn}/(\\varepsilon_n-\\varepsilon_m)]`:

.. math::
    \\partial_a Q^{bc}_D = \\sum_{n\\in D,m\\notin D}\\big[(A^b_{nm})_{;a}A^c_{mn}
        + A^b_{nm}(A^c_{mn})_{;a}\\big],

    \\partial_a \\mathcal G^{bc}_D = 2\\,\\mathrm{Re}\\sum_{n\\in D,m\\notin D}\\Big[
        \\frac{(A^b_{nm})_{;a}A^c_{mn} + A^b_{nm}(A^c_{mn})_{;a}}{\\varepsilon_n-\\varepsilon_m}
        - \\frac{A^b_{nm}A^c_{mn}(v^a_{nn}-v^a_{mm})}{(\\varepsilon_n-\\varepsilon_m)^2}\\Big],

    \\partial_a M^{bc}_D = \\sum_{n\\in D}\\Big[\\mathrm{Re}\\,T^{abc}_{nn}
        - 2\\,\\mathrm{Im}\\sum_{l}A^a_{nl}W^{bc}_{ln}
        + 2\\,\\mathrm{Re}\\sum_{m\\notin D}\\Big(
        \\frac{(v^b)_{;a,nm}v^c_{mn} + v^b_{nm}(v^c)_{;a,mn}}{\\varepsilon_n-\\varepsilon_m}
        - \\frac{v^b_{nm}v^c_{mn}(v^a_{nn}-v^a_{mm})}{(\\varepsilon_n-\\varepsilon_m)^2}\\Big)\\Big].

Groups at a point. Where adjacent multiplets closer than the degeneracy threshold form one
group G at a point (:func:`qgsym.bands.geometry.point_grouping`, :mod:`qgsym.model.multiplets`),
D above is G there, and E_{;a} is not scalar on G: it is the G block B^a of v^a. With
:math:`\\tilde B^a` its part off the diagonal (zero for a true multiplet) and
:math:`R[Y]_{nm} = Y_{nm}/(\\varepsilon_m-\\varepsilon_n)` off the groups (zero inside),
covariant differentiation of :math:`[A^b, E] = i v^b_{\\rm off}` and of :math:`[R[Y], E] = Y`
adds

.. math::
    \\Delta (A^b)_{;a} = -R\\big[[A^b, \\tilde B^a]\\big], \\qquad
    \\Delta \\partial_a \\mathcal G^{bc}_G = -2\\,\\mathrm{Re}\\sum_{n\\in G}\\big(A^b\\,
        R\\big[[R[A^c], \\tilde B^a]\\big]\\big)_{nn},

and the same term with v for ∂M (the Q and the first 𝒢, M terms follow from the corrected
(A^b)_{;a}). The sums are then the exact k-derivatives of the group sums (checked against
the finite difference with the groups held fixed over the stencil, as
:func:`_finite_difference` does). Each multiplet D ⊂ G is returned with the group energy
and velocity (means) and the share |D|/|G| of every group sum.

Validity. The analytic form needs the multiplets to be degenerate at every k (checked on
every point by :func:`qgsym.bands.geometry.check_gaps`, which also refuses a gap between
different multiplets below its tolerance: the formulas divide by up to the cube of the gap),
∂³H (``hamiltonian.third_derivative`` or ``hamiltonian.jet``), and, for a basis with a Berry
connection (Wannier90 ``full`` interpolation), its k-derivatives (``position_jet``; the terms
they add are derived in :mod:`qgsym.bands.position_dipoles`). Otherwise
:func:`analytic_unavailable` names the reason and :func:`multiplet_geometry` with
``method="auto"`` uses a fourth-order central finite difference of the multiplet sums (4·d
extra diagonalizations per point), which is also the independent check of the analytic path
(``method="finite-difference"``).

Array namespace. The analytic kernel takes ``xp`` (default :mod:`numpy`): an array-API
namespace (``numpy`` ≥ 2, ``array_api_compat.torch``, ``cupy``...). It uses only ``xp.asarray``,
``xp.linalg.eigh``, ``xp.linalg.diagonal``, ``@``, ``.mT``, ``xp.conj``, ``xp.real``,
``xp.imag``, ``xp.where``, ``xp.sum``, ``xp.reshape``, ``xp.permute_dims``, ``xp.ones_like``,
``xp.zeros_like``, ``xp.isfinite``, ``xp.all``, integer-array indexing along the first axis
and broadcasting arithmetic; the Hamiltonian's arrays (NumPy) are moved into ``xp``
once per chunk, and the results are returned as NumPy arrays. Nothing requires a GPU.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qgsym.bands import position_dipoles
from qgsym.bands.geometry import (
    band_energies,
    band_geometry,
    check_gaps,
    flip,
    multiplet_sum,
    point_grouping,
)
from qgsym.bands.kspace import k_derivative
from qgsym.errors import QgsymError

#: Multiplet-summed quantities, by their :class:`~qgsym.bands.geometry.BandGeometry` names.
FIELDS = ("berry_curvature", "quantum_metric", "band_normalized_metric", "inverse_mass")
#: ``method`` values of :func:`multiplet_geometry`.
METHODS = ("auto", "analytic", "finite-difference")
#: Complex entries of one (d, d, d, P, N, N) temporary per sub-chunk (memory ~ 10 of them).
_ENTRIES_PER_BLOCK = 1_000_000


@dataclass(frozen=True)
class MultipletGeometry:
    """Multiplet-level geometry at P points (M multiplets, d dimensions).

    Attributes
    ----------
    energies : ndarray, shape (P, M)
        Mean energy of each multiplet (its bands are degenerate).
    velocity : ndarray, shape (d, P, M)
        Mean band velocity ∂_a ε.
    values : dict
        Name in :data:`FIELDS` -> ndarray (d, d, P, M): multiplet sum X^{bc}_D.
    derivatives : dict or None
        Name -> ndarray (d, d, d, P, M), index order (a, b, c): ∂_a X^{bc}_D. None when not
        requested.
    method : str
        ``analytic`` or ``finite-difference`` (how ``derivatives`` were obtained), or ``none``.
    """

    energies: np.ndarray
    velocity: np.ndarray
    values: dict
    derivatives: dict | None
    method: str


def analytic_unavailable(hamiltonian) -> str:
    """Why the analytic derivatives cannot be used for ``hamiltonian`` ('' when they can)."""
    reason = position_dipoles.basis_unavailable(hamiltonian)
    if reason:
        return reason
    if hasattr(hamiltonian, "jet"):
        return ""
    if not getattr(hamiltonian, "supports_third_derivative",
                   callable(getattr(hamiltonian, "third_derivative", None))):
        return "the Hamiltonian provides no third k-derivative (e.g. a finite-difference model)"
    return ""


def hamiltonian_jet(hamiltonian, k: np.ndarray, order: int, packed: bool = False) -> list:
    """[H, ∂H, ∂²H, ∂³H][: order + 1] at k (P, d): shapes (P,N,N), (d,P,N,N), (d,d,P,N,N), ...

    Uses ``hamiltonian.jet(k, order, packed)`` when present (one phase product for hopping
    models). ``packed``: orders r ≥ 2 as (K_r, P, N, N) over ascending index tuples
    (``itertools.combinations_with_replacement``), as :meth:`WannierHamiltonian.jet
    <qgsym.model.wannier90.WannierHamiltonian.jet>`.
    """
    if hasattr(hamiltonian, "jet"):
        return list(hamiltonian.jet(k, order, packed))
    names = ("matrix", "derivative", "second_derivative", "third_derivative")
    parts = [getattr(hamiltonian, name)(k) for name in names[: order + 1]]
    if packed:
        d = np.atleast_2d(k).shape[1]
        for r in range(2, order + 1):
            parts[r] = np.stack([parts[r][c] for c in _symmetric_index(d, r)[0]])
    return parts


def multiplet_geometry(
    hamiltonian, k, multiplets, energy_scale: float | None = None, *,
    derivatives: bool = True, method: str = "auto", step: float | None = None, xp=np,
) -> MultipletGeometry:
    """Multiplet sums of Ω, g, 𝒢, inverse mass, and (optionally) their k-derivatives.

    Parameters
    ----------
    hamiltonian : object
        ``matrix``, ``derivative``, ``second_derivative`` (and ``third_derivative``) of k
        (P, d), or ``jet(k, order)`` (see :func:`hamiltonian_jet`).
    k : array_like, shape (P, d)
    multiplets : tuple of tuple of int
        Generic multiplets (:func:`qgsym.model.multiplets.generic_multiplets`).
    energy_scale : float, optional
        Gap-closing tolerance scale (:func:`qgsym.bands.geometry.check_gaps`).
    derivatives : bool
        False: values only (no ∂³H, no finite differences).
    method : {"auto", "analytic", "finite-difference"}
        ``auto``: analytic where :func:`analytic_unavailable` is empty, else finite
        differences; ``analytic`` refuses (QgsymError) where it is unavailable.
    step : float, optional
        Finite-difference step in k (required for finite differences).
    xp : array namespace
        For the analytic kernel (module docstring); the finite-difference path is NumPy.

    Returns
    -------
    MultipletGeometry

    Raises
    ------
    GapClosingError
        A gap between different multiplets closes, or a multiplet splits, at some k.
    QgsymError
        Unknown method, analytic requested where unavailable, non-finite H(k), no step.
    """
    if method not in METHODS:
        raise QgsymError(f"unknown derivative method {method!r} ({', '.join(METHODS)})")
    k = np.atleast_2d(np.asarray(k, dtype=float))
    reason = analytic_unavailable(hamiltonian)
    if derivatives and method == "analytic" and reason:
        raise QgsymError(f"analytic dipoles unavailable: {reason}")
    use_analytic = method == "analytic" or (method == "auto" and not reason)
    if not derivatives or use_analytic:
        if not derivatives and reason.startswith("the tight-binding basis"):
            return _finite_difference(hamiltonian, k, multiplets, energy_scale, None)
        return _analytic(hamiltonian, k, multiplets, energy_scale, derivatives, xp)
    if step is None:
        raise QgsymError("finite-difference dipoles need a k step")
    return _finite_difference(hamiltonian, k, multiplets, energy_scale, step)


def _level_values(hamiltonian, k, multiplets, scale, groups=None):
    geometry = band_geometry(hamiltonian, k, multiplets, scale, groups=groups)
    sizes = np.array([len(g) for g in multiplets])
    energies = multiplet_sum(geometry.energies, multiplets) / sizes
    velocity = multiplet_sum(geometry.velocity, multiplets) / sizes
    values = {name: multiplet_sum(getattr(geometry, name), multiplets) for name in FIELDS}
    return energies, velocity, values


def _finite_difference(hamiltonian, k, multiplets, scale, step) -> MultipletGeometry:
    """band_geometry multiplet sums; ∂_a by the fourth-order central difference (step⁴),
    every stencil point with the per-point groups of its centre."""
    energies, velocity, values = _level_values(hamiltonian, k, multiplets, scale)
    if step is None:
        return MultipletGeometry(energies, velocity, values, None, "none")
    groups = point_grouping(band_energies(hamiltonian, k), multiplets)[0]
    derivatives = {name: np.empty((k.shape[1], *v.shape)) for name, v in values.items()}
    for a in range(k.shape[1]):
        gradient = k_derivative(
            lambda q: _level_values(hamiltonian, q, multiplets, scale, groups)[2], k, a, step)
        for name in values:
            derivatives[name][a] = gradient[name]
    return MultipletGeometry(energies, velocity, values, derivatives, "finite-difference")


def _host(array) -> np.ndarray:
    """An ``xp`` array as NumPy (device arrays are copied to the host)."""
    if hasattr(array, "cpu") and not isinstance(array, np.ndarray):
        array = array.cpu()
    return np.asarray(array)


def _analytic(hamiltonian, k, multiplets, scale, derivatives, xp) -> MultipletGeometry:
    """Sub-chunked driver of :func:`_analytic_block` (memory ~ d³N² per point)."""
    n_bands = sum(len(g) for g in multiplets)
    d = k.shape[1]
    per_point = d ** 3 * n_bands ** 2 if derivatives else d ** 2 * n_bands ** 2
    size = max(1, _ENTRIES_PER_BLOCK // per_point)
    label = np.empty(n_bands, dtype=int)
    for index, group in enumerate(multiplets):
        label[list(group)] = index
    same = xp.asarray(label[:, None] == label[None, :])
    summation = np.zeros((n_bands, len(multiplets)))
    summation[np.arange(n_bands), label] = 1.0
    sizes = summation.sum(axis=0)
    blocks = []
    for start in range(0, len(k), size):
        points = k[start: start + size]
        parts = [np.ascontiguousarray(x)  # NumPy's matmul on other layouts is ~7x slower
                 for x in hamiltonian_jet(hamiltonian, points, 3 if derivatives else 2,
                                          packed=True)]
        basis = position_dipoles.position_jet(hamiltonian, points, derivatives)
        blocks.append(_analytic_block(parts, points, multiplets, scale, same,
                                      xp.asarray(summation), derivatives, xp, basis))
    energies = np.concatenate([b[0] for b in blocks]) / sizes
    velocity = np.concatenate([b[1] for b in blocks], axis=1) / sizes
    values = {name: np.concatenate([b[2][name] for b in blocks], axis=2) for name in FIELDS}
    gradient = None
    if derivatives:
        gradient = {name: np.concatenate([b[3][name] for b in blocks], axis=3)
                    for name in FIELDS}
    return MultipletGeometry(energies, velocity, values, gradient,
                             "analytic" if derivatives else "none")


@lru_cache(maxsize=16)
def _symmetric_index(d: int, order: int):
    """Unique ascending index tuples of length ``order`` and the map full index -> unique."""
    unique = list(itertools.combinations_with_replacement(range(d), order))
    full = np.empty((d,) * order, dtype=int)
    for axes in itertools.product(range(d), repeat=order):
        full[axes] = unique.index(tuple(sorted(axes)))
    return unique, full


def _contract(left, right, xp):
    """out[l, r, p, n] = Σ_m left[l, p, n, m] right[r, p, n, m] as one batched matmul.

    ``left`` (L, P, N, M) and ``right`` (R, P, N, M) -> (L, R, P, N).
    """
    product = xp.permute_dims(left, (1, 2, 0, 3)) @ xp.permute_dims(right, (1, 2, 3, 0))
    return xp.permute_dims(product, (2, 3, 0, 1))


def _inside_group(v, same, xp):
    """B̃^a: v^a inside the per-point groups, diagonal excluded, (d, P, N, N)."""
    diagonal = xp.asarray(np.eye(v.shape[-1], dtype=bool))
    return xp.where(same & ~diagonal, v, xp.zeros_like(v))


def _group_commutator(matrix, inside, inverse):
    """R[[X^b, B̃^a]] for every (a, b), (d, d, P, N, N): R[Y]_nm = Y_nm/(ε_m − ε_n) off
    the groups (``inverse``), zero inside."""
    product = matrix[None, :] @ inside[:, None]  # [a, b] = X^b B̃^a
    other = inside[:, None] @ matrix[None, :]  # B̃^a X^b
    return (product - other) * inverse


def _group_denominator_term(matrix, inside, inverse, xp):
    """−2 Re Σ_m X^b_nm R[[R[X^c], B̃^a]]_mn, (d, d, d, P, N) [a, b, c]: the derivative
    of the energy denominator from the off-diagonal block B̃ of E_{;a} (module docstring)."""
    d, n_points, n_bands = matrix.shape[0], matrix.shape[1], matrix.shape[-1]
    nested = _group_commutator(matrix * inverse, inside, inverse)  # [a, c]
    right = xp.reshape(flip(nested), (d * d, n_points, n_bands, n_bands))
    term = xp.reshape(_contract(matrix, right, xp), (d, d, d, n_points, n_bands))  # [b, a, c]
    return -2.0 * xp.real(xp.permute_dims(term, (1, 0, 2, 3, 4)))


def _analytic_block(parts, points, multiplets, scale, same, summation, derivatives, xp,  # noqa: C901 (one derivation; split after the speed18 merge)
                    basis=None):
    """Values and (optionally) derivatives of one block of points; see the module docstring.

    Index conventions: arrays of matrices are [..., p, n, m]; ``inverse[p, n, m]`` is
    1/(ε_m − ε_n) (zero inside a multiplet); derivative arrays are [a, b, c, p, n]. The
    m-sums are batched matmuls (:func:`_contract`); Hermiticity of A, v, (A^b)_{;a},
    (v^b)_{;a} gives the second Leibniz term of each pair sum as the complex conjugate of
    the first with b and c exchanged. ``basis``: [A^I, ∂A^I, ∂²A^I] of a ``full`` model
    (:mod:`qgsym.bands.position_dipoles`: the band connection A → B, Ω gains Tr F̄), or None.
    """
    h = xp.asarray(parts[0])
    if not bool(xp.all(xp.isfinite(h))):
        raise QgsymError("H(k) is not finite at some k point of the grid")
    energies, vectors = xp.linalg.eigh(h)
    if isinstance(vectors, np.ndarray):  # LAPACK's layout is column-major: matmul is 7x slower
        vectors = np.ascontiguousarray(vectors)
    energies_host = _host(energies)
    check_gaps(energies_host, points, multiplets,
               scale or max(float(np.ptp(energies_host)), np.finfo(float).tiny))
    grouped_same, share, merged = point_grouping(energies_host, multiplets)
    merged = bool(np.any(merged))
    if merged:  # per-point groups: (P, N, N) mask and (P, N, M) shares (module docstring)
        same, summation = xp.asarray(grouped_same), xp.asarray(share)
    d, n_points, n_bands = parts[1].shape[0], h.shape[0], h.shape[-1]
    dagger = flip(xp.conj(vectors))
    v = dagger @ xp.asarray(parts[1]) @ vectors  # (d, P, N, N)
    pair_index = _symmetric_index(d, 2)[1]
    w_unique = dagger @ xp.asarray(parts[2]) @ vectors  # (K2, P, N, N), packed

    w = xp.reshape(w_unique[xp.asarray(pair_index.reshape(-1))],
                   (d * d, n_points, n_bands, n_bands))  # [a·d + b]
    difference = energies[:, None, :] - energies[:, :, None]  # [p, n, m] = ε_m − ε_n
    inverse = xp.where(same, xp.zeros_like(difference),
                       1.0 / xp.where(same, xp.ones_like(difference), difference))
    velocity = xp.real(xp.linalg.diagonal(v))  # (d, P, N)
    connection = v * (1j * inverse)  # A^a_nm
    band = connection  # the band connection B (position_dipoles); A without a basis connection
    if basis is not None:
        basis = position_dipoles.rotate(basis, vectors, xp)
        band = position_dipoles.band_connection(connection, basis, same, xp)
    flipped = flip(band)  # [.., n, m] = B_mn
    v_flipped = flip(v)
    qgt = _contract(band, flipped, xp)  # [b, c, p, n] = Σ_m B^b_nm B^c_mn
    metric = -2.0 * xp.real(_contract(band, flipped * inverse, xp))
    mass = (xp.real(xp.linalg.diagonal(xp.reshape(w, (d, d, n_points, n_bands, n_bands))))
            - 2.0 * xp.real(_contract(v, v_flipped * inverse, xp)))
    values = {"berry_curvature": -2.0 * xp.imag(qgt), "quantum_metric": xp.real(qgt),
              "band_normalized_metric": metric, "inverse_mass": mass}
    if basis is not None:
        values["berry_curvature"] = (values["berry_curvature"]
                                     + position_dipoles.curvature(basis, xp))

    def levels(array):  # (..., P, N) -> host (..., P, M): multiplet sums (group shares)
        if merged:
            return _host((array[..., None, :] @ summation)[..., 0, :])
        return _host(array @ summation)

    out_values = {name: levels(x) for name, x in values.items()}
    if not derivatives:
        return levels(energies), levels(velocity), out_values, None
    shape = (d * d, n_points, n_bands, n_bands)
    # (v^b)_{;a} = W^{ab} + i (A^a v^b − v^b A^a), and v^b A^a = (A^a v^b)†
    product = xp.reshape(connection[:, None] @ v[None, :], shape)  # [a·d + b]
    covariant = w + 1j * (product - flip(xp.conj(product)))
    slope = velocity[:, :, None, :] - velocity[:, :, :, None]  # [a, p, n, m] = v^a_mm − v^a_nn
    inverse_squared = inverse * inverse
    d_inverse = -slope * inverse_squared  # ∂_a 1/(ε_m − ε_n)
    d_connection = (covariant * (1j * inverse)  # [a·d + b]: (A^b)_{;a}
                    - 1j * xp.reshape(v[None, :] * (slope * inverse_squared)[:, None], shape))
    if basis is not None:  # (B^b)_{;a}
        d_connection = d_connection + position_dipoles.connection_derivative(
            connection, basis, same, xp)
    if merged:
        inside = _inside_group(v, same, xp)
        d_connection = d_connection - xp.reshape(
            _group_commutator(connection, inside, inverse), shape)

    def symmetrized(first):  # first[a, b, c] + conj(first[a, c, b]) from first (d², d, P, N)
        first = xp.reshape(first, (d, d, d, n_points, n_bands))
        return first + xp.conj(xp.permute_dims(first, (0, 2, 1, 3, 4)))

    def leading_last(array):  # (b·c, a, P, N) -> (a, b, c, P, N)
        return xp.permute_dims(xp.reshape(array, (d, d, d, n_points, n_bands)), (2, 0, 1, 3, 4))

    d_qgt = symmetrized(_contract(d_connection, flipped, xp))
    pair = xp.reshape(band[:, None] * flipped[None, :], shape)  # B^b_nm B^c_mn
    d_metric = -2.0 * (xp.real(symmetrized(_contract(d_connection, flipped * inverse, xp)))
                       + xp.real(leading_last(_contract(pair, d_inverse, xp))))
    if merged:
        d_metric = d_metric + _group_denominator_term(band, inside, inverse, xp)
    triple_index = _symmetric_index(d, 3)[1]
    unique_third = xp.asarray(parts[3])  # (K3, P, N, N), packed
    third_diagonal = xp.real(xp.sum((dagger @ unique_third) * flip(vectors), axis=-1))
    third_diagonal = xp.reshape(third_diagonal[xp.asarray(triple_index.reshape(-1))],
                                (d, d, d, n_points, n_bands))
    commutator = -2.0 * xp.imag(xp.reshape(_contract(connection, w.mT, xp),
                                           (d, d, d, n_points, n_bands)))
    v_pair = xp.reshape(v[:, None] * v_flipped[None, :], shape)  # v^b_nm v^c_mn
    d_mass = (third_diagonal + commutator
              - 2.0 * xp.real(symmetrized(_contract(covariant, v_flipped * inverse, xp)))
              - 2.0 * xp.real(leading_last(_contract(v_pair, d_inverse, xp))))
    if merged:
        d_mass = d_mass + _group_denominator_term(v, inside, inverse, xp)
    d_curvature = -2.0 * xp.imag(d_qgt)
    if basis is not None:
        d_curvature = d_curvature + position_dipoles.curvature_derivative(connection, basis, xp)
    gradient = {
        "berry_curvature": levels(d_curvature),
        "quantum_metric": levels(xp.real(d_qgt)),
        "band_normalized_metric": levels(d_metric),
        "inverse_mass": levels(d_mass),
    }
    return levels(energies), levels(velocity), out_values, gradient
