r"""τ⁰ current response to an electric-field gradient, σ^(1,1), from the exact Moyal equation.

Seed 001 (Balents; Park, Huang, Savary, Balents, arXiv:2504.10447) writes the q-dependence of
the linear conductivity as :math:`\sigma_{ij}(q,\omega) = \sigma^{(1,0)}_{ij}(\omega) +
\sigma^{(1,1)}_{ijl}(\omega)\,iq_l + O(q^2)` and prints a τ⁰ part built from the quantum
metric g and the band-normalized metric T = −𝒢, attributing it to Lapa and Hughes
(PRB 99, 121111 (2019)). This module derives that τ⁰ part without a gradient expansion.

**The exact equation.** For the separable Hamiltonian :math:`H = H_0(\mathbf k) +
u\,e^{i\mathbf q\cdot\mathbf x}` (potential energy :math:`u = -eV_{\mathbf q}`, carriers of
charge −e, ħ = 1) the Moyal star product of a plane wave with a symbol of k alone is exact,

.. math::
    e^{i\mathbf q\cdot\mathbf x}\star G(\mathbf k) = e^{i\mathbf q\cdot\mathbf x}
    G(\mathbf k - \tfrac{\mathbf q}{2}),\qquad
    G(\mathbf k)\star e^{i\mathbf q\cdot\mathbf x} = G(\mathbf k + \tfrac{\mathbf q}{2})
    e^{i\mathbf q\cdot\mathbf x},

so the linear response :math:`F = F_0(\mathbf k) + \delta F(\mathbf k)e^{i\mathbf q\cdot
\mathbf x}` of the matrix Wigner function to a *static* potential obeys, in the eigenbases
:math:`|m\pm\rangle` of :math:`H_0(\mathbf k\pm\mathbf q/2)`,

.. math::
    (\varepsilon_m^+ - \varepsilon_n^-)\,\delta F_{mn}
      = u\,(f_m^+ - f_n^-)\,\langle m+|n-\rangle .

For m ≠ n (interband) this is solved exactly. The band-diagonal entries need the
relaxation: with :math:`\omega\to\omega + i/\tau` their solution is a Laurent series in
:math:`\tilde\omega = \omega + i/\tau` with only negative powers (:math:`\tilde\omega \gg
qv`), so they carry τ¹, τ², … and no τ⁰ part. Hence the τ⁰ state of a Wigner function that
relaxes as a whole toward the bare equilibrium :math:`f_0(H_0(\mathbf k))` is
:math:`F_0 + \delta F_{\rm inter}`, and the current is (Weyl symbol of the velocity; the
symmetrization :math:`\tfrac12\{\partial H_0,\cdot\}_\star` changes it at O(q³) only)

.. math::
    j_i(\mathbf q) = -e\int[d\mathbf k]\,\mathrm{Tr}[\partial_iH_0(\mathbf k)\,
    \delta F(\mathbf k)] .

Since :math:`E_j = -iq_jV_{\mathbf q}`, the O(q) part of j is the intrinsic anomalous Hall
current (a check against TKNN) and the O(q²) part is
:math:`j_i = q_jq_l\,\sigma^{(1,1)}_{ijl}V_{\mathbf q}` — a scalar potential probes only the
part of σ^(1,1) symmetric in (j, l) (curl-free fields). The coefficient is extracted with a
Richardson extrapolation in |q|.

**The Moyal band kinetics** relaxes the gauge-invariant band density
:math:`f_n = \mathrm{tr}[U\star p_n\tilde f\star U^\dagger] = \mathrm{tr}[\tilde P_n\star F]`
instead (:math:`\tilde P_n` the star-dressed projectors of :math:`H_0 + u e^{iqx}`, exact to
linear order in u: interband only, :math:`(\varepsilon_m^+ - \varepsilon_k^-)\delta
\tilde P^{(n)}_{mk} = -u(\langle m+|n-\rangle\delta_{kn} - \delta_{mn}\langle n+|k-\rangle)`).
For the state above :math:`f_n = f_0(\varepsilon_n) + \Delta_n` with
:math:`\Delta_n = O(uq^2)`; relaxing :math:`f_n` toward :math:`f_0(\varepsilon_n)` (or toward
:math:`f_0(h_n + eV)`, the same at linear order: C8e found no ∂²V term in h_n) removes
:math:`\Delta_n`, which changes the current by :math:`+e\int\sum_n v^i_n\Delta_n`.

**Closed forms** (e = ħ = 1, T = −𝒢; Sym = average over the permutations of (i, j, l)).
With the continuity-preserving vertex :math:`H_0^+ - H_0^-` (it differs from
:math:`\mathbf q\cdot\partial H_0` at O(q³), i.e. at O(q⁴) in q·j here),
completeness of the :math:`|m\pm\rangle` and :math:`\int(f^+ - f^-) = 0` give exactly

.. math::
    \mathbf q\cdot\mathbf j = e u\int[d\mathbf k]\sum_n (f_n^- - f_n^+)
    \bigl(1 - |\langle n+|n-\rangle|^2\bigr)
    = -e^2V q_iq_jq_l\int[d\mathbf k]\sum_n f_n\,\partial_i g_n^{jl} + O(q^5),

so the longitudinal (fully symmetric) part of ``kubo`` is :math:`-\mathrm{Sym}\int f_0
\partial_ig_{jl}`. The band-density correction is :math:`\Delta_n = e f_n\mathcal
G_n^{jl}\partial_j\partial_lV` (the slide's :math:`f_n = \tilde f_n + \hbar\partial_{x_i}
(\tilde f_nA_{k_i}) + \ldots` with the field-induced connection :math:`A^{(1)}_k = e\mathcal G
\partial V` of C8e), so ``band_density`` − ``kubo`` :math:`= -\int f_0 v_i\mathcal G_{jl}`.
Both closed forms are checked numerically (:mod:`qgsym.claims.moyal_gradient`, tests). The
rest of the tensor (mixed symmetry, transverse) is not spanned by these integrals.

Relaxing instead toward the local equilibrium of :math:`H_0 - eV` (the potential inside the
target, fixed μ) makes the target stationary: the steady state is thermodynamic equilibrium
and carries no longitudinal current (only magnetization currents).

The tensors are compared, in :mod:`qgsym.claims.moyal_gradient`, with Brillouin-zone
integrals of band geometry (:func:`geometric_basis`).
"""

