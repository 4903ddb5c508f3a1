"""Generic multiplets (bands degenerate at every k) and their grouping at each k.

Generic multiplets are a property of the model (its symmetry-enforced degeneracies, e.g.
Kramers pairs), found numerically: adjacent bands whose energies agree to
:data:`DEGENERACY_TOLERANCE` × W (W the spread of the sampled energies; or to the threshold,
when that is smaller) at every one of a few random k points. They are the fixed slots of the
multiplet-level outputs (P points × M multiplets).

At each k point the engines (:func:`qgsym.bands.geometry.point_grouping`) further join
adjacent multiplets closer than the *degeneracy threshold* τ (``Multiplets.threshold``;
default :data:`POINT_DEGENERACY_TOLERANCE` × W; ``--degeneracy-threshold``,
:func:`qgsym.compute.with_degeneracy_threshold`) into a group G: an accidental
near-degeneracy (Te: two bands far below μ split by 1e-6 eV at some k) is then treated as a
multiplet at that point. Inside G the pair terms, which divide by the splitting δ of the
group, are left out and only the group sum is formed; each multiplet D ⊂ G carries the group
energy and its share of the group sum,

.. math::
    \\varepsilon_D = \\varepsilon_G = \\frac{1}{|G|}\\sum_{n\\in G}\\varepsilon_n, \\qquad
    X_D = \\frac{|D|}{|G|}\\sum_{n\\in G} X_n,

so every sum :math:`\\sum_D f(\\varepsilon_D) X_D` over the slots equals
:math:`f(\\varepsilon_G)\\sum_{n\\in G}X_n`, which is gauge invariant (independent of the
eigenvectors chosen inside G). For the Berry curvature, the band-normalized metric, the
inverse mass and their k-derivatives the group sum equals the sum of the band values exactly
(the pair terms inside G are antisymmetric in the pair and cancel analytically; the
computation drops them instead of cancelling 1/δ^p terms in floating point, whose rounding
error grows like ε_mach (Δ/δ)^p, Δ the gaps to other bands). What grouping changes:

* f(ε_n) → f(ε_G): nothing where the whole group is filled, or empty, at a Fermi level
  (|ε_n − ε_G| ≤ τ); at a level within τ (+ the Fermi window) of a group the result is
  affected, and :mod:`qgsym.bands.gap_closing` flags that level;
* the quantum metric of G is the non-Abelian metric of the group, Σ_{n∈G} g_n less the
  intra-group term 2 Re Σ_{n≠m∈G} A_nm A_mn (singular as δ → 0, the reason to group);
* velocities inside G are the group mean.

Default τ = 1e-4 W (W the spread of the sampled energies; Te, W = 16 eV: τ = 1.6 meV;
WannierBerri's ``degen_thresh`` is 1e-4 eV). Not grouping a pair split by δ leaves a
rounding error that grows like ε_mach (W/δ)^p, p = 3 for ∂Ω and 4 for ∂𝒢: measured on a
random 4-band 3D model (W ≈ 20), the pair sum of ∂Ω computed band by band is off by 1e-9
at δ = 1e-2 and 6e-7 at δ = 1e-3 (of 0.07), that of ∂𝒢 by 4e-7 and 3e-3 (of 0.02, i.e.
13 %), while the grouped sums agree with a finite difference to 1e-12
(``tests/test_kmultiplets.py``). At δ = τ = 1e-4 W the ungrouped ∂Ω is good to ~1e-6
relative and ∂𝒢 to ~1 %; grouping more only moves f(ε_n) → f(ε_G) at levels within τ.
That random model is a worst case (O(1) velocity between the two bands): for Te
(``benchmarks/tellurium.py``, 6³ points, 41 levels in 4–8 eV, T → 0) the AHC and BCD change
by ≤ 2e-11 relative for τ from 1e-6 to 1e-2 eV.
Every result states the threshold used (``degeneracy_threshold``).
"""

from __future__ import annotations

import numpy as np

#: Generic-multiplet test: relative splitting (of the spread W of the sampled energies).
DEGENERACY_TOLERANCE = 1e-9
#: Default per-point degeneracy threshold τ, relative to W (module docstring).
POINT_DEGENERACY_TOLERANCE = 1e-4


class Multiplets(tuple):
    """Band multiplets (tuple of tuples of band indices) and the degeneracy threshold τ.

    ``threshold`` (model energy unit) joins adjacent multiplets closer than it into one group
    at each k (module docstring); it is also the splitting a multiplet may show on a grid
    before :func:`qgsym.bands.geometry.check_gaps` refuses it (at least
    ``GAP_CLOSING_TOLERANCE`` × the scale).
    """

    def __new__(cls, groups, threshold: float):
        self = super().__new__(cls, groups)
        self.threshold = float(threshold)
        return self

    def __reduce__(self):
        return (Multiplets, (tuple(self), self.threshold))


def generic_multiplets(hamiltonian, sample_k: np.ndarray,
                       threshold: float | None = None) -> Multiplets:
    """Partition band indices into multiplets degenerate at every sampled (generic) k.

    Parameters
    ----------
    hamiltonian : object with ``matrix(k) -> (P, N, N)``
    sample_k : ndarray, shape (P, d)
        Random points; a degeneracy present at all of them is taken as generic.
    threshold : float, optional
        The degeneracy threshold τ (model energy unit) of the per-point grouping; default
        ``POINT_DEGENERACY_TOLERANCE`` × the spread W of the sampled energies. Two adjacent
        bands are one generic multiplet when their splitting is below the smaller of τ and
        ``DEGENERACY_TOLERANCE`` × W at every sample.
    """
    energies = np.linalg.eigvalsh(hamiltonian.matrix(sample_k))
    scale = max(float(np.ptp(energies)), np.finfo(float).tiny)
    if threshold is None:
        threshold = POINT_DEGENERACY_TOLERANCE * scale
    generic = min(threshold, DEGENERACY_TOLERANCE * scale)
    same = np.all(np.abs(np.diff(energies, axis=1)) < generic, axis=0)
    groups, current = [], [0]
    for n, joined in enumerate(same, start=1):
        if joined:
            current.append(n)
        else:
            groups.append(tuple(current))
            current = [n]
    groups.append(tuple(current))
    return Multiplets(groups, threshold)


