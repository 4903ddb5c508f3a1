"""Generic multiplets: the bands a model keeps degenerate at every k (e.g. Kramers pairs).

A property of the model (its symmetry-enforced degeneracies), found numerically: the bands
are grouped where adjacent energies agree to a threshold at every one of a few random k
points. Every band-geometric engine (:mod:`qgsym.bands.geometry`) then sums over a multiplet
(the gauge-invariant, non-Abelian sum) and the gap checks look only between multiplets.
``--degeneracy-threshold`` sets the threshold (:func:`qgsym.compute.with_degeneracy_threshold`).
"""

from __future__ import annotations

import numpy as np

#: Default grouping threshold, relative to the spread of the sampled energies.
DEGENERACY_TOLERANCE = 1e-9


class Multiplets(tuple):
    """Band multiplets (tuple of tuples of band indices) and the threshold that grouped them.

    ``threshold`` (model energy unit) is also the splitting a multiplet may show on a grid
    before :func:`check_gaps` refuses it (at least ``GAP_CLOSING_TOLERANCE`` × the scale).
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
        Splitting (model energy unit) below which two adjacent bands are one multiplet;
        default ``DEGENERACY_TOLERANCE`` × the spread of the sampled energies.
    """
    energies = np.linalg.eigvalsh(hamiltonian.matrix(sample_k))
    scale = max(float(np.ptp(energies)), np.finfo(float).tiny)
    if threshold is None:
        threshold = DEGENERACY_TOLERANCE * scale
    same = np.all(np.abs(np.diff(energies, axis=1)) < threshold, axis=0)
    groups, current = [], [0]
    for n, joined in enumerate(same, start=1):
        if joined:
            current.append(n)
        else:
            groups.append(tuple(current))
            current = [n]
    groups.append(tuple(current))
    return Multiplets(groups, threshold)