from __future__ import annotations

import numpy as np

from qgsym.bands.convergence import grid_converged, grid_of, temperature_width
from qgsym.bands.gap_closing import require_open_gaps, with_warnings
from qgsym.bands.geometry import band_geometry, check_gaps
from qgsym.bands.kspace import energy_scale, fermi_derivative, fermi_dirac, make_grid
from qgsym.errors import QgsymError
from qgsym.model.wannier90 import refuse_full_interpolation
from qgsym.responses.geometric import component_keys

#: Relative size of the smaller probe wavevector |q| (of a reciprocal vector / 2π).
PROBE_FRACTION = 2e-3

#: Smallest interband splitting between k + q/2 and k − q/2, in units of the energy scale
#: (the exact solution divides by it; the gaps at the grid points themselves are checked
#: with :data:`qgsym.bands.geometry.GAP_CLOSING_TOLERANCE`).
PROBE_GAP_FLOOR = 1e-6


def _eigen(H, points):
    energies, vectors = np.linalg.eigh(H.matrix(points))
    return energies, vectors


def _response_at(H, points, q, mu, temperature, scale):
    """Current densities at one probe wavevector q, for V = 1 (u = −e = −1), per k point.

    Returns
    -------
    kubo : ndarray (d, P), complex
        :math:`-e\\,\\mathrm{Tr}[\\partial_iH_0\\,\\delta F_{\\rm inter}]`.
    shift : ndarray (d, P), complex
        :math:`e\\sum_n v^i_n\\Delta_n` (band-density correction, see the module text).
    longitudinal : ndarray (P,)
        :math:`eu\\sum_n (f_n^- - f_n^+)(1 - |\\langle n+|n-\\rangle|^2)`, whose integral is
        exactly :math:`\\mathbf q\\cdot\\mathbf j` of the interband state with the
        continuity-preserving vertex :math:`H_0^+ - H_0^-` (completeness of the |m±⟩ and
        :math:`\\int(f^+ - f^-) = 0`; see the module text).
    """
    u = -1.0
    energies, vectors = _eigen(H, points)
    check_gaps(energies, points, tuple((n,) for n in range(energies.shape[1])), scale)
    e_plus, v_plus = _eigen(H, points + q / 2)
    e_minus, v_minus = _eigen(H, points - q / 2)
    n_bands = e_plus.shape[1]
    off = ~np.eye(n_bands, dtype=bool)
    split = e_plus[:, :, None] - e_minus[:, None, :]  # eps_m^+ - eps_n^-
    if np.any(np.abs(split[:, off]) < PROBE_GAP_FLOOR * scale):
        raise QgsymError("the field-gradient response needs non-degenerate bands; a gap "
                         "closes on the grid")
    safe = np.where(off, split, 1.0)
    overlap = np.conj(np.swapaxes(v_plus, -1, -2)) @ v_minus  # <m+|n->
    f_plus = fermi_dirac(e_plus, mu, temperature)
    f_minus = fermi_dirac(e_minus, mu, temperature)
    delta_f = np.where(off, u * (f_plus[:, :, None] - f_minus[:, None, :]) * overlap / safe, 0)
    gradient = H.derivative(points)  # (d, P, N, N)
    vertex = np.conj(np.swapaxes(v_minus, -1, -2))[None] @ gradient @ v_plus[None]  # <n-|dH|m+>
    kubo = -np.einsum("apnm,pmn->ap", vertex, delta_f)
    fidelity = np.abs(np.einsum("pnn->pn", overlap)) ** 2
    # the term sum_n (f^- - f^+) integrates to zero exactly; dropping it pointwise keeps the
    # grid error of an O(q) quantity out of an O(q^3) one
    longitudinal = u * np.sum((f_minus - f_plus) * (1.0 - fidelity), axis=1)
    # Delta_n = sum_{mk} dP^(n)_mk f_k^- <k-|m+> + sum_k dF_nk <k-|n+>
    back = np.conj(np.swapaxes(overlap, -1, -2))  # <k-|m+>
    velocity = np.real(np.einsum(
        "pmn,apmk,pkn->apn", np.conj(vectors), gradient, vectors))  # (d, P, N)
    shift = np.zeros((points.shape[0], n_bands), dtype=complex)
    for n in range(n_bands):
        column = np.zeros((n_bands, n_bands))
        column[:, n] = 1.0
        source = overlap * column[None] - overlap[:, n, None, :] * column.T[None]
        projector = np.where(off, -u * source / safe, 0)
        shift[:, n] = (np.einsum("pmk,pk,pkm->p", projector, f_minus, back)
                       + np.einsum("pk,pk->p", delta_f[:, n, :], back[:, :, n]))
    band_term = np.einsum("apn,pn->ap", velocity, shift)
    return kubo, band_term, longitudinal


