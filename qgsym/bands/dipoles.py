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
``xp.zeros_like``, ``xp.isfinite``, ``xp.all``, ``xp.take``, ``xp.concat``, ``xp.stack``,
integer-array indexing along the first axis and broadcasting arithmetic; the Hamiltonian's
arrays (NumPy) are moved into ``xp`` once per chunk, and the results are returned as NumPy
arrays. Nothing requires a GPU.
"""

from __future__ import annotations

import ctypes
import itertools
import sys
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
from qgsym.model.wannier90 import hermitian_packed

#: Multiplet-summed quantities, by their :class:`~qgsym.bands.geometry.BandGeometry` names.
FIELDS = ("berry_curvature", "quantum_metric", "band_normalized_metric", "inverse_mass")
#: ``method`` values of :func:`multiplet_geometry`.
METHODS = ("auto", "analytic", "finite-difference")
#: d³N² × points of one sub-chunk (~45 points for N = 18, d = 3: the temporaries stay small;
#: 32–64 points measured fastest on Fe, 16 and 114 slower).
_ENTRIES_PER_BLOCK = 400_000
#: glibc heap settings applied once by :func:`_retain_heap` (bytes): arrays up to 32 MB come
#: from the heap, and up to 256 MB of freed heap is kept instead of returned to the system.
_MMAP_THRESHOLD = 32 * 2**20
_TRIM_THRESHOLD = 256 * 2**20


@lru_cache(maxsize=1)
def _retain_heap() -> bool:
    """Keep freed heap memory for reuse (glibc ``mallopt``; elsewhere nothing is done).

    A block's temporaries are 0.1–3 MB each. With glibc's defaults the top of the heap is
    returned to the system whenever more than ~2× the largest recent temporary is free, so
    every block faults the same pages in again (zero-filled): on Fe (18 bands) ~30 page
    faults and 10–15 % of the kernel's time per k point. Only reuse of memory changes;
    the arithmetic, hence every result, is the same. Returns whether the settings took.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3 (malloc.h); 1 on success
    return bool(mallopt(-1, _TRIM_THRESHOLD)) and bool(mallopt(-3, _MMAP_THRESHOLD))


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
    _retain_heap()
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
        basis = position_dipoles.position_jet(hamiltonian, points, derivatives)
        if basis is None:  # tb: the stacked jet (any gauge of the orbital basis)
            jet = _stacked_jet(hamiltonian, points, 3 if derivatives else 2, xp)
        else:  # full: the orbital gauge of the basis connection A^I
            jet = [np.ascontiguousarray(x)  # NumPy's matmul on other layouts is ~7x slower
                   for x in hamiltonian_jet(hamiltonian, points, 3 if derivatives else 2,
                                            packed=True)]
        blocks.append(_analytic_block(jet, points, multiplets, scale, same,
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


def _contiguous(array):
    """NumPy arrays C-contiguous (its batched matmul on other layouts is ~7x slower)."""
    return np.ascontiguousarray(array) if isinstance(array, np.ndarray) else array


def _stack_parts(parts, xp):
    """[H, ∂H, ∂²H packed, ∂³H packed] (:func:`hamiltonian_jet`) -> (matrices, third).

    The layout of :meth:`WannierHamiltonian.stacked_jet
    <qgsym.model.wannier90.WannierHamiltonian.stacked_jet>`: ``matrices[p, m, α, n]``
    (P, N, K, N) for the orders ≤ 2, ``third`` (P, K3, N²) the packed Hermitian ∂³H
    (:func:`qgsym.model.wannier90.hermitian_packed`) or None.
    """
    pieces = [np.asarray(parts[0])[None]] + [np.asarray(part) for part in parts[1:3]]
    matrices = np.ascontiguousarray(np.concatenate(pieces).transpose(1, 2, 0, 3))
    third = None
    if len(parts) > 3:
        third = xp.asarray(np.moveaxis(hermitian_packed(np.asarray(parts[3])), 0, 1))
    return xp.asarray(matrices), third


def _unstack(jet, packed_third, d, xp):
    """(matrices, third) of :func:`_stack_parts` -> the list of :func:`hamiltonian_jet`."""
    lower = 1 + d + len(_symmetric_index(d, 2)[0])
    parts = [jet[:, :, 0, :]] + [xp.permute_dims(jet[:, :, 1:1 + d, :], (2, 0, 1, 3)),
                                 xp.permute_dims(jet[:, :, 1 + d:lower, :], (2, 0, 1, 3))]
    if packed_third is not None:
        n = jet.shape[1]
        upper = np.triu_indices(n, 1)
        third = np.asarray(packed_third)  # [p, α, packed]: X_ii, 2 Re X_ij, −2 Im X_ij
        full = np.zeros((*third.shape[:2], n, n), dtype=complex)
        full[..., np.arange(n), np.arange(n)] = third[..., :n]
        above = 0.5 * (third[..., n: n + len(upper[0])] - 1j * third[..., n + len(upper[0]):])
        full[..., upper[0], upper[1]] = above
        full[..., upper[1], upper[0]] = np.conj(above)
        parts.append(xp.asarray(np.moveaxis(full, 1, 0)))
    return [_contiguous(part) for part in parts]


def _stacked_jet(hamiltonian, points, order, xp):
    """(matrices, third) of :func:`_stack_parts` (any unitary gauge of the orbital basis)."""
    if hasattr(hamiltonian, "stacked_jet"):
        matrices, third = hamiltonian.stacked_jet(points, order)
        return xp.asarray(matrices), None if third is None else xp.asarray(third)
    return _stack_parts(hamiltonian_jet(hamiltonian, points, order, packed=True), xp)


def _levels(array, summation, xp):
    """Multiplet sums: (..., P, N) -> (..., P, M) with ``summation`` (N, M) or (P, N, M)."""
    if summation.ndim == 2:
        return _host(array @ summation)
    return _host(xp.sum(array[..., None] * summation, axis=-2))


def _analytic_block(parts, points, multiplets, scale, same, summation, derivatives, xp,
                    basis=None):
    r"""Values and (optionally) derivatives of one block of points; see the module docstring.

    ``parts``: the list of :func:`hamiltonian_jet` (packed) or the tuple (matrices, third) of
    :func:`_stack_parts` (any unitary gauge of the orbital basis: only gauge-invariant
    quantities are formed). ``same`` (N, N) or (P, N, N): True inside a multiplet;
    ``summation`` (N, M) or (P, N, M): band -> multiplet sums. ``basis``: [A^I, ∂A^I, ∂²A^I]
    of a ``full`` model (:mod:`qgsym.bands.position_dipoles`), handled by
    :func:`_basis_block` with ``parts`` the orbital-gauge list, or None.

    Index conventions: band-basis matrices are stored [p, n, component, m] so that every
    sum over m is one batched matrix product per (p, n); ``inverse[p, n, m]`` is
    1/(ε_m − ε_n) (zero inside a multiplet). With :math:`\Pi^{bc}_{nm} = v^b_{nm}
    \overline{v^c_{nm}}` (so :math:`A^b_{nm}A^c_{mn} = \Pi^{bc}_{nm}/(ε_m-ε_n)^2`),
    :math:`C^{ab} = (v^b)_{;a} = W^{ab} - Q^{ab} - Q^{ab\dagger}`,
    :math:`Q^{ab}_{nm} = \sum_l v^a_{nl}v^b_{lm}/(ε_l-ε_n)`, and
    :math:`s^a_{nm} = v^a_{mm} - v^a_{nn}`, every term of the module docstring is one of

    .. math::
        \sum_m \Pi^{bc}_{nm}\,(ε_m-ε_n)^{-q}, \quad
        \sum_m \Pi^{bc}_{nm}\, s^a_{nm}(ε_m-ε_n)^{-q}, \quad
        \sum_m C^{ab}_{nm}\overline{v^c_{nm}}\,(ε_m-ε_n)^{-q}, \quad
        \sum_m v^a_{nm}\overline{W^{bc}_{nm}}\,(ε_m-ε_n)^{-1},

    e.g. :math:`(A^b)_{;a,nm}A^c_{mn} = [C^{ab}_{nm}(ε_m-ε_n)^{-2}
    - \Pi^{bc}_{nm}s^a_{nm}(ε_m-ε_n)^{-3}]` summed over m, and the second Leibniz term of
    each pair sum is the complex conjugate of the first with b and c exchanged.
    """
    if basis is not None:
        return _reference_block(parts, points, multiplets, scale, same, summation, derivatives,
                                xp, basis)
    jet, packed_third = _stack_parts(parts, xp) if isinstance(parts, list) else parts
    n_points, n_bands = jet.shape[0], jet.shape[1]
    d = points.shape[1]
    h = jet[:, :, 0, :]
    if not bool(xp.all(xp.isfinite(h))):
        raise QgsymError("H(k) is not finite at some k point of the grid")
    energies, vectors = xp.linalg.eigh(h)
    vectors = _contiguous(vectors)  # LAPACK's layout is column-major
    energies_host = _host(energies)
    check_gaps(energies_host, points, multiplets,
               scale or max(float(np.ptp(energies_host)), np.finfo(float).tiny))
    if np.any(point_grouping(energies_host, multiplets)[2]):  # groups at some point: the
        return _reference_block(_unstack(jet, packed_third, d, xp), points, multiplets,  # terms
                                scale, same, summation, derivatives, xp)  # of B̃ (docstring)
    pair_index = xp.asarray(_symmetric_index(d, 2)[1].reshape(-1))  # (a, b) -> packed
    lower = 1 + d + len(_symmetric_index(d, 2)[0])  # components of orders 0..2
    # [p, n, α, j] = (V† ∂_α H)_nj, then [p, n, α, m] = (V† ∂_α H V)_nm (m always last)
    first = _contiguous(xp.conj(vectors).mT) @ xp.reshape(jet, (n_points, n_bands, -1))
    second = xp.reshape(xp.reshape(first, (n_points, n_bands * lower, n_bands)) @ vectors,
                        (n_points, n_bands, lower, n_bands))
    v = _contiguous(second[:, :, 1:1 + d, :])  # [p, n, a, m] = v^a_nm
    w = second[:, :, 1 + d:, :]  # [p, n, bc, m] = W^{bc}_nm, packed
    difference = energies[:, None, :] - energies[:, :, None]  # [p, n, m] = ε_m − ε_n
    inverse = xp.where(same, xp.zeros_like(difference),
                       1.0 / xp.where(same, xp.ones_like(difference), difference))
    inverse_2 = inverse * inverse
    powers = xp.stack([inverse, inverse_2, inverse_2 * inverse], axis=2)  # [p, n, q, m]: Δε^-q
    velocity = xp.real(xp.linalg.diagonal(xp.permute_dims(v, (0, 2, 1, 3))))  # (P, d, N)
    re_pi, im_pi = _pair_sums(v, inverse, powers, velocity, derivatives, xp)

    def last_two(array):  # [p, n, x, y] -> [x, y, p, n]
        return xp.permute_dims(array, (2, 3, 0, 1))

    w_diagonal = xp.real(xp.linalg.diagonal(xp.permute_dims(w, (0, 2, 1, 3))))  # (P, K2, N)
    w_diagonal = xp.reshape(xp.permute_dims(w_diagonal, (1, 0, 2))[pair_index],
                            (d, d, n_points, n_bands))
    values = {"berry_curvature": -2.0 * last_two(im_pi[:, :, 1]),
              "quantum_metric": last_two(re_pi[:, :, 1]),
              "band_normalized_metric": -2.0 * last_two(re_pi[:, :, 2]),
              "inverse_mass": w_diagonal - 2.0 * last_two(re_pi[:, :, 0])}
    out_values = {name: _levels(x, summation, xp) for name, x in values.items()}
    velocity_levels = _levels(xp.permute_dims(velocity, (1, 0, 2)), summation, xp)
    if not derivatives:
        return _levels(energies, summation, xp), velocity_levels, out_values, None

    def slope_sums(parts, q):  # [p, n, a, b, c] = Σ_m Π^{bc} s^a (ε_m − ε_n)^{-q}, q = 2, 3, 4
        return parts[:, :, 3 + (q - 2): 3 + 3 * d: 3]

    c_sums, commutator = _covariant_sums(v, w, inverse, powers, xp)
    third = _third_diagonal(packed_third, vectors, d, xp)  # [p, n, a, b, c]

    def swapped(array):  # [p, n, a, b, c] -> [p, n, a, c, b]
        return xp.permute_dims(array, (0, 1, 2, 4, 3))

    def levels(array):  # [p, n, a, b, c] -> host [a, b, c, p, M]: multiplet sums first
        flat = xp.reshape(array, (n_points, n_bands, d ** 3))
        sums = (summation.mT if summation.ndim == 3 else summation.T) @ flat  # (P, M, d³)
        return _host(xp.reshape(xp.permute_dims(sums, (2, 0, 1)), (d, d, d, n_points, -1)))

    re_slope = [slope_sums(re_pi, q) for q in (2, 3, 4)]
    qgt_real = xp.real(c_sums[..., 1]) - re_slope[1]  # Re F1, F1 = Σ_m (A^b)_{;a} A^c
    qgt_imag = xp.imag(c_sums[..., 1]) - slope_sums(im_pi, 3)
    metric_first = xp.real(c_sums[..., 2]) - re_slope[2]
    mass_first = xp.real(c_sums[..., 0])
    gradient = {
        "berry_curvature": levels(-2.0 * (qgt_imag - swapped(qgt_imag))),
        "quantum_metric": levels(qgt_real + swapped(qgt_real)),
        "band_normalized_metric": levels(
            -2.0 * (metric_first + swapped(metric_first) - re_slope[2])),
        "inverse_mass": levels(third - 2.0 * commutator + 2.0 * re_slope[0]
                               - 2.0 * (mass_first + swapped(mass_first))),
    }
    return _levels(energies, summation, xp), velocity_levels, out_values, gradient



def _component(array, index, xp):
    """``array[:, :, index]`` (``xp.take`` along the component axis)."""
    return xp.take(array, xp.asarray(index), axis=2)


def _pair_sums(v, inverse, powers, velocity, derivatives, xp):
    """Σ_m Π^{bc}_nm w_nm for the weights w = Δε^{-q} (q = 1, 2, 3) and, with ``derivatives``,
    s^a Δε^{-q} (q = 2, 3, 4), s^a_nm = v^a_mm − v^a_nn; Π^{bc}_nm = v^b_nm conj(v^c_nm).

    Returns (re, im), each (P, N, columns, d, d): Re and Im of the sums for every (b, c);
    columns 0..2 the powers, then 3 + 3a + (q − 2).
    """
    n_points, n_bands, d = v.shape[0], v.shape[1], v.shape[2]
    real, imag = xp.real(v), xp.imag(v)
    maps = _component_maps(d)
    rows = [_component(real, maps.sym_b, xp) * _component(real, maps.sym_c, xp)
            + _component(imag, maps.sym_b, xp) * _component(imag, maps.sym_c, xp)]
    if maps.anti_b.size:  # rows [p, n, r, m]: Re Π for b ≤ c, Im Π for b < c
        rows.append(_component(imag, maps.anti_b, xp) * _component(real, maps.anti_c, xp)
                    - _component(real, maps.anti_b, xp) * _component(imag, maps.anti_c, xp))
    products = xp.concat(rows, axis=2) if len(rows) > 1 else rows[0]
    weights = powers
    if derivatives:
        moving = xp.permute_dims(velocity, (0, 2, 1))  # (P, N, d)
        slope = velocity[:, None, :, :] - moving[:, :, :, None]  # [p, n, a, m]: v^a_mm − v^a_nn
        shifted = powers * inverse[:, :, None, :]  # Δε^-(q+1): q + 1 = 2, 3, 4
        weights = xp.concat([powers, xp.reshape(slope[:, :, :, None, :] * shifted[:, :, None],
                                                (n_points, n_bands, 3 * d, n_bands))], axis=2)
    # [p, n, r, column] -> [p, n, column, Re Π^{bc} | Im Π^{bc}] with the full (b, c)
    sums = xp.permute_dims(products @ weights.mT, (0, 1, 3, 2)) @ xp.asarray(maps.full)
    shape = (n_points, n_bands, weights.shape[2], d, d)
    return xp.reshape(sums[..., : d * d], shape), xp.reshape(sums[..., d * d:], shape)


def _covariant_sums(v, w, inverse, powers, xp):
    """Σ_m C^{ab}_nm conj(v^c_nm) Δε^{-q} (q = 1, 2, 3) and Σ_l v^a_nl conj(W^{bc}_nl)/Δε.

    C^{ab} = (v^b)_{;a} = W^{ab} − Q^{ab} − Q^{ab†} with Q^{ab} = M^a v^b,
    M^a_nl = v^a_nl/(ε_l − ε_n) (anti-Hermitian): one batched product for Q, its adjoint
    by a transposed copy, C formed before the one product with conj(v^c) Δε^{-q}.
    Returns ([p, n, a, b, c, q] complex, [p, n, a, b, c] real part of the second sum).
    """
    n_points, n_bands, d = v.shape[0], v.shape[1], v.shape[2]
    pair_index = _symmetric_index(d, 2)[1].reshape(-1)  # (a, b) -> packed
    connection = xp.reshape(v * inverse[:, :, None, :], (n_points, n_bands * d, n_bands))
    q = xp.reshape(connection @ xp.reshape(v, (n_points, n_bands, d * n_bands)),
                   (n_points, n_bands, d, d, n_bands))  # [p, n, a, b, m] = Q^{ab}_nm
    # [p, n, a, b, m] = C^{ab}_nm; Q^{ab†}_nm = conj(Q^{ab}_mn)
    covariant = (xp.reshape(_component(w, pair_index, xp), (n_points, n_bands, d, d, n_bands))
                 - q - xp.conj(xp.permute_dims(q, (0, 4, 2, 3, 1))))
    # [p, n, m, (c, q)] = conj(v^c_nm)/(ε_m − ε_n)^q
    right = xp.reshape(xp.conj(v)[:, :, :, None, :] * powers[:, :, None],
                       (n_points, n_bands, 3 * d, n_bands)).mT
    c_sums = xp.reshape(xp.reshape(covariant, (n_points, n_bands, d * d, n_bands)) @ right,
                        (n_points, n_bands, d, d, d, 3))
    # Σ_l v^a_nl W̄^{bc}_nl/Δε = conj(Σ_l W^{bc}_nl v̄^a_nl/Δε): [p, n, a, b, c]
    w_sums = w @ right[..., 0::3]  # [p, n, bc, a] (packed bc)
    commutator = xp.permute_dims(_component(xp.real(w_sums), pair_index, xp), (0, 1, 3, 2))
    return c_sums, xp.reshape(commutator, (n_points, n_bands, d, d, d))


def _third_diagonal(packed_third, vectors, d, xp):
    """Re (V† ∂_a∂_b∂_c H V)_nn, [p, n, a, b, c], from the packed ∂³H (P, K3, N²).

    (V† T V)_nn = Σ_ij ρ^n_ij T_ij with ρ^n_ij = conj(V_in) V_jn: one real product with
    [ρ_ii, Re ρ_ij, Im ρ_ij] (i < j) (:func:`qgsym.model.wannier90.hermitian_packed`).
    """
    n_points, n_bands = vectors.shape[0], vectors.shape[1]
    upper = np.triu_indices(n_bands, 1)
    above = (xp.conj(xp.take(vectors, xp.asarray(upper[0]), axis=1))
             * xp.take(vectors, xp.asarray(upper[1]), axis=1))  # [p, pair, n]
    density = xp.concat([xp.real(vectors) ** 2 + xp.imag(vectors) ** 2,
                         xp.real(above), xp.imag(above)], axis=1)  # [p, packed, n]
    third = (packed_third @ density).mT  # (P, N, K3)
    return xp.reshape(_component(third, _symmetric_index(d, 3)[1].reshape(-1), xp),
                      (n_points, n_bands, d, d, d))



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


def _reference_block(parts, points, multiplets, scale, same, summation, derivatives,  # noqa: C901 (one derivation, kept whole as the reference form)
                     xp, basis=None):
    """:func:`_analytic_block` for a basis Berry connection (``full``) or per-point groups:
    ``parts`` the list of :func:`hamiltonian_jet` (for ``full`` in the orbital gauge of
    ``basis``), every term written out as in the module docstring.

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


@dataclass(frozen=True)
class _ComponentMaps:
    """Real rows of Π^{bc} = v^b v̄^c and their map back to full (b, c) components.

    sym_b, sym_c : index arrays of the b ≤ c pairs (rows Re Π^{bc}); anti_b, anti_c: b < c
    (rows Im Π^{bc}); full : (rows, 2 d²) with Re Π^{bc} = Σ_r full[r, b·d + c] row_r and
    Im Π^{bc} = Σ_r full[r, d² + b·d + c] row_r (Re symmetric, Im antisymmetric in b, c).
    """

    sym_b: np.ndarray
    sym_c: np.ndarray
    anti_b: np.ndarray
    anti_c: np.ndarray
    full: np.ndarray


@lru_cache(maxsize=8)
def _component_maps(d: int) -> _ComponentMaps:
    symmetric = list(itertools.combinations_with_replacement(range(d), 2))
    anti = list(itertools.combinations(range(d), 2))
    full = np.zeros((len(symmetric) + len(anti), 2 * d * d))
    for r, (b, c) in enumerate(symmetric):
        full[r, b * d + c] = full[r, c * d + b] = 1.0
    for r, (b, c) in enumerate(anti, start=len(symmetric)):
        full[r, d * d + b * d + c], full[r, d * d + c * d + b] = 1.0, -1.0

    def column(pairs, i):
        return np.array([p[i] for p in pairs], dtype=int)

    return _ComponentMaps(column(symmetric, 0), column(symmetric, 1), column(anti, 0),
                          column(anti, 1), full)
