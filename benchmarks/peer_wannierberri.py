"""qgsym against a peer code: anomalous Hall conductivity of QWZ for 801 Fermi levels, 400².

Peer: WannierBerri (Tsirkin, npj Comput. Mater. 7, 33 (2021), doi:10.1038/s41524-021-00498-5;
``pip install wannierberri numba pythtb``, the optional extra ``bench``), which evaluates
H(k) by FFT on a Γ-centred grid and the AHC for many Fermi levels at once. The QWZ model is
built as a PythTB tight-binding model (two orbitals on one site, so no orbital-position
convention enters the Berry curvature) and read by ``wannierberri.System_R.from_pythtb``;
its H(k) is checked against qgsym's catalogue model first.

Conventions mapped (checked, not assumed):

* k: PythTB/WannierBerri reduced coordinates κ, qgsym Cartesian k = 2π κ (lattice constant 1,
  read as 1 Å by WannierBerri; its third lattice vector is 1 Å long, so its 3D conductivity
  per Å equals the 2D sheet conductivity).
* Berry curvature: both codes use Ω = ∇ × A with A = ⟨u|i∇u⟩ (WannierBerri's Ω_z is
  qgsym's Ω^{xy}); compared band by band at sample k.
* AHC: WannierBerri's ``AHC`` calculator returns O_δ with σ_αβ = ε_αβδ O_δ and
  O = constant_factor × ∫[dk] Ω f (its default factor −e²/ħ/Å makes it S/cm-like units);
  with ``constant_factor = −1`` its O_z is qgsym's σ_xy = −Σ∫[dk] f₀ Ω^{xy} (e = ħ = 1).
* Grid: WannierBerri's is Γ-centred (κ = j/N), qgsym's the midpoint grid (j + ½)/N. For the
  number comparison qgsym integrates the model shifted by half a grid step,
  H'(k) = H(k + π/N (1, 1)), whose midpoint grid is exactly WannierBerri's grid.
* Temperature: WannierBerri's AHC is at T = 0 (step occupation); qgsym's binned scan is run
  at T = 1e-9, so the two sums differ only by states within ~1e-8 of a Fermi level (about
  0.3 of the 3.2e5 states for 801 levels). The levels are offset by 1e-4·√2 from the round
  values: on the Γ-centred grid QWZ has whole lines of states exactly at ε = ±1 (k_x = π:
  |d| = 1 for every k_y) and at ε = ±3 (Γ), where a step (0 or 1) and f₀ = ½ differ by design.

Timing: one core each (NUMBA_NUM_THREADS = 1, ``parallel=False``), median of ``--repeats``
runs after a warm-up; WannierBerri computes the AHC only, qgsym the AHC and all the σ^(2)
integrals (Berry curvature, band-normalized metric, inverse mass, sea and surface) in the
same pass, at T = 0.01 (the throughput does not depend on T while the windows overlap).

Run:  python benchmarks/peer_wannierberri.py [--grid 400] [--levels 801] [--repeats 3]
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import contextlib
import io
import logging
import os
import tempfile

import numpy as np
import sympy

from qgsym.responses.fermi_scan import fermi_scan
from qgsym.bands.geometry import band_geometry
from qgsym.model.bloch import bloch_model
from qgsym.model.loader import load_model

MASS = 1.0


def pythtb_qwz(mass: float):
    """QWZ d = (sin kx, sin ky, m + cos kx + cos ky) as a PythTB model (orbitals at the origin).

    Hopping matrices T_x = (σ_z − iσ_x)/2, T_y = (σ_z − iσ_y)/2 give
    T e^{ik} + h.c. = σ_z cos k + σ_{x,y} sin k.
    """
    import pythtb

    model = pythtb.tb_model(2, 2, [[1.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]])
    model.set_onsite([mass, -mass])
    sx = np.array([[0, 1], [1, 0]], dtype=complex)
    sy = np.array([[0, -1j], [1j, 0]])
    sz = np.diag([1.0, -1.0]).astype(complex)
    for hopping, vector in (((sz - 1j * sx) / 2, [1, 0]), ((sz - 1j * sy) / 2, [0, 1])):
        for i in range(2):
            for j in range(2):
                if abs(hopping[i, j]) > 0:
                    model.set_hop(hopping[i, j], i, j, vector)
    return model


def shifted_model(model, n: int):
    """H'(k) = H(k + (π/n, π/n)): its midpoint grid is the Γ-centred grid of H."""
    kx, ky = model.momenta
    shift = sympy.pi / n
    matrix = model.matrix.xreplace({kx: kx + shift, ky: ky + shift})
    return bloch_model(f"{model.name}_shifted", matrix, dict(model.parameters), dimension=2,
                       lattice=True, reciprocal=model.reciprocal)