def _probe_directions(d: int) -> list:
    """e_a, e_a + e_b, e_a − e_b: enough to fix a tensor symmetric in (j, l)."""
    eye = np.eye(d)
    directions = [eye[a] for a in range(d)]
    for a in range(d):
        for b in range(a + 1, d):
            directions += [eye[a] + eye[b], eye[a] - eye[b]]
    return directions


def _symmetric_from_probes(qs, currents, d):
    """S_ijl (symmetric in j, l) from Re j_i(q) = q_j q_l S_ijl, least squares (exact here)."""
    pairs = [(j, l) for j in range(d) for l in range(j, d)]
    design = np.array([[q[j] * q[l] * (1 if j == l else 2) for j, l in pairs] for q in qs])
    solution = np.linalg.lstsq(design, np.array(currents).real, rcond=None)[0]
    tensor = np.zeros((d, d, d))
    for row, (j, l) in enumerate(pairs):
        tensor[:, j, l] = tensor[:, l, j] = solution[row]
    return tensor


def gradient_response(model, n: int, mu: float, temperature: float) -> dict:
    r"""τ⁰ σ^(1,1)_{ijl} (symmetric in j, l) from the exact static Moyal response.

    Parameters
    ----------
    model : BlochModel or NumericModel
        A lattice model with non-degenerate bands (x is conjugate to the k of H(k): the
        potential acts as V(x)·1 in the Bloch basis the model is written in).
    n : int
        Grid points per direction.
    mu, temperature : float
        Chemical potential and temperature (energy units of the model, k_B = 1).

    Returns
    -------
    dict
        ``kubo`` (d, d, d): whole Wigner function relaxing toward :math:`f_0(H_0)`;
        ``band_density`` (d, d, d): the Moyal band kinetics (gauge-invariant band density
        relaxing toward :math:`f_0(arepsilon_n)`), i.e. ``kubo`` plus
        ``band_density_shift`` :math:`= e\sum_n\int v^i_n\Delta_n`; ``hall`` (d, d): the
        O(q) coefficient, σ^(1,0)_{ij} at τ⁰ (to compare with −e²∫f₀Ω^{ij});
        ``longitudinal_pairs``: for each probe direction q̂, the q³ coefficients of
        q̂·j from the current and from the completeness identity (equal up to the
        O(q²) vertex difference, removed by the extrapolation);
        ``*_richardson_change``: the change of the entries between the two probe sizes,
        relative to the largest entry (the truncation error before extrapolation).
        σ_ijl in j_i = σ_ijl ∂_l E_j, e = ħ = 1.
    """
    refuse_full_interpolation(model, "sigma11 (the Moyal field-gradient response)")
    if not model.lattice:
        raise QgsymError("the field-gradient response is implemented for lattice models")
    if any(len(group) > 1 for group in model.multiplets):
        raise QgsymError(f"the field-gradient response needs non-degenerate bands; "
                         f"'{model.name}' has degenerate multiplets {model.multiplets}")
    d = model.dimension
    H = model.hamiltonian
    grid = make_grid(model, n)
    scale = energy_scale(model)
    size = PROBE_FRACTION * float(np.min(np.linalg.norm(model.reciprocal, axis=1)))
    directions = _probe_directions(d)
    tables = {}
    for scale in (1.0, 2.0):
        qs, kubo_rows, band_rows, longitudinal_rows = [], [], [], []
        for direction in directions:
            q = scale * size * direction
            kubo, band = np.zeros(d, dtype=complex), np.zeros(d, dtype=complex)
            longitudinal = 0.0
            for points, weights in grid.chunks(4000):
                k_part, b_part, l_part = _response_at(H, points, q, mu, temperature, scale)
                kubo += k_part @ weights
                band += b_part @ weights
                longitudinal += l_part @ weights
            qs.append(q)
            kubo_rows.append(kubo)
            band_rows.append(band)
            longitudinal_rows.append((float(q @ kubo.real), float(longitudinal)))
        tables[scale] = {
            "kubo": _symmetric_from_probes(qs, kubo_rows, d),
            "band_density_shift": _symmetric_from_probes(qs, band_rows, d),
            "hall": np.array([-np.array(kubo_rows[a]).imag / qs[a][a] for a in range(d)]).T,
            "longitudinal": np.array([[pair[0], pair[1]] for pair in longitudinal_rows])
            / np.array([np.linalg.norm(q) ** 3 for q in qs])[:, None],
        }
    result = {}
    for name in ("kubo", "band_density_shift", "hall", "longitudinal"):
        fine, coarse = tables[1.0][name], tables[2.0][name]
        result[name] = (4 * fine - coarse) / 3  # errors are O(q^2) relative
        largest = max(float(np.max(np.abs(fine))), 1e-300)
        result[f"{name}_richardson_change"] = float(np.max(np.abs(fine - coarse))) / largest
    result["band_density"] = result["kubo"] + result["band_density_shift"]
    result["longitudinal_pairs"] = result.pop("longitudinal")
    result["probe_directions"] = [list(map(float, q)) for q in directions]
    result["probe_wavevector"] = size
    return result


