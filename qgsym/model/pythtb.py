"""PythTB models as qgsym numeric models (``tb`` convention, orbitals at their positions).

PythTB (Coh and Vanderbilt, https://www.physics.rutgers.edu/pythtb/, version 1.8) builds

.. math::
    H_{ij}(\\mathbf k) = \\varepsilon_i\\delta_{ij} + \\sum_{(t, i, j, \\mathbf R)}
    t\\, e^{i 2\\pi\\mathbf k\\cdot(\\mathbf R + \\mathbf x_j - \\mathbf x_i)} + \\text{h.c.},

with k and the orbital positions x_i in reduced coordinates and each hopping (t, i, j, R)
stored once (its conjugate j -> i at -R is implied). That is exactly qgsym's ``tb``
convention (:class:`qgsym.model.wannier90.WannierHamiltonian`) with H_ij(R) = t,
H_ji(-R) = t*, H_ii(0) = ε_i, Wigner-Seitz degeneracies 1 and Cartesian centres
τ_i = x_i · A (A: lattice vectors as rows).

:func:`model_from_tight_binding` takes these data as plain arrays (no PythTB needed);
:func:`model_from_pythtb` reads them from a ``pythtb.tb_model`` (version 1.8: ``get_lat()``,
``get_orb()`` and the attributes ``_site_energies``, ``_hoppings``, ``_nspin``, ``_dim_k``,
``_dim_r``, which PythTB 1.8 exposes without public getters). Spinful models (``nspin = 2``)
become 2N orbitals ordered (orbital, spin). PythTB has no units: pass ``units`` (e.g.
``{"energy": "eV", "length": "Angstrom"}``) when the numbers are physical, else no SI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from qgsym.errors import ModelError
from qgsym.model.bloch import NumericModel
from qgsym.model.wannier90 import HoppingModel, tight_binding_model

#: Units of a model whose numbers carry none (PythTB's default): no SI conversion.
NO_UNITS = {"energy": "arb.", "length": "arb."}


def model_from_tight_binding(
    lattice,
    orbitals,
    onsite,
    hoppings: Sequence,
    *,
    name: str = "tight_binding",
    units: Mapping[str, str] | None = None,
) -> NumericModel:
    """Build a numeric model from PythTB-style data.

    Parameters
    ----------
    lattice : array_like, shape (d, d)
        Lattice vectors as rows (d = 1, 2 or 3; padded to 3D with unit vectors).
    orbitals : array_like, shape (N, d)
        Orbital positions in reduced coordinates.
    onsite : array_like, shape (N,) or (N, s, s)
        On-site energies (s x s Hermitian blocks for s spin components).
    hoppings : sequence of (amplitude, i, j, R)
        Amplitude t (a number, or an s x s block) from orbital i in the home cell to orbital
        j in cell R (d integers); the Hermitian conjugate is added.
    name : str
    units : Mapping[str, str], optional
        ``energy`` and ``length`` units; none (no SI) by default.

    Returns
    -------
    NumericModel
        ``tb`` convention, s N bands ordered (orbital, spin).

    Raises
    ------
    ModelError
        Inconsistent shapes, orbital indices out of range, non-integer R, non-finite values,
        a non-Hermitian on-site block, a zero-volume lattice.
    """
    lattice = np.atleast_2d(np.asarray(lattice, dtype=float))
    d = lattice.shape[0]
    if d not in (1, 2, 3) or lattice.shape != (d, d):
        raise ModelError(f"{name}: lattice must be d x d with d = 1, 2, 3, got {lattice.shape}")
    orbitals = np.asarray(orbitals, dtype=float).reshape(-1, d)
    n_orbitals = len(orbitals)
    onsite = np.asarray(onsite, dtype=complex)
    spin = 1 if onsite.ndim == 1 else onsite.shape[-1]
    if onsite.shape not in ((n_orbitals,), (n_orbitals, spin, spin)):
        raise ModelError(f"{name}: onsite must have shape ({n_orbitals},) or "
                         f"({n_orbitals}, s, s), got {onsite.shape}")
    if n_orbitals == 0 or not np.all(np.isfinite(orbitals)) or not np.all(np.isfinite(onsite)):
        raise ModelError(f"{name}: orbitals and onsite energies must be finite and non-empty")
    size = spin * n_orbitals
    blocks: dict[tuple[int, int, int], np.ndarray] = {(0, 0, 0): np.zeros((size, size), complex)}

    def block(i, j, r):
        key = tuple(int(x) for x in r) + (0,) * (3 - d)
        matrix = blocks.setdefault(key, np.zeros((size, size), complex))
        return matrix[spin * i : spin * (i + 1), spin * j : spin * (j + 1)]

    for i in range(n_orbitals):
        block(i, i, (0,) * d)[...] += onsite[i] if spin > 1 else onsite[i].real
    for number, hopping in enumerate(hoppings):
        if len(hopping) != 4:
            raise ModelError(f"{name}: hopping {number} must be (amplitude, i, j, R)")
        amplitude, i, j, r = hopping
        amplitude = np.asarray(amplitude, dtype=complex).reshape(spin, spin) if spin > 1 \
            else complex(amplitude)
        r = np.asarray(r)
        if not (0 <= int(i) < n_orbitals and 0 <= int(j) < n_orbitals):
            raise ModelError(f"{name}: hopping {number} joins orbitals ({i}, {j}) outside "
                             f"0..{n_orbitals - 1}")
        if r.shape != (d,) or np.any(r != np.round(r)):
            raise ModelError(f"{name}: hopping {number} needs {d} integer lattice components")
        if not np.all(np.isfinite(amplitude)):
            raise ModelError(f"{name}: hopping {number} is not finite")
        block(int(i), int(j), r)[...] += amplitude
        block(int(j), int(i), -r)[...] += np.conj(np.transpose(amplitude))
    vectors = list(blocks)
    hopping_model = HoppingModel(
        np.array(vectors, dtype=int), np.array([blocks[v] for v in vectors]),
        np.ones(len(vectors), dtype=int), name=name)
    lattice3 = np.eye(3)
    lattice3[:d, :d] = lattice
    centres = np.zeros((size, 3))
    centres[:, :d] = np.repeat(orbitals @ lattice, spin, axis=0)
    return tight_binding_model(
        hopping_model, lattice3, centres, name=name, units=units or NO_UNITS,
        provenance={"interpolation": "tb", "lattice": "tight-binding lattice",
                    "centres": "orbital positions"},
        description=f"tight-binding model '{name}' ({n_orbitals} orbitals, spin {spin})",
        source="PythTB-style data (qgsym.model.pythtb)",
    )


def model_from_pythtb(tb_model, *, name: str = "pythtb", units=None) -> NumericModel:
    """Convert a ``pythtb.tb_model`` (1.8) with all directions periodic.

    Parameters
    ----------
    tb_model : pythtb.tb_model
    name : str
    units : Mapping[str, str], optional

    Raises
    ------
    ModelError
        A model with non-periodic directions (dim_k < dim_r) or without the PythTB 1.8
        attributes.
    """
    try:
        dim_k, dim_r = tb_model._dim_k, tb_model._dim_r
        lattice, orbitals = tb_model.get_lat(), tb_model.get_orb()
        onsite, hoppings = tb_model._site_energies, tb_model._hoppings
    except AttributeError as error:
        raise ModelError(f"{name}: not a PythTB 1.8 tb_model ({error})") from None
    if dim_k != dim_r:
        raise ModelError(f"{name}: dim_k = {dim_k} < dim_r = {dim_r}; only fully periodic "
                         "PythTB models are converted")
    return model_from_tight_binding(
        lattice, orbitals, onsite, [(h[0], h[1], h[2], np.asarray(h[3])) for h in hoppings],
        name=name, units=units)