def run_wannierberri(system, n: int, levels: np.ndarray, workdir: str) -> np.ndarray:
    """σ_xy (qgsym convention, natural units) at T = 0 from WannierBerri, shape (U,)."""
    import wannierberri as wb

    # 2 x 2 FFT blocks of (n/2)²: the fastest of (1, n), (2, n/2), (4, n/4) tried at n = 400
    divisions = 2 if n % 2 == 0 else 1
    grid = wb.Grid(system, NKdiv=(divisions, divisions, 1),
                   NKFFT=(n // divisions, n // divisions, 1))
    calculator = wb.calculators.static.AHC(Efermi=levels, constant_factor=-1.0)
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            result = wb.run(system, grid=grid, calculators={"ahc": calculator}, parallel=False,
                            use_irred_kpt=False, symmetrize=False, fout_name="qwz",
                            print_progress_step_time=1e9)
    finally:
        os.chdir(cwd)
    return result.results["ahc"].data[:, 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=400)
    parser.add_argument("--levels", type=int, default=801)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    core = _common.pin_to_one_core()
    logging.disable(logging.WARNING)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import wannierberri as wb
    n = arguments.grid
    levels = np.linspace(-4.0, 4.0, arguments.levels) + 1e-4 * np.sqrt(2.0)
    qwz = load_model("qwz", {"m": MASS})
    tb = pythtb_qwz(MASS)
    with contextlib.redirect_stdout(io.StringIO()):
        system = wb.System_R.from_pythtb(tb)

    # 1. the same Hamiltonian
    reduced = np.random.default_rng(0).uniform(size=(8, 2))
    hamiltonian_difference = max(
        float(np.max(np.abs(tb._gen_ham(k) - qwz.hamiltonian.matrix(2 * np.pi * k)[0])))
        for k in reduced)

    # 2. Berry curvature band by band at sample k
    curvature = band_geometry(qwz.hamiltonian, 2 * np.pi * reduced, qwz.multiplets)
    peer_curvature = np.array([
        wb.evaluate_k(system, k=(k[0], k[1], 0.0), quantities=["berry_curvature"])[:, 2]
        for k in reduced])  # (P, N)
    curvature_difference = float(np.max(np.abs(peer_curvature - curvature.berry_curvature[0, 1]))
                                 / np.max(np.abs(curvature.berry_curvature[0, 1])))

    # 3. AHC for every Fermi level on the same k points
    with tempfile.TemporaryDirectory() as workdir:
        run_wannierberri(system, 20, levels, workdir)  # warm-up (numba compilation)
        peer_time, peer_times = _common.median_time(
            lambda: run_wannierberri(system, n, levels, workdir), arguments.repeats)
        peer_ahc = run_wannierberri(system, n, levels, workdir)
    shifted = shifted_model(qwz, n)
    low_temperature = fermi_scan(shifted, n, levels, 1e-9, "closed", order=5,
                                 bins_per_temperature=2)
    ahc = low_temperature.ahc[:, 0, 1]
    ahc_difference = float(np.max(np.abs(ahc - peer_ahc)))
    ahc_scale = float(np.max(np.abs(peer_ahc)))
    worst_level = float(levels[int(np.argmax(np.abs(ahc - peer_ahc)))])
    in_gap = np.abs(levels) < 0.9
    quantization = float(np.max(np.abs(peer_ahc[in_gap] - 1 / (2 * np.pi))))

    # 4. qgsym throughput on its own grid (all integrals, T = 0.01)
    fermi_scan(qwz, 8, levels, 0.01, "closed")  # warm-up
    qgsym_time, qgsym_times = _common.median_time(
        lambda: fermi_scan(qwz, n, levels, 0.01, "closed"), arguments.repeats)
    qgsym_numeric_time, qgsym_numeric_times = _common.median_time(
        lambda: fermi_scan(qwz, n, levels, 0.01, "numeric"), 1)

    rows = [
        {"code": f"WannierBerri {wb.__version__}", "computes": "AHC only, T = 0",
         "median_s": peer_time, "kpoints_per_s_per_core": n * n / peer_time},
        {"code": "qgsym fermi_scan (closed)", "computes": "AHC + sigma2 integrals, T = 0.01",
         "median_s": qgsym_time, "kpoints_per_s_per_core": n * n / qgsym_time},
        {"code": "qgsym fermi_scan (numeric)", "computes": "AHC + sigma2 integrals, T = 0.01",
         "median_s": qgsym_numeric_time, "kpoints_per_s_per_core": n * n / qgsym_numeric_time},
    ]
    _common.print_table(rows, ["code", "computes", "median_s", "kpoints_per_s_per_core"])
    agreement = {
        "hamiltonian_max_abs_diff": hamiltonian_difference,
        "berry_curvature_max_rel_diff_8_random_k": curvature_difference,
        "ahc_max_abs_diff_over_levels": ahc_difference,
        "ahc_max_abs": ahc_scale,
        "ahc_level_of_largest_diff": worst_level,
        "ahc_in_gap_vs_1_over_2pi_max_abs_diff": quantization,
        "qgsym_low_T_binning_error_bound_max": float(np.max(low_temperature.error_bound["ahc"])),
    }
    print()
    for key, value in agreement.items():
        print(f"{key}: {value:.3g}")
    info = _common.machine()
    print(f"\npinned to CPU {core}; load average {info['load_average_1_5_15min']}")
    path = _common.write_results("peer_wannierberri", {
        "benchmark": "peer_wannierberri",
        "model": {"name": "qwz", "m": MASS}, "grid": [n, n], "levels": [-4.0, 4.0, len(levels)],
        "machine": info, "wannierberri": wb.__version__, "rows": rows,
        "times_s": {"wannierberri": peer_times, "qgsym_closed": qgsym_times,
                    "qgsym_numeric": qgsym_numeric_times},
        "agreement": agreement,
    })
    print(f"written {path}")


if __name__ == "__main__":
    main()