def geometric_basis(model, n: int, mu: float, temperature: float) -> dict:
    r"""Brillouin-zone integrals of band geometry that a τ⁰ σ^(1,1) can be built from.

    All have the dimension of σ^(1,1)/e² (length³ in 2D natural units) and are Fermi-sea
    integrals; ∂g is integrated by parts, :math:`\int f_0\partial_a g = -\int f_0'v_a g`
    (lattice: no boundary).

    Returns
    -------
    dict of ndarray (d, d, d), index order (i, j, l), i the current index:
        ``d_i g_jl`` :math:`\sum_n\int f_0\partial_ig_n^{jl}`;
        ``d_j g_il`` :math:`\sum_n\int f_0\partial_jg_n^{il}` (symmetrized in j, l);
        ``v_j G_il`` :math:`\sum_n\int f_0 v^j_n\mathcal G_n^{il}` (symmetrized in j, l);
        ``v_i G_jl`` :math:`\sum_n\int f_0 v^i_n\mathcal G_n^{jl}`.
    """
    grid = make_grid(model, n)
    scale = energy_scale(model)
    d = model.dimension
    dg = np.zeros((d, d, d))
    vG = np.zeros((d, d, d))
    for points, weights in grid.chunks(4000):
        geometry = band_geometry(model.hamiltonian, points, model.multiplets, scale)
        f = fermi_dirac(geometry.energies, mu, temperature) * weights[:, None]
        slope = fermi_derivative(geometry.energies, mu, temperature) * weights[:, None]
        dg -= np.einsum("pn,apn,bcpn->abc", slope, geometry.velocity, geometry.quantum_metric)
        vG += np.einsum("pn,apn,bcpn->abc", f, geometry.velocity,
                        geometry.band_normalized_metric)

    def symmetric_jl(tensor):
        return 0.5 * (tensor + np.swapaxes(tensor, 1, 2))

    return {
        "d_i g_jl": dg,
        "d_j g_il": symmetric_jl(np.swapaxes(dg, 0, 1)),
        "v_j G_il": symmetric_jl(np.swapaxes(vG, 0, 1)),
        "v_i G_jl": vG,
    }


