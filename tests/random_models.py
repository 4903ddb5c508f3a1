"""Random Hermitian trigonometric lattice models, built in NumPy (independent of SymPy/lambdify).

H(k) = Σ_R (h_R e^{i k·R} + h_R† e^{−i k·R}) over a few Bravais vectors R, with random complex
h_R; derivatives are analytic. Used by hypothesis tests of identities and invariances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qgsym.model.bloch import NumericModel

VECTORS_2D = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [1, -1], [2, 0]])


@dataclass(frozen=True)
class TrigonometricHamiltonian:
    vectors: np.ndarray  # (R, d) integer Bravais vectors
    hoppings: np.ndarray  # (R, N, N) complex

    def _phase(self, k):
        return np.exp(1j * np.atleast_2d(k) @ self.vectors.T)  # (P, R)

    def matrix(self, k):
        term = np.einsum("pr,rij->pij", self._phase(k), self.hoppings)
        return term + np.conj(np.swapaxes(term, -1, -2))

    def derivative(self, k):
        phase = self._phase(k)
        term = np.einsum("pr,ra,rij->apij", phase, 1j * self.vectors, self.hoppings)
        return term + np.conj(np.swapaxes(term, -1, -2))

    def second_derivative(self, k):
        phase = self._phase(k)
        factor = -np.einsum("ra,rb->rab", self.vectors, self.vectors)
        term = np.einsum("pr,rab,rij->abpij", phase, factor, self.hoppings)
        return term + np.conj(np.swapaxes(term, -1, -2))


def random_lattice_model(seed: int, n_bands: int = 2, hopping: float = 1.0) -> NumericModel:
    """A random 2D lattice model with generic (non-degenerate) bands, square cell 2π.

    On-site levels 0, 6, 12, ... plus random hoppings of typical size ``hopping``: small
    ``hopping`` gives well-gapped bands (smooth geometry), large gives near-touching ones.
    """
    rng = np.random.default_rng(seed)
    hoppings = hopping * (rng.normal(size=(len(VECTORS_2D), n_bands, n_bands))
                          + 1j * rng.normal(size=(len(VECTORS_2D), n_bands, n_bands)))
    hoppings[0] = 0.5 * (hoppings[0] + hoppings[0].conj().T)  # on-site part counted twice
    hoppings[0] += np.diag(np.arange(n_bands) * 6.0)
    hamiltonian = TrigonometricHamiltonian(VECTORS_2D, hoppings)
    return NumericModel(
        name=f"random_{seed}", dimension=2, reciprocal=2 * np.pi * np.eye(2),
        hamiltonian=hamiltonian, n_bands=n_bands,
    )


def random_symmetric_model(seed: int, n_bands: int, symmetry: str) -> NumericModel:
    """Random 2D lattice model with spinless T (real hoppings: H(-k)* = H(k)) or spinless PT
    (complex-symmetric hoppings: H(k)* = H(k))."""
    rng = np.random.default_rng(seed)
    hoppings = rng.normal(size=(len(VECTORS_2D), n_bands, n_bands)) + 0j
    if symmetry == "PT":
        hoppings = hoppings + 1j * rng.normal(size=hoppings.shape)
        hoppings = 0.5 * (hoppings + np.swapaxes(hoppings, -1, -2))
    elif symmetry != "T":
        raise ValueError(symmetry)
    hoppings[0] = 0.5 * (hoppings[0] + hoppings[0].conj().T)
    if symmetry == "PT":
        hoppings[0] = hoppings[0].real
    hoppings[0] += np.diag(np.arange(n_bands) * 6.0)
    return NumericModel(name=f"random_{symmetry}_{seed}", dimension=2,
                        reciprocal=2 * np.pi * np.eye(2),
                        hamiltonian=TrigonometricHamiltonian(VECTORS_2D, hoppings),
                        n_bands=n_bands)


def forced_touching_model(seed: int, n_bands: int):
    """A random model whose bands b and b+1 touch at a random k0 (generically off any grid).

    Band b+1 is lowered onto band b at k0 by a constant rank-one term
    −(ε_{b+1} − ε_b)|u_{b+1}(k0)⟩⟨u_{b+1}(k0)|, which leaves ε_b(k0) and every other
    eigenpair at k0 unchanged; nowhere is a degeneracy generic.

    Returns
    -------
    model : NumericModel
    k0 : ndarray, shape (2,)
    band : int
        b: the touching pair is (b, b + 1).
    crossing : float
        ε_b(k0), the energy of the touching.
    """
    base = random_lattice_model(seed, n_bands, 0.5)
    rng = np.random.default_rng(seed)
    k0 = 2 * np.pi * rng.random(2)
    energies, states = np.linalg.eigh(base.hamiltonian.matrix(k0[None])[0])
    band = int(rng.integers(0, n_bands - 1))
    hoppings = base.hamiltonian.hoppings.copy()
    # the on-site term h_0 enters twice (h_0 + h_0†)
    hoppings[0] -= 0.5 * (energies[band + 1] - energies[band]) * np.outer(
        states[:, band + 1], states[:, band + 1].conj())
    model = NumericModel(name="forced", dimension=2, reciprocal=2 * np.pi * np.eye(2),
                         hamiltonian=TrigonometricHamiltonian(VECTORS_2D, hoppings),
                         n_bands=n_bands)
    return model, k0, band, float(energies[band])
