"""Band-geometric primitives by sum over states (any number of bands), from ``numpy.linalg.eigh``.

Conventions (SPEC, README): for eigenstates |u_n> of H(k) with energies eps_n,

.. math::
    A^i_{mn} = \\langle u_m | i\\partial_i u_n\\rangle
             = \\frac{i \\langle u_m|\\partial_i H|u_n\\rangle}{\\varepsilon_n-\\varepsilon_m},
    \\quad m \\ne n,

    Q_n^{ij} = \\sum_{m \\notin D(n)} A^i_{nm} A^j_{mn} = g_n^{ij} - \\tfrac{i}{2}\\Omega_n^{ij},

    \\mathcal{G}_n^{ij} = 2\\,\\mathrm{Re}\\sum_{m\\notin D(n)}
        \\frac{A^i_{nm}A^j_{mn}}{\\varepsilon_n-\\varepsilon_m},
    \\qquad \\mathfrak{G}^{nm}_{ij} = A^i_{nm} A^j_{mn},

where D(n) is the degenerate multiplet of n (sums exclude every state degenerate with n).
Quantities of a band inside a degenerate multiplet depend on the basis chosen inside the
multiplet; their sum over the multiplet does not (use :func:`multiplet_sum`).

Multiplets are the model's *generic* degeneracies (found at random k, e.g. Kramers pairs of
a PT-symmetric model). At each k point, adjacent multiplets closer than the degeneracy
threshold τ (``multiplets.threshold``) form one group G (:func:`point_grouping`, the
approximation is described in :mod:`qgsym.model.multiplets`): D(n) above is then the group of
n at that point, and every band of G carries the group's mean energy and velocity and the
equal share :math:`\\frac{1}{|G|}\\sum_{m\\in G}X_m` of each per-band quantity X, so that any
sum over bands weighted by a function of the energy is gauge invariant. A gap between
multiplets that is at least τ but below the gap-closing tolerance (possible only with a
threshold set below it) is a gap closing, and a quantity that divides by the gap raises
:class:`~qgsym.errors.GapClosingError` rather than returning a huge or NaN number.
:func:`check_gaps` sees only the grid points; closings between them (a node the grid misses)
are found by :mod:`qgsym.bands.gap_closing`, which the compute functions call first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qgsym.errors import GapClosingError, QgsymError

#: Relative splitting below which two bands count as degenerate (generic degeneracy test).
#: Relative gap below which a non-generic gap counts as closed on the grid.
GAP_CLOSING_TOLERANCE = 1e-7


@dataclass(frozen=True)
class BandGeometry:
    """Band-geometric quantities at P k points of an N-band, d-dimensional model.

    Attributes
    ----------
    k : ndarray, shape (P, d)
    energies : ndarray, shape (P, N)
        Ascending.
    velocity : ndarray, shape (d, P, N)
        :math:`v^i_n = \\partial_i \\varepsilon_n` (ħ = 1).
    inverse_mass : ndarray, shape (d, d, P, N)
        :math:`\\partial_i\\partial_j \\varepsilon_n`.
    interband_connection : ndarray, shape (d, P, N, N)
        :math:`A^i_{mn}`, zero for m, n in the same multiplet (or group at that point).
    quantum_geometric_tensor : ndarray, shape (d, d, P, N), complex
    quantum_metric : ndarray, shape (d, d, P, N)
    berry_curvature : ndarray, shape (d, d, P, N)
    band_normalized_metric : ndarray, shape (d, d, P, N)
        :math:`\\mathcal{G}_n^{ij}` (Berry connection polarizability G = e𝒢).
    kruchkov_tensor : ndarray, shape (d, d, P, N, N), complex
        :math:`\\mathfrak{G}^{nm}_{ij}` (zero for m in the multiplet of n).
    multiplets : tuple of tuple of int
        Generic degenerate multiplets (band indices, ascending energy).
    """

    k: np.ndarray
    energies: np.ndarray
    velocity: np.ndarray
    inverse_mass: np.ndarray
    interband_connection: np.ndarray
    quantum_geometric_tensor: np.ndarray
    quantum_metric: np.ndarray
    berry_curvature: np.ndarray
    band_normalized_metric: np.ndarray
    kruchkov_tensor: np.ndarray
    multiplets: tuple[tuple[int, ...], ...]


def multiplet_mask(multiplets, n_bands: int) -> np.ndarray:
    """Boolean (N, N): True where m and n belong to the same multiplet (diagonal included)."""
    label = np.empty(n_bands, dtype=int)
    for index, group in enumerate(multiplets):
        label[list(group)] = index
    return label[:, None] == label[None, :]


def multiplet_sum(values: np.ndarray, multiplets, axis: int = -1) -> np.ndarray:
    """Sum a per-band array over each multiplet: band axis of length N -> number of multiplets."""
    values = np.moveaxis(values, axis, -1)
    summed = np.stack([values[..., list(g)].sum(axis=-1) for g in multiplets], axis=-1)
    return np.moveaxis(summed, -1, axis)


def point_grouping(energies: np.ndarray, multiplets):
    """Group adjacent multiplets closer than ``multiplets.threshold`` at each point.

    Parameters
    ----------
    energies : ndarray, shape (P, N)
        Ascending.
    multiplets : tuple of tuple of int
        Contiguous, ascending; ``threshold`` attribute τ (absent: 0, no grouping).

    Returns
    -------
    same : ndarray of bool, shape (P, N, N)
        True where bands m and n are in one group at the point (diagonal included).
    share : ndarray, shape (P, N, M)
        :math:`|D|/|G|` where band n belongs to the group G of multiplet D, else 0:
        ``X @ share`` gives each multiplet :math:`\\frac{|D|}{|G|}\\sum_{n\\in G} X_n`.
    merged : ndarray of bool, shape (P,)
        Points where some group holds more than one multiplet.

    Notes
    -----
    Multiplets a and a + 1 join where :math:`\\min_{n\\in D_{a+1}}\\varepsilon_n -
    \\max_{n\\in D_a}\\varepsilon_n < \\tau`; joins chain (a ladder of near-degenerate
    multiplets is one group).
    """
    threshold = float(getattr(multiplets, "threshold", 0.0))
    sizes = np.array([len(g) for g in multiplets])
    band_multiplet = np.empty(energies.shape[1], dtype=int)
    for index, group in enumerate(multiplets):
        band_multiplet[list(group)] = index
    lows = np.stack([energies[:, list(g)].min(axis=1) for g in multiplets], axis=1)
    highs = np.stack([energies[:, list(g)].max(axis=1) for g in multiplets], axis=1)
    joined = lows[:, 1:] - highs[:, :-1] < threshold  # (P, M - 1)
    multiplet_group = np.concatenate(
        [np.zeros((len(energies), 1), dtype=int), np.cumsum(~joined, axis=1)], axis=1)
    band_group = multiplet_group[:, band_multiplet]  # (P, N)
    same = band_group[:, :, None] == band_group[:, None, :]
    member = band_group[:, :, None] == multiplet_group[:, None, :]  # (P, N, M)
    group_size = np.einsum("pnm,n->pm", member, np.ones(len(band_multiplet)))
    share = member * (sizes[None, None, :] / group_size[:, None, :])
    return same, share, np.any(joined, axis=1)


def check_gaps(energies: np.ndarray, k: np.ndarray, multiplets, scale: float) -> None:
    """Raise if a non-generic gap closes (or a generic degeneracy splits) at one of the points ``k``.

    Parameters
    ----------
    energies : ndarray, shape (P, N)
    k : ndarray, shape (P, d)
    multiplets : tuple of tuple of int
    scale : float
        W; closed means a gap below ``GAP_CLOSING_TOLERANCE`` × W (also the tolerance of
        :mod:`qgsym.bands.gap_closing` between grid points). A multiplet may split by up
        to the larger of that and its grouping threshold (:class:`qgsym.model.multiplets.Multiplets`).
        A gap between multiplets below the threshold τ is grouped at that point
        (:func:`point_grouping`), not refused.
    """
    same = multiplet_mask(multiplets, energies.shape[1])
    threshold = getattr(multiplets, "threshold", 0.0)
    split_tolerance = max(GAP_CLOSING_TOLERANCE * scale, threshold)
    for n in range(energies.shape[1] - 1):
        splitting = energies[:, n + 1] - energies[:, n]
        if same[n, n + 1]:
            worst = int(np.argmax(splitting))
            if splitting[worst] > split_tolerance:
                raise GapClosingError(
                    f"bands {n} and {n + 1} are degenerate at generic k but split at "
                    f"k = {np.round(k[worst], 6).tolist()} (by {splitting[worst]:.3g}, more "
                    f"than the {split_tolerance:.3g} a multiplet may split): the degeneracy is "
                    "not global"
                )
        else:
            open_gap = np.where(splitting < threshold, np.inf, splitting)  # grouped there
            worst = int(np.argmin(open_gap))
            if open_gap[worst] < GAP_CLOSING_TOLERANCE * scale:
                raise GapClosingError(
                    f"the gap between bands {n} and {n + 1} closes on the grid at "
                    f"k = {np.round(k[worst], 6).tolist()} (gap {splitting[worst]:.3g}); "
                    "this quantity divides by it"
                )


def flip(array):
    """``array.mT``, C-contiguous for NumPy (its binary operations on transposed views are
    an order of magnitude slower than a copy); other array namespaces get the view."""
    flipped = array.mT
    return np.ascontiguousarray(flipped) if isinstance(flipped, np.ndarray) else flipped


def band_energies(hamiltonian, k: np.ndarray) -> np.ndarray:
    """Energies, shape (P, N), ascending."""
    return np.linalg.eigvalsh(hamiltonian.matrix(k))


def band_geometry(
    hamiltonian, k: np.ndarray, multiplets, energy_scale: float | None = None, xp=np,
    groups: np.ndarray | None = None,
) -> BandGeometry:
    """All band-geometric primitives at the points ``k`` by sum over states.

    Parameters
    ----------
    hamiltonian : :class:`qgsym.symbolic.kernels.BlochHamiltonian` or any object with
        ``matrix``, ``derivative`` and ``second_derivative`` of k (P, d); optionally
        ``basis_connection(k)`` -> None or (A^I (d, P, N, N), F^I (d, d, P, N, N)), the Berry
        connection of the tight-binding basis and its non-Abelian curvature (Wannier90
        ``full`` convention, :class:`qgsym.model.wannier90.WannierHamiltonian`).
    k : ndarray, shape (P, d)
    multiplets : tuple of tuple of int
        From :func:`qgsym.model.multiplets.generic_multiplets`.
    energy_scale : float, optional
        Sets the gap-closing tolerance; default the spread of the energies at ``k``.
    xp : array namespace, optional
        Array-API namespace the arrays are computed in (default :mod:`numpy`; e.g.
        ``array_api_compat.torch`` for a GPU). The Hamiltonian's NumPy arrays are moved in
        with ``xp.asarray``; only ``xp.linalg.eigh``, ``xp.linalg.diagonal``, ``@``, ``.mT``,
        ``xp.conj``, ``xp.real``, ``xp.imag``, ``xp.where``, ``xp.sum``, ``xp.zeros_like``,
        ``xp.ones_like``, ``xp.isfinite``, ``xp.all`` and broadcasting arithmetic are used.
        The fields of the result (but ``k``) are ``xp`` arrays.
    groups : ndarray of bool, shape (P, N, N), optional
        The per-point groups to use (``same`` of :func:`point_grouping`), e.g. those of
        the centre of a finite-difference stencil; default: found at ``k``.

    Raises
    ------
    GapClosingError
        When a non-generic gap closes at some k (the primitives divide by it).

    Notes
    -----
    With a basis connection A^I (Wang, Yates, Souza, Vanderbilt, PRB 74, 195118 (2006),
    Eqs. 24-32; V the eigenvectors, D = V†∂V), the band connection is
    :math:`\\mathcal A = \\bar A + iD` with :math:`\\bar A = V^\\dagger A^I V`; for m, n in
    different multiplets

    .. math::
        \\mathcal A^a_{mn} = \\bar A^a_{mn}
            + \\frac{i\\langle u_m|\\partial_a H|u_n\\rangle}{\\varepsilon_n-\\varepsilon_m},

    and g, 𝒢, 𝔊 are the formulas of the module docstring with this 𝒜 (sums over the N
    bands of the model). The Berry curvature is the band-diagonal part of
    :math:`\\partial_a\\mathcal A_b - \\partial_b\\mathcal A_a
    = i[\\mathcal A_a, \\mathcal A_b] + V^\\dagger F^I_{ab} V`, which is WYSV Eq. 32,
    :math:`\\bar\\Omega - [D_a,\\bar A_b] + [D_b,\\bar A_a] - i[D_a,D_b]`, rewritten:

    .. math::
        \\Omega^{ab}_n = -2\\,\\mathrm{Im}\\sum_{m\\notin D(n)}\\mathcal A^a_{nm}\\mathcal A^b_{mn}
            + (V^\\dagger F^I_{ab} V)_{nn}, \\qquad
        F^I_{ab} = \\partial_a A^I_b - \\partial_b A^I_a - i[A^I_a, A^I_b]

    (terms with m in D(n) cancel in the multiplet sum, the gauge-invariant quantity). The
    quantum geometric tensor is then :math:`g - \\tfrac{i}{2}\\Omega`. Without A^I all of
    this reduces to the module-docstring formulas.
    """
    k = np.atleast_2d(np.asarray(k, dtype=float))
    h = xp.asarray(hamiltonian.matrix(k))
    if not bool(xp.all(xp.isfinite(h))):
        raise QgsymError("H(k) is not finite at some k point of the grid")
    energies, vectors = xp.linalg.eigh(h)
    host = np.asarray(energies.cpu() if hasattr(energies, "cpu") else energies)
    scale = energy_scale or max(float(np.ptp(host)), np.finfo(float).tiny)
    check_gaps(host, k, multiplets, scale)
    n_bands = host.shape[1]
    dagger = xp.conj(vectors).mT
    velocity_matrix = dagger @ xp.asarray(hamiltonian.derivative(k)) @ vectors  # (d,P,N,N)
    second = dagger @ xp.asarray(hamiltonian.second_derivative(k)) @ vectors
    if groups is None:
        grouped_same, _, merged = point_grouping(host, multiplets)
    else:
        grouped_same = np.asarray(groups, dtype=bool)
        merged = np.any(grouped_same != multiplet_mask(multiplets, n_bands), axis=(1, 2))
    if np.any(merged):  # per-point groups (P, N, N); else the fixed multiplets (N, N)
        same = xp.asarray(grouped_same)
    else:
        same = xp.asarray(multiplet_mask(multiplets, n_bands))
    # difference[p, m, n] = eps_n - eps_m ; inverse is zero inside multiplets.
    difference = energies[:, None, :] - energies[:, :, None]
    inverse = xp.where(same, xp.zeros_like(difference),
                       1.0 / xp.where(same, xp.ones_like(difference), difference))
    connection = 1j * velocity_matrix * inverse  # A^i_mn
    basis = hamiltonian.basis_connection(k) if hasattr(hamiltonian, "basis_connection") else None
    if basis is not None:
        basis_connection, basis_curvature = (xp.asarray(x) for x in basis)
        rotated = dagger @ basis_connection @ vectors  # Ā = V† A^I V
        connection = connection + xp.where(same, xp.zeros_like(rotated), rotated)
        # (V† F^I V)_nn for every pair (i, j): Σ_a conj(V_an) (F V)_an
        internal = xp.real(xp.sum(xp.conj(vectors) * (basis_curvature @ vectors), axis=-2))
    qgt_pair = connection[:, None] * flip(connection)[None, :]  # A^i_nm A^j_mn, (i,j,P,N,N)
    curvature = -2.0 * xp.imag(xp.sum(qgt_pair, axis=-1))
    if basis is not None:
        curvature = curvature + internal
    qgt = xp.real(xp.sum(qgt_pair, axis=-1)) - 0.5j * curvature
    # 1/(eps_n - eps_m) indexed [p, n, m] is inverse transposed.
    inverse_nm = flip(inverse)
    band_normalized = 2.0 * xp.real(xp.sum(qgt_pair * inverse_nm, axis=-1))
    velocity = xp.real(xp.linalg.diagonal(velocity_matrix))
    pair = velocity_matrix[:, None] * flip(velocity_matrix)[None, :]
    inverse_mass = xp.real(xp.linalg.diagonal(second)) + 2.0 * xp.real(
        xp.sum(pair * inverse_nm, axis=-1))
    if np.any(merged):  # every band of a group: the group mean (module docstring)
        mean = np.where(grouped_same, 1.0, 0.0)
        mean = mean / mean.sum(axis=-1, keepdims=True)
        mean = xp.asarray(np.where(merged[:, None, None], mean, np.eye(n_bands)))

        def shared(x):  # (..., P, N) -> (..., P, N): the mean over each band's group
            return (x[..., None, :] @ mean)[..., 0, :]

        energies, velocity, inverse_mass, curvature, band_normalized = (
            shared(x) for x in (energies, velocity, inverse_mass, curvature, band_normalized))
        qgt = shared(xp.real(qgt)) - 0.5j * curvature
    return BandGeometry(
        k=k,
        energies=energies,
        velocity=velocity,
        inverse_mass=inverse_mass,
        interband_connection=connection,
        quantum_geometric_tensor=qgt,
        quantum_metric=xp.real(qgt),
        berry_curvature=curvature,
        band_normalized_metric=band_normalized,
        kruchkov_tensor=qgt_pair,
        multiplets=tuple(multiplets),
    )