@grid_converged(fermi_width=temperature_width)
def compute_sigma11(model, options) -> dict:
    r"""``qgsym compute sigma11``: τ⁰ σ^(1,1)_{ijl}, j_i = σ_ijl ∂_l E_j (symmetric in j, l).

    ``values`` has two tensors (component keys "ijl", all d³): ``kubo`` (the whole Wigner
    function relaxing toward f₀(H₀)) and ``band_density`` (the Moyal band kinetics, band
    density relaxing toward f₀(ε_n)). Natural units e = ħ = 1: σ^(1,1) in e²/ħ times
    length^(3−d). One grid (``options.grid``); the grid policy and the per-component error
    estimate are those of :mod:`qgsym.bands.convergence`.
    """
    n = grid_of(model, options)
    warnings = require_open_gaps(model, n, "sigma11")
    fine = gradient_response(model, n, options.mu, options.T)
    keys = component_keys(model, 3)
    d = model.dimension
    values = {}
    for name in ("kubo", "band_density"):
        tensor = fine[name]
        if not np.all(np.isfinite(tensor)):
            raise QgsymError("sigma11 is not finite on this grid")
        values[name] = {key: float(tensor[index]) for key, index in
                        zip(keys, np.ndindex(*(d,) * 3), strict=True)}
    return with_warnings({
        "values": values,
        "tau_power": 0,
        "units": "natural (e = hbar = 1): e^2/hbar times length^(3-d)",
        "notes": ("tau^0 response to a field gradient from the exact static Moyal equation "
                  "(qgsym.derive.field_gradient); a scalar potential fixes only the part "
                  "symmetric in (j, l), and only its fully symmetric part is independent of "
                  "the current definition (claims C8f.3, C8f.4); carriers of charge -e; "
                  "the probe |q| is Richardson-extrapolated"),
    }, warnings)
