"""Quantum geometric nesting: the flat-band susceptibility χ_Q, its trace and Bloch-vector forms.

Sources
-------
* Seed 001 (Balents, talk slides "Quantum geometric nesting in flat bands", citing Z. Han et al.
  2024 for the concept). The Bloch-vector form with the dressed vector b̃_o is the one of
  J.-X. Zhang, W. O. Wang, L. Balents, L. Savary, *Identifying instabilities with quantum
  geometry in flat band systems*, arXiv:2504.03882 (only its abstract could be read through
  the search tools: "two vector fields ... the Bloch vector of the projector onto the flat
  bands, and another dressed by the observable; their overlap, shifted by Q, fully determines
  the mean-field susceptibility"). Z. Han, J. Herzog-Arbeitman, B. A. Bernevig, S. A. Kivelson,
  *"Quantum geometric nesting" and solvable model flat-band systems*, arXiv:2401.04163 (PRX
  2024), introduced the name (abstract read); its equations were not available either.
  Every formula below is therefore encoded as the seed prints it, and checked against the
  trace form it claims to equal.

The seed's formulas (transcribed; "×" garbling resolved as noted)::

    χ_Q = (1/T) Σ_k Tr[O†(k) P(k+Q) O(k) P(k)]                               (trace form)
    P(k) = N_L/N + ½ b(k)·λ,  O(k) = o(k) + o(k)·λ                          (λ: SU(N))
    χ(Q) = Σ_k (Tr[O†O]/T) (N_L²/N + ½ b̃_o(k+Q)·b(k))                       (Bloch form)
    b̃_o(k+Q) = b(k+Q) − N [ô(k) × b(k+Q) × ô(k)]                            (dressed vector)
    QGN condition: b̃_o(k+Q) ∥ b(k) for all k
    χ^pp_Q = (1/4T)(|ν|/artanh|ν|) Σ_k o_0²(k) (N n² + ½ b^R(k+Q)·b(−k))     (pairing)

Readings (documented, not silent fixes):

* λ are generalized Gell-Mann matrices with Tr(λ_a λ_b) = 2δ_ab (Pauli for N = 2, as the
  slide's P = ½ + ½ b·σ requires), so b_a = Tr[P λ_a] and o_a = ½ Tr[O λ_a].
* ``u × v`` for SU(N) is (u × v)_c = f_abc u_a v_b with [λ_a, λ_b] = 2i f_abc λ_c (the Levi-Civita
  symbol for N = 2); ``ô × b × ô`` is read left to right, (ô × b) × ô.
* Σ_k is the average over the k grid (1/N_k) Σ_k, so χ is intensive.
* In the pairing formula "N n²" is read as N_L²/N (the only reading for which o_0 = 1 gives
  Tr[P(k+Q) P(−k)^*]), and b^R_a = R_a b_a with λ_a^* = R_a λ_a (R_a = ±1): the complex
  conjugation of the time-reversed partner.

What qgsym finds (see :func:`prove_two_band_identity`, :func:`prove_clifford_identity`):

* The Bloch form holds exactly when O†O ∝ 1 (e.g. O = o·σ for two bands, or any
  Clifford/Dirac-matrix order parameter of SU(4)), **but with the prefactor Tr[O†O]/N**, not
  Tr[O†O]: as printed the Bloch form is N times the trace form. (For O = 1 the printed form
  gives N Tr[P(k+Q)P(k)].) The pairing formula, whose prefactor is o_0², has no such factor.
* For O†O not ∝ 1 (O = o_0 + o·σ with both parts, or N odd) the trace form has terms
  linear in b and b(k+Q) that the Bloch form lacks: it is then not exact.
* The physical particle–hole susceptibility of a flat band at filling f carries the thermal
  factor −f₀' = f(1−f)/T instead of the seed's 1/T (:func:`lindhard_susceptibility`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import sympy

from qgsym.bands.kspace import fermi_derivative, fermi_dirac
from qgsym.errors import QgsymError

#: Bands whose energy spread over the grid is below this (relative to the spectrum) are flat.
FLATNESS_TOLERANCE = 1e-9

PAULI = (
    np.eye(2, dtype=complex),
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]], dtype=complex),
    np.array([[1, 0], [0, -1]], dtype=complex),
)


# --------------------------------------------------------------------------------------------
# SU(N) algebra
# --------------------------------------------------------------------------------------------
def gell_mann_generators(n: int) -> np.ndarray:
    """Generalized Gell-Mann matrices of SU(n), normalized Tr(λ_a λ_b) = 2 δ_ab.

    Order: symmetric (j < k), antisymmetric (j < k), then diagonal l = 1 … n−1.

    Returns
    -------
    ndarray, shape (n² − 1, n, n), complex
    """
    if not isinstance(n, int | np.integer) or n < 2:
        raise QgsymError(f"SU(N) needs N >= 2, got {n!r}")
    generators = []
    for j, k in itertools.combinations(range(n), 2):
        m = np.zeros((n, n), dtype=complex)
        m[j, k] = m[k, j] = 1
        generators.append(m)
    for j, k in itertools.combinations(range(n), 2):
        m = np.zeros((n, n), dtype=complex)
        m[j, k], m[k, j] = -1j, 1j
        generators.append(m)
    for level in range(1, n):
        diagonal = np.zeros(n)
        diagonal[:level] = 1.0
        diagonal[level] = -level
        generators.append(np.diag(diagonal * np.sqrt(2.0 / (level * (level + 1)))).astype(complex))
    return np.array(generators)


def structure_constants(generators: np.ndarray) -> np.ndarray:
    """Totally antisymmetric f_abc with [λ_a, λ_b] = 2i f_abc λ_c.

    .. math:: f_{abc} = -\\tfrac{i}{4}\\,\\mathrm{Tr}([\\lambda_a, \\lambda_b]\\lambda_c)

    Returns
    -------
    ndarray, shape (M, M, M) with M = N² − 1, real
    """
    products = np.einsum("aij,bjk->abik", generators, generators)
    commutators = products - np.swapaxes(products, 0, 1)
    return np.real(-0.25j * np.einsum("abij,cji->abc", commutators, generators))


def conjugation_signs(generators: np.ndarray) -> np.ndarray:
    """R_a = ±1 with λ_a^* = R_a λ_a (real symmetric generators +1, imaginary ones −1).

    Raises
    ------
    QgsymError
        If some generator is neither real nor purely imaginary.
    """
    signs = np.real(np.einsum("aij,aji->a", np.conj(generators), generators)) / 2.0
    if not np.allclose(np.abs(signs), 1.0, atol=1e-12):
        raise QgsymError("generators must be real or purely imaginary for the pairing form")
    return np.sign(signs)


def bloch_vector(matrix: np.ndarray, generators: np.ndarray) -> np.ndarray:
    """b_a = Tr[M λ_a] (so that M = Tr(M)/N + ½ b·λ for Hermitian M).

    Parameters
    ----------
    matrix : ndarray, shape (..., N, N)
    generators : ndarray, shape (M, N, N)

    Returns
    -------
    ndarray, shape (..., M), real
    """
    return np.real(np.einsum("...ij,aji->...a", matrix, generators))


def operator_components(operator: np.ndarray, generators: np.ndarray):
    """Split O = o_0 + o·λ: o_0 = Tr O / N, o_a = ½ Tr[O λ_a].

    Returns
    -------
    o0 : complex
    vector : ndarray, shape (M,), complex
    """
    n = operator.shape[-1]
    return np.trace(operator) / n, 0.5 * np.einsum("ij,aji->a", operator, generators)


def su_n_cross(u: np.ndarray, v: np.ndarray, f: np.ndarray) -> np.ndarray:
    """(u × v)_c = f_abc u_a v_b (the Levi-Civita cross product for SU(2))."""
    return np.einsum("abc,...a,...b->...c", f, u, v)


def dressed_bloch_vector(
    shifted: np.ndarray, o_vector: np.ndarray, f: np.ndarray, n: int
) -> np.ndarray:
    """The seed's dressed vector b̃_o = b' − N (ô × b') × ô, with ô = o/|o| (b̃ = b' if o = 0).

    Parameters
    ----------
    shifted : ndarray, shape (..., M)
        b(k+Q).
    o_vector : ndarray, shape (M,) or (..., M), real
        Vector part of a Hermitian order parameter.
    """
    o_vector = np.real_if_close(np.asarray(o_vector))
    if np.iscomplexobj(o_vector):
        raise QgsymError("the dressed Bloch vector is defined for Hermitian O (real o)")
    norm = np.linalg.norm(o_vector, axis=-1, keepdims=True)
    if np.all(norm == 0):
        return np.array(shifted, dtype=float)
    unit = o_vector / np.where(norm == 0, 1.0, norm)
    inner = su_n_cross(np.broadcast_to(unit, shifted.shape), shifted, f)
    return shifted - n * su_n_cross(inner, np.broadcast_to(unit, shifted.shape), f)


def dressing_matrix(o_vector: np.ndarray, f: np.ndarray, n: int) -> np.ndarray:
    """The linear map R_o with b̃_o = R_o b' (same as :func:`dressed_bloch_vector`).

    With (K_o)_cb = f_abc ô_a (so ô × x = K_o x and x × ô = −K_o x),
    (ô × b') × ô = −K_o² b', hence R_o = 1 + N K_o².

    Returns
    -------
    ndarray, shape (M, M)
    """
    o_vector = np.real_if_close(np.asarray(o_vector))
    size = f.shape[0]
    norm = np.linalg.norm(o_vector)
    if norm == 0:
        return np.eye(size)
    k_matrix = np.einsum("abc,a->cb", f, o_vector / norm)
    return np.eye(size) + n * k_matrix @ k_matrix


# --------------------------------------------------------------------------------------------
# Projectors on a grid
# --------------------------------------------------------------------------------------------
def grid_fractions(n: int, dimension: int) -> np.ndarray:
    """Midpoint fractions (i + ½)/n, shape (n,)*d + (d,) (k + j/n stays on the grid)."""
    axis = (np.arange(n) + 0.5) / n
    return np.stack(np.meshgrid(*([axis] * dimension), indexing="ij"), axis=-1)


def flat_band_projectors(model, n: int, bands) -> tuple[np.ndarray, np.ndarray]:
    """Projectors P(k) = Σ_{n ∈ bands} |u_n⟩⟨u_n| on the n^d midpoint grid of a lattice model.

    Parameters
    ----------
    bands : sequence of int
        Band indices (ascending energy) spanning the flat-band subspace.

    Returns
    -------
    projectors : ndarray, shape (n,)*d + (N, N)
    energies : ndarray, shape (n,)*d + (N,)

    Raises
    ------
    QgsymError
        Continuum model, bad band indices, chosen bands not flat, or not separated from the
        other bands (the projector would not be smooth).
    """
    if not model.lattice:
        raise QgsymError(f"quantum geometric nesting needs a lattice model; '{model.name}' is not")
    bands = sorted(int(b) for b in bands)
    if not bands or bands[0] < 0 or bands[-1] >= model.n_bands or len(set(bands)) != len(bands):
        raise QgsymError(f"flat bands {bands} are not distinct indices of {model.n_bands} bands")
    fractions = grid_fractions(n, model.dimension)
    k = fractions.reshape(-1, model.dimension) @ model.reciprocal
    energies, vectors = np.linalg.eigh(model.hamiltonian.matrix(k))
    scale = max(float(np.ptp(energies)), 1e-300)
    chosen = energies[:, bands]
    if np.ptp(chosen) > FLATNESS_TOLERANCE * scale:
        raise QgsymError(
            f"bands {bands} of '{model.name}' are not flat and degenerate "
            f"(spread {np.ptp(chosen):.3g})"
        )
    others = np.delete(energies, bands, axis=1)
    if others.size and np.min(np.abs(others - chosen[:, :1])) < 1e3 * FLATNESS_TOLERANCE * scale:
        raise QgsymError(f"bands {bands} of '{model.name}' touch the other bands")
    u = vectors[..., bands]
    projectors = u @ np.conj(np.swapaxes(u, -1, -2))
    shape = (n,) * model.dimension
    return (projectors.reshape(*shape, model.n_bands, model.n_bands),
            energies.reshape(*shape, model.n_bands))


def shift_on_grid(field: np.ndarray, steps, dimension: int) -> np.ndarray:
    """field(k + Q) for Q = steps/n (in reciprocal-vector fractions) on the periodic grid."""
    return np.roll(field, shift=[-int(s) for s in steps], axis=tuple(range(dimension)))


def reflect_on_grid(field: np.ndarray, dimension: int) -> np.ndarray:
    """field(−k) on the midpoint grid: fraction (i+½)/n ↦ (n−1−i+½)/n."""
    return np.flip(field, axis=tuple(range(dimension)))


# --------------------------------------------------------------------------------------------
# χ_Q: trace form and Bloch form
# --------------------------------------------------------------------------------------------
def trace_form_density(projector, shifted_projector, operator) -> np.ndarray:
    """Tr[O† P(k+Q) O P(k)] per k point (real for Hermitian projectors).

    Parameters
    ----------
    projector, shifted_projector : ndarray, shape (..., N, N)
    operator : ndarray, shape (N, N) or (..., N, N)
    """
    dagger = np.conj(np.swapaxes(operator, -1, -2))
    value = np.einsum("...ij,...jk,...kl,...li->...", dagger, shifted_projector, operator,
                      projector)
    return np.real(value)


def susceptibility_trace_form(projector, shifted_projector, operator, temperature) -> float:
    """Seed's χ_Q = (1/T) ⟨Tr[O† P(k+Q) O P(k)]⟩_k (grid average)."""
    _check_positive(temperature, "temperature")
    return float(np.mean(trace_form_density(projector, shifted_projector, operator))) / temperature


def bloch_form_density(
    b, b_shifted, operator, n_flat: int, generators, f, prefactor: str = "published"
) -> np.ndarray:
    """The seed's Bloch-form integrand Tr[O†O]·(N_L²/N + ½ b̃_o(k+Q)·b(k)) per k point.

    Parameters
    ----------
    b, b_shifted : ndarray, shape (..., M)
        Bloch vectors b(k) and b(k+Q) of the flat-band projector.
    operator : ndarray, shape (N, N)
        Hermitian order parameter O = o_0 + o·λ (k independent).
    n_flat : int
        N_L, the number of flat bands.
    prefactor : {"published", "per_band"}
        ``published``: Tr[O†O] as printed on the slide; ``per_band``: Tr[O†O]/N, the
        normalization for which the identity holds (qgsym's finding).
    """
    n = operator.shape[-1]
    o0, o_vector = operator_components(operator, generators)
    if not np.allclose(operator, np.conj(operator.T)):
        raise QgsymError("the Bloch form is defined for a Hermitian order parameter")
    dressed = dressed_bloch_vector(b_shifted, np.real(o_vector), f, n)
    weight = float(np.real(np.trace(np.conj(operator.T) @ operator)))
    if prefactor == "per_band":
        weight /= n
    elif prefactor != "published":
        raise QgsymError(f"unknown prefactor {prefactor!r}; use 'published' or 'per_band'")
    return weight * (n_flat**2 / n + 0.5 * np.einsum("...a,...a->...", dressed, b))


def _check_positive(value, what: str) -> None:
    if not np.isfinite(value) or value <= 0:
        raise QgsymError(f"{what} must be positive and finite, got {value}")


# --------------------------------------------------------------------------------------------
# Particle–particle (pairing) susceptibility
# --------------------------------------------------------------------------------------------
def pair_thermal_factor(nu: float, temperature: float) -> float:
    """(1/4T)·|ν|/artanh|ν| (→ 1/4T at ν = 0): the flat-band limit of (1 − 2f)/(2ξ).

    ν = 1 − 2f is the flat-band filling measured from half filling, |ν| < 1.
    """
    _check_positive(temperature, "temperature")
    if not np.isfinite(nu) or abs(nu) >= 1:
        raise QgsymError(f"filling nu must satisfy |nu| < 1, got {nu}")
    x = abs(nu)
    ratio = 1.0 if x < 1e-8 else x / np.arctanh(x)
    return ratio / (4.0 * temperature)


def pair_trace_form_density(shifted_projector, reflected_projector, operator) -> np.ndarray:
    """Tr[P(k+Q) O P(−k)^* O†] per k: Σ_mn |⟨u_m(k+Q)| O |u_n(−k)^*⟩|² over flat bands."""
    dagger = np.conj(np.swapaxes(operator, -1, -2))
    value = np.einsum("...ij,...jk,...kl,...li->...", shifted_projector, operator,
                      np.conj(reflected_projector), dagger)
    return np.real(value)


def pair_bloch_form_density(b_shifted, b_reflected, o0, n_flat: int, n: int, signs):
    """Seed's pairing integrand o_0² (N_L²/N + ½ b^R(k+Q)·b(−k)), "N n²" read as N_L²/N."""
    return abs(o0) ** 2 * (n_flat**2 / n + 0.5 * np.einsum("...a,a,...a->...", b_shifted,
                                                           signs, b_reflected))


# --------------------------------------------------------------------------------------------
# Scans over Q on a model
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NestingScan:
    """χ_Q on the commensurate grid Q = j/n (reciprocal-vector fractions) for one operator.

    Attributes
    ----------
    q_fractions : ndarray, shape (n,)*d + (d,)
    chi : ndarray, shape (n,)*d
        Trace form (1/T)⟨Tr[O†P(k+Q)OP(k)]⟩.
    chi_bloch : ndarray, shape (n,)*d
        Bloch form with prefactor Tr[O†O]/N (equal to ``chi`` when O†O ∝ 1).
    chi_bloch_published : ndarray, shape (n,)*d
        Bloch form as printed (prefactor Tr[O†O]).
    bound : float
        N_L Tr[O†O]/(N T): the maximum of χ_Q when O†O ∝ 1 (reached iff b̃ ∥ b for all k).
    peak : tuple of int
        Index j of the largest χ (first in C order among ties within 1e-12).
    peak_alignment_min : float
        min_k cos∠(b̃_o(k+Q*), b(k)) at the peak (1 means perfect nesting).
    """

    q_fractions: np.ndarray
    chi: np.ndarray
    chi_bloch: np.ndarray
    chi_bloch_published: np.ndarray
    bound: float
    peak: tuple[int, ...]
    peak_alignment_min: float


def nesting_alignment(dressed: np.ndarray, b: np.ndarray) -> np.ndarray:
    """cos∠(b̃, b) per k (1 where b̃ ∥ b, the QGN condition)."""
    norms = np.linalg.norm(dressed, axis=-1) * np.linalg.norm(b, axis=-1)
    return np.einsum("...a,...a->...", dressed, b) / np.where(norms == 0, 1.0, norms)


def scan_susceptibility(model, operator, bands, n: int, temperature: float) -> NestingScan:
    """χ_Q for all Q = j/n of the n^d grid (k grid n^d, same spacing).

    Parameters
    ----------
    operator : array_like, shape (N, N)
        k-independent Hermitian order parameter O.
    bands : sequence of int
        Flat bands at the Fermi level (N_L of them).
    """
    _check_positive(temperature, "temperature")
    operator = np.asarray(operator, dtype=complex)
    projectors, _ = flat_band_projectors(model, n, bands)
    d, size = model.dimension, model.n_bands
    if operator.shape != (size, size):
        raise QgsymError(f"operator is {operator.shape}, expected {size}x{size}")
    generators = gell_mann_generators(size)
    f = structure_constants(generators)
    b = bloch_vector(projectors, generators)
    _, o_vector = operator_components(operator, generators)
    if not np.allclose(operator, np.conj(operator.T)):
        raise QgsymError("the Bloch form is defined for a Hermitian order parameter")
    dressing = dressing_matrix(np.real(o_vector), f, size)
    dressed_all = np.einsum("ab,...b->...a", dressing, b)  # b~ built from b(k') at every k'
    sandwich = operator @ projectors @ np.conj(operator.T)  # O P(k) O^dag
    weight = float(np.real(np.trace(np.conj(operator.T) @ operator)))
    constant = len(bands) ** 2 / size
    chi = np.empty((n,) * d)
    chi_bloch = np.empty((n,) * d)
    for steps in itertools.product(range(n), repeat=d):
        shifted = shift_on_grid(projectors, steps, d)
        # Tr[O^dag P(k+Q) O P(k)] = Tr[P(k+Q) O P(k) O^dag]
        chi[steps] = np.mean(np.real(np.einsum("...ij,...ji->...", shifted, sandwich)))
        overlap = np.einsum("...a,...a->...", shift_on_grid(dressed_all, steps, d), b)
        chi_bloch[steps] = weight / size * (constant + 0.5 * np.mean(overlap))
    chi /= temperature
    chi_bloch /= temperature
    chi_published = size * chi_bloch
    top = np.max(chi)
    peak = tuple(int(i) for i in np.argwhere(chi >= top - 1e-12 * max(abs(top), 1.0))[0])
    dressed = dressed_bloch_vector(shift_on_grid(b, peak, d), np.real(o_vector), f, size)
    alignment = float(np.min(nesting_alignment(dressed, b)))
    q_fractions = np.stack(np.meshgrid(*([np.arange(n) / n] * d), indexing="ij"), axis=-1)
    return NestingScan(q_fractions, chi, chi_bloch, chi_published,
                       len(bands) * weight / (size * temperature), peak, alignment)


def lindhard_susceptibility(model, operator, q_steps, n: int, mu: float,
                            temperature: float) -> float:
    """Static particle–hole susceptibility of the full band structure (independent check).

    .. math::
        \\chi(Q) = \\frac{1}{N_k}\\sum_k \\sum_{mn} |\\langle u_m(k+Q)|O|u_n(k)\\rangle|^2
            \\frac{f_0(\\varepsilon_n(k)) - f_0(\\varepsilon_m(k+Q))}
                 {\\varepsilon_m(k+Q) - \\varepsilon_n(k)}

    with the degenerate limit −f₀'(ε) = f(1−f)/T. For flat bands at μ it tends to
    f(1−f)·χ_Q(seed) + O(1/gap) as T → 0.
    """
    fractions = grid_fractions(n, model.dimension).reshape(-1, model.dimension)
    k = fractions @ model.reciprocal
    kq = (fractions + np.asarray(q_steps, dtype=float) / n) @ model.reciprocal
    e_k, u_k = np.linalg.eigh(model.hamiltonian.matrix(k))
    e_q, u_q = np.linalg.eigh(model.hamiltonian.matrix(kq))
    element = np.conj(np.swapaxes(u_q, -1, -2)) @ np.asarray(operator, dtype=complex) @ u_k
    weight = np.abs(element) ** 2  # [p, m (k+Q), n (k)]
    difference = e_q[:, :, None] - e_k[:, None, :]
    occupation = fermi_dirac(e_k, mu, temperature)[:, None, :] - fermi_dirac(
        e_q, mu, temperature)[:, :, None]
    scale = max(float(np.ptp(e_k)), 1.0)
    close = np.abs(difference) < 1e-10 * scale
    ratio = np.where(close, -fermi_derivative(0.5 * (e_q[:, :, None] + e_k[:, None, :]), mu,
                                              temperature),
                     occupation / np.where(close, 1.0, difference))
    return float(np.mean(np.sum(weight * ratio, axis=(1, 2))))


# --------------------------------------------------------------------------------------------
# Symbolic proofs (C10a)
# --------------------------------------------------------------------------------------------
def _sym_cross(u, v, f_entries):
    """(u × v)_c = f_abc u_a v_b from a list of nonzero (a, b, c, f_abc)."""
    out = [sympy.Integer(0)] * len(u)
    for a, b, c, value in f_entries:
        out[c] += value * u[a] * v[b]
    return out


def _sym_f_entries(generators):
    """Nonzero exact structure constants of SymPy generator matrices."""
    entries = []
    m = len(generators)
    for a in range(m):
        for b in range(m):
            if a == b:
                continue
            commutator = generators[a] * generators[b] - generators[b] * generators[a]
            if commutator.is_zero_matrix:
                continue
            for c in range(m):
                value = sympy.expand(-sympy.I / 4 * (commutator * generators[c]).trace())
                if value != 0:
                    entries.append((a, b, c, value))
    return entries


def _bloch_identity(generators, operator, o_vector, n_flat: int):
    """(trace form, Bloch form per_band, Bloch form published) as SymPy polynomials.

    ô = o/|o| is eliminated by multiplying b̃ with |o|² (both sides are homogeneous).
    """
    n = generators[0].shape[0]
    m = len(generators)
    b = sympy.symbols(f"b1:{m + 1}", real=True)
    c = sympy.symbols(f"c1:{m + 1}", real=True)
    identity = sympy.eye(n)
    p = sympy.Rational(n_flat, n) * identity + sum(
        (sympy.Rational(1, 2) * b[a] * generators[a] for a in range(m)), sympy.zeros(n))
    p_shift = sympy.Rational(n_flat, n) * identity + sum(
        (sympy.Rational(1, 2) * c[a] * generators[a] for a in range(m)), sympy.zeros(n))
    trace_form = sympy.expand((operator.H * p_shift * operator * p).trace())
    f_entries = _sym_f_entries(generators)
    o_norm2 = sum(x**2 for x in o_vector)
    inner = _sym_cross(o_vector, c, f_entries)
    outer = _sym_cross(inner, o_vector, f_entries)
    dressed_times_norm2 = [o_norm2 * c[a] - n * outer[a] for a in range(m)]
    weight = sympy.expand((operator.H * operator).trace())
    overlap = sum(dressed_times_norm2[a] * b[a] for a in range(m))
    # (weight) * (N_L^2/N + 1/2 * b~.b) with b~ = dressed_times_norm2 / |o|^2
    # Tr[O^dag O] / (2|o|^2) is a constant for O = o.lambda (Tr(l l) = 2): cancel it alone.
    factor = sympy.cancel(weight / (2 * o_norm2))
    published = sympy.expand(weight * sympy.Rational(n_flat**2, n) + factor * overlap)
    return trace_form, sympy.expand(published / n), published


def prove_two_band_identity() -> dict:
    """Symbolic check of the 2-band Bloch form for O = o·σ and general b, b(k+Q), o.

    Returns
    -------
    dict
        ``per_band_difference`` (trace form − Bloch form with Tr[O†O]/N; "0" proves it),
        ``published_ratio`` (Bloch form as printed / trace form), the rules used, and a
        counterexample for O = o_0 + o·σ with both parts nonzero.
    """
    sigma = [sympy.Matrix(p.real.astype(int)) + sympy.I * sympy.Matrix(p.imag.astype(int))
             for p in PAULI[1:]]
    o = sympy.symbols("o1:4", real=True)
    operator = sum((o[a] * sigma[a] for a in range(3)), sympy.zeros(2))
    trace_form, per_band, published = _bloch_identity(sigma, operator, list(o), 1)
    difference = sympy.expand(trace_form - per_band)
    ratio = 2 if sympy.expand(published - 2 * trace_form) == 0 else "not 2"
    # counterexample: O = o0 + o3 sigma_z, b = c = z-hat
    o0, o3 = sympy.symbols("o0 o3", real=True)
    general = o0 * sympy.eye(2) + o3 * sigma[2]
    z_projector = (sympy.eye(2) + sigma[2]) / 2
    lhs = sympy.expand((general.H * z_projector * general * z_projector).trace())
    # Bloch form with prefactor Tr[O^dag O]/N, o-hat = z-hat: b~ = b' - 2 (z x b') x z = z-hat
    rhs = sympy.expand((general.H * general).trace() / 2 * (sympy.Rational(1, 2)
                                                             + sympy.Rational(1, 2)))
    return {
        "trace_form": str(trace_form),
        "per_band_difference": str(difference),
        "proved_per_band": difference == 0,
        "published_over_trace": ratio,
        "rules": "expand + cancel of polynomials in b_a, c_a = b_a(k+Q), o_a (no constraint "
                 "on |b| needed); b~|o|^2 = |o|^2 c - N (o x c) x o; f_abc = epsilon_abc",
        "counterexample_o0_and_o": {
            "operator": "o0 + o3 sigma_z", "b": "z-hat", "b_shifted": "z-hat",
            "trace_form": str(lhs), "bloch_form_per_band": str(rhs),
            "difference": str(sympy.factor(lhs - rhs)),
        },
    }


def dirac_gamma_matrices() -> list[sympy.Matrix]:
    """Five mutually anticommuting Hermitian 4×4 matrices (σ_x τ_x, σ_x τ_y, σ_x τ_z, σ_y, σ_z)."""
    s = [sympy.Matrix(p.real.astype(int)) + sympy.I * sympy.Matrix(p.imag.astype(int))
         for p in PAULI]
    return [sympy.kronecker_product(s[1], s[1]), sympy.kronecker_product(s[1], s[2]),
            sympy.kronecker_product(s[1], s[3]), sympy.kronecker_product(s[2], s[0]),
            sympy.kronecker_product(s[3], s[0])]


def pauli_product_generators() -> list[sympy.Matrix]:
    """SU(4) generators σ_a ⊗ τ_b / √2, (a, b) ≠ (0, 0): Tr(λλ) = 2δ."""
    s = [sympy.Matrix(p.real.astype(int)) + sympy.I * sympy.Matrix(p.imag.astype(int))
         for p in PAULI]
    return [sympy.kronecker_product(s[a], s[b]) / sympy.sqrt(2)
            for a in range(4) for b in range(4) if (a, b) != (0, 0)]


def prove_clifford_identity(n_flat: int = 2) -> dict:
    """Symbolic check for SU(4) (N = 4, N_L flat bands) with O = Σ_i o_i Γ_i (O² = |o|²·1).

    b and b(k+Q) are 15 free symbols each; O is the general element of the 5-dimensional
    Clifford span (every such O satisfies O†O ∝ 1).
    """
    generators = pauli_product_generators()
    gammas = dirac_gamma_matrices()
    o = sympy.symbols("o1:6", real=True)
    operator = sum((o[i] * gammas[i] for i in range(5)), sympy.zeros(4))
    o_vector = [sympy.nsimplify(sympy.expand((operator * g).trace() / 2)) for g in generators]
    trace_form, per_band, published = _bloch_identity(generators, operator, o_vector, n_flat)
    difference = sympy.expand(trace_form - per_band)
    return {
        "n": 4,
        "n_flat": n_flat,
        "operator": "sum_i o_i Gamma_i, Gamma = (sx tx, sx ty, sx tz, sy, sz)",
        "per_band_difference": str(difference),
        "proved_per_band": difference == 0,
        "published_over_trace": 4 if sympy.expand(published - 4 * trace_form) == 0 else "not 4",
        "rules": "expand of polynomials in 15 + 15 Bloch components and 5 o_i; generators "
                 "sigma_a tau_b/sqrt2; f_abc from -i/4 Tr([l_a, l_b] l_c), exact",
    }


def numeric_identity_check(n: int, n_flat: int, seed: int = 0, clifford: bool = True) -> dict:
    """Trace form vs Bloch form (per_band and published) for random projectors of rank N_L.

    ``clifford=True`` uses a random traceless O with O² = 1 (needs even n); ``False`` a random
    Hermitian O (then O†O is not ∝ 1 and the Bloch form is not exact).
    """
    rng = np.random.default_rng(seed)

    def random_unitary():
        q, r = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
        return q * (np.diag(r) / np.abs(np.diag(r)))

    def random_projector():
        u = random_unitary()[:, :n_flat]
        return u @ np.conj(u.T)

    if clifford:
        if n % 2:
            raise QgsymError("a traceless Hermitian O with O^2 = 1 needs an even N")
        u = random_unitary()
        operator = u @ np.diag([1.0] * (n // 2) + [-1.0] * (n // 2)) @ np.conj(u.T)
    else:
        a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
        operator = a + np.conj(a.T)
    operator *= 0.7
    generators = gell_mann_generators(n)
    f = structure_constants(generators)
    p, p_shift = random_projector(), random_projector()
    b, c = bloch_vector(p, generators), bloch_vector(p_shift, generators)
    trace = float(trace_form_density(p, p_shift, operator))
    return {
        "n": n, "n_flat": n_flat, "clifford": clifford, "seed": seed,
        "trace_form": trace,
        "bloch_per_band": float(bloch_form_density(b, c, operator, n_flat, generators, f,
                                                   "per_band")),
        "bloch_published": float(bloch_form_density(b, c, operator, n_flat, generators, f,
                                                    "published")),
    }


def pauli_product_operator(spin: int, orbital: int) -> np.ndarray:
    """σ_spin ⊗ τ_orbital (0 = identity, 1..3 = x, y, z) in the basis (↑A, ↑B, ↓A, ↓B)."""
    return np.kron(PAULI[spin], PAULI[orbital])
