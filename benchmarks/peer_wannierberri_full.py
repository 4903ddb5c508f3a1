"""qgsym's ``full`` Wannier interpolation against WannierBerri's, Berry curvature point by point.

Peer: WannierBerri (``pip install wannierberri numba``, the ``bench`` extra), which reads a
Wannier90 ``SEED_tb.dat`` (H(R) and the position matrix r(R)) and evaluates the Berry
curvature with its internal and external terms (Wang, Yates, Souza, Vanderbilt, PRB 74,
195118 (2006)). qgsym writes the file itself (``write_tb_dat`` with a non-diagonal r(R)), so
both codes read the same numbers.

Models: random 3D tight-binding models on an oblique lattice (Å), hoppings along a1, a2, a3,
r(0) random Hermitian (x, y, z, non-commuting), r(a2) random with r(−a2) = r(a2)†; one with
non-degenerate bands and one doubled (H ⊗ 1₂, every band twofold) to check the multiplet
sums. Conventions mapped: WannierBerri's k is reduced (κ), qgsym's Cartesian k = κ B with B =
2π(A⁻¹)ᵀ; WannierBerri's vector Ω_α = ½ ε_αβγ Ω^{βγ} (Ω_x = Ω^{yz}, Ω_y = Ω^{zx},
Ω_z = Ω^{xy}), both with A = ⟨u|i∇u⟩ and Ω in Å². Degenerate bands: multiplet sums.

Run:  python benchmarks/peer_wannierberri_full.py [--points 20]
Writes results/peer_wannierberri_full.json.
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import contextlib
import io
import tempfile
from pathlib import Path

import numpy as np

from qgsym.bands.geometry import band_geometry, multiplet_sum
from qgsym.model.wannier90 import HoppingModel, numeric_model_from_wannier, write_tb_dat

LATTICE = np.array([[3.1, 0.0, 0.0], [1.2, 2.7, 0.0], [0.4, -0.5, 4.3]])  # Å, oblique


def hermitian(rng, size, scale):
    matrix = rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))
    return scale * (matrix + matrix.conj().T) / 2


def write_model(path, seed: int, doubled: bool) -> None:
    """A random 3-orbital (6 if doubled) model with a non-diagonal position matrix."""
    rng = np.random.default_rng(seed)
    hops = 0.4 * (rng.normal(size=(3, 3, 3)) + 1j * rng.normal(size=(3, 3, 3)))  # t(a_i)
    onsite = hermitian(rng, 3, 1.0) + np.diag([-2.0, 0.0, 2.0])
    blocks = np.concatenate([onsite[None], hops, np.conj(np.swapaxes(hops, -1, -2))])
    if doubled:
        blocks = np.kron(blocks, np.eye(2))  # (7, 6, 6): H ⊗ 1₂
    n = blocks.shape[1]
    r0 = np.stack([hermitian(rng, n, 0.4) for _ in range(3)]) + np.einsum(
        "ma,mn->amn", rng.uniform(0, 2, size=(n, 3)), np.eye(n))
    r2 = 0.15 * (rng.normal(size=(3, n, n)) + 1j * rng.normal(size=(3, n, n)))
    lattice_model = HoppingModel(  # R = 0, a1, a2, a3, -a1, -a2, -a3
        np.vstack([np.zeros((1, 3), dtype=int), np.eye(3, dtype=int), -np.eye(3, dtype=int)]),
        blocks, np.ones(7, dtype=int))
    positions = {(0, 0, 0): r0, (0, 1, 0): r2, (0, -1, 0): np.conj(np.swapaxes(r2, -1, -2))}
    write_tb_dat(path, lattice_model.hamiltonian, n, LATTICE, np.zeros((n, 3)), grid=(3, 3, 3),
                 positions=positions)


def compare(path, points: int) -> dict:
    from wannierberri.evaluate_k import evaluate_k
    from wannierberri.system.system_tb import get_system_tb

    full = numeric_model_from_wannier(path)
    tb = numeric_model_from_wannier(path, interpolation="tb")
    with contextlib.redirect_stdout(io.StringIO()):
        system = get_system_tb(str(path), berry=True)
    kappas = np.random.default_rng(1).uniform(-0.5, 0.5, size=(points, 3))
    worst = {"energy": 0.0, "curvature_full": 0.0, "curvature_tb": 0.0, "curvature_scale": 0.0}
    pairs = ((1, 2), (2, 0), (0, 1))  # Ω_x = Ω^yz, Ω_y = Ω^zx, Ω_z = Ω^xy
    for kappa in kappas:
        with contextlib.redirect_stdout(io.StringIO()):
            peer = evaluate_k(system, k=tuple(kappa), quantities=["energy", "berry_curvature"],
                              return_single_as_dict=True)
        energies = np.asarray(peer["energy"]).ravel()
        omega_peer = np.asarray(peer["berry_curvature"]).reshape(len(energies), 3)
        k = (kappa @ full.reciprocal)[None]
        ours = band_geometry(full.hamiltonian, k, full.multiplets)
        ours_tb = band_geometry(tb.hamiltonian, k, tb.multiplets)
        worst["energy"] = max(worst["energy"], float(np.max(np.abs(energies - ours.energies[0]))))
        for axis, (b, c) in enumerate(pairs):
            reference = multiplet_sum(omega_peer[:, axis], full.multiplets)
            for key, geometry in (("curvature_full", ours), ("curvature_tb", ours_tb)):
                value = multiplet_sum(geometry.berry_curvature[b, c, 0], full.multiplets)
                worst[key] = max(worst[key], float(np.max(np.abs(value - reference))))
            worst["curvature_scale"] = max(worst["curvature_scale"],
                                           float(np.max(np.abs(reference))))
    return {"bands": full.n_bands, "multiplets": [list(g) for g in full.multiplets],
            "points": points, "max_abs_difference": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20)
    args = parser.parse_args()
    import wannierberri

    results = {"peer": f"wannierberri {wannierberri.__version__}", "models": {}}
    with tempfile.TemporaryDirectory() as folder:
        for name, seed, doubled in (("random3", 11, False), ("random3_doubled", 12, True)):
            path = Path(folder) / f"{name}_tb.dat"
            write_model(path, seed, doubled)
            results["models"][name] = compare(path, args.points)
            print(name, results["models"][name]["max_abs_difference"])
    _common.write_results("peer_wannierberri_full", results)


if __name__ == "__main__":
    main()
