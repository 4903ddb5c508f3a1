"""Trigonal Te (24 Wannier functions) from WannierBerri's public test data: does qgsym run it,
and does it agree with WannierBerri (AHC, BCD, nonlinear Drude) on the same k points?

Issue #12 ("Done means: … Te runs"). The model is WannierBerri's ``tests/data/Te_qe/system``
(https://github.com/wannier-berri/wannier-berri; QE + Wannier90, spinors, 24 WFs, 65 R
vectors, hexagonal cell in Å), a ``System_R`` saved as npz: ``_XX_R_Ham.npz`` H(R) (eV),
``_XX_R_AA.npz`` the position matrix ⟨0m|r|Rn⟩ (Å), ``iRvec.npz``, ``real_lattice.npz``,
``wannier_centers_cart.npz``, ``use_wcc_phase.npz`` (True), in the legacy index order
[m, n, iR, ...] (WannierBerri loads it with ``System_R.from_npz(path, legacy=True)``).
Nothing of it is committed: give the folder (``--data DIR``, default ``$QGSYM_TE_DATA``) or
a base URL of the raw files (``--data https://…/tests/data/Te_qe/system``).

Conversion to ``Te_tb.dat`` (Wannier90 convention II, what qgsym reads), from
WannierBerri's source (``wannierberri/system/system_R.py``, ``system_tb.py``):

* H(R) already includes the 1/ndegen factor: ``load_npz`` reads the R matrices as stored and
  has no degeneracy array (the Wigner–Seitz vectors are spread per orbital pair with
  ``Rvectors(shifts_left_red=wannier_centers_red)``), and ``write_tb_file`` writes them with
  every ndegen = 1. We do the same: ndegen = 1, H(R) as stored.
* ``use_wcc_phase=True`` (phase convention I): the Wannier centres are subtracted from the
  diagonal of AA at R = 0 (in the data it is ≤ 0.033 Å, the residual of the symmetrized
  centres, while the centres are 1–2 Å); ``write_tb_file(use_convention_II=True)`` adds
  them back,
  ``AA[iR0, n, n] += wannier_centers_cart[n]``. We do the same. The convention-I phases
  e^{ik·(τ_n − τ_m)} are a k-dependent diagonal unitary of the Bloch basis: energies and
  every gauge-invariant quantity are unchanged.

``qgsym.model.wannier90.write_tb_dat`` is not used: it samples a function H(k) on a grid and
Fourier-transforms it onto its own Wigner–Seitz set, which would re-assign the boundary
hoppings of WannierBerri's per-pair R set (a different interpolation between grid points).
The file is written directly from the arrays (as ``real_material.write_shifted`` writes the
shifted Fe copies), full precision; the loader check compares it with the npz read by
WannierBerri itself.

Steps:

1. loader check: energies and Berry curvature (``full``) of WannierBerri's npz system
   (``evaluate_k``) against qgsym's reading of ``Te_tb.dat`` at random k;
2. the command line as a user runs it: ``qgsym compute sigma1|sigma2 --model Te_tb.dat
   --mu A:B:N --grid n --interpolation tb|full --json`` (exit status, wall time, warnings,
   the degeneracy threshold stated, max |AHC|: Te is non-magnetic with time reversal, so the
   AHC must vanish); ``--qgsym-root`` runs another checkout's CLI (e.g. the main branch, to
   record the behaviour before a change);
3. both codes on identical k points (``real_material``'s construction: Γ-centred vs midpoint
   grids made identical by shifting the model in k), T = 0 sums, AHC, BCD, nonlinear Drude
   at every level; both group bands closer than the same degeneracy threshold at each k
   (WannierBerri ``degen_thresh``, qgsym ``--degeneracy-threshold``).

Run:  python benchmarks/tellurium.py --data PATH/wannier-berri/tests/data/Te_qe/system
          [--grid 6] [--levels 41] [--mu 4:8] [--threshold 1e-4] [--interpolation full,tb]
          [--qgsym-root DIR] [--skip-peer] [--work DIR]
Writes results/tellurium.json.
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

from qgsym.compute import with_degeneracy_threshold
from qgsym.model.wannier90 import numeric_model_from_wannier, read_tb_dat
from real_material import (
    PAIRS,
    SHIFT,
    T_COMPARE,
    as_peer,
    peer_system,
    qgsym_set,
    quiet,
    relative,
    write_shifted,
)

FILES = ("_XX_R_Ham.npz", "_XX_R_AA.npz", "iRvec.npz", "real_lattice.npz",
         "wannier_centers_cart.npz", "use_wcc_phase.npz")
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def fail(message: str) -> None:
    print(f"tellurium: {message}", file=sys.stderr)
    raise SystemExit(2)


def obtain(data: str, work: Path) -> Path:
    """The folder holding the npz files (downloaded into ``work`` for a URL)."""
    if data.startswith(("http://", "https://")):
        for name in FILES:
            target = work / name
            if not target.exists():
                try:
                    urllib.request.urlretrieve(data.rstrip("/") + "/" + name, target)
                except OSError as error:
                    fail(f"cannot download {name} from {data}: {error} (offline? give --data DIR)")
        return work
    folder = Path(data)
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        fail(f"--data {data}: {', '.join(missing)} missing (WannierBerri's "
             "tests/data/Te_qe/system)")
    return folder


def load(folder: Path) -> dict:
    arrays = {name.removesuffix(".npz"): np.load(folder / name)["arr_0"] for name in FILES}
    ham, positions = arrays["_XX_R_Ham"], arrays["_XX_R_AA"]
    vectors = arrays["iRvec"]
    n = ham.shape[0]
    if ham.shape != (n, n, len(vectors)) or positions.shape != (n, n, len(vectors), 3):
        fail(f"unexpected shapes {ham.shape}, {positions.shape} (legacy [m, n, iR] order?)")
    return {"ham": ham, "positions": positions, "vectors": vectors,
            "lattice": arrays["real_lattice"], "centres": arrays["wannier_centers_cart"],
            "wcc_phase": bool(arrays["use_wcc_phase"])}


def write_te_tb(data: dict, path: Path) -> dict:
    """Te_tb.dat, convention II (module docstring); returns what the conversion did."""
    ham, positions, vectors = data["ham"], data["positions"].copy(), data["vectors"]
    n = ham.shape[0]
    origin = int(np.flatnonzero(np.all(vectors == 0, axis=1))[0])
    diagonal = np.real(positions[np.arange(n), np.arange(n), origin])  # (n, 3)
    # convention I: ⟨0n|r|0n⟩ − τ_n, small (Te: ≤ 0.033 Å, the centres being symmetrized)
    subtracted = bool(np.max(np.abs(diagonal)) < 0.1 * np.max(np.abs(data["centres"])))
    if data["wcc_phase"] != subtracted:
        fail(f"use_wcc_phase = {data['wcc_phase']} but the R = 0 diagonal of AA is "
             f"{'zero' if subtracted else 'not zero'}: unknown convention")
    if subtracted:
        positions[np.arange(n), np.arange(n), origin] += data["centres"]
    lines = ["Te from WannierBerri tests/data/Te_qe/system (benchmarks/tellurium.py)"]
    lines += [" ".join(f"{x: .16e}" for x in row) for row in data["lattice"]]
    lines += [str(n), str(len(vectors))]
    ones = ["1"] * len(vectors)
    lines += ["  ".join(ones[i: i + 15]) for i in range(0, len(ones), 15)]
    for j, r in enumerate(vectors.tolist()):
        lines += ["", f"{r[0]:5d}{r[1]:5d}{r[2]:5d}"]
        lines += [f"{m + 1:5d}{k + 1:5d} {ham[m, k, j].real: .16e} {ham[m, k, j].imag: .16e}"
                  for k in range(n) for m in range(n)]
    for j, r in enumerate(vectors.tolist()):
        lines += ["", f"{r[0]:5d}{r[1]:5d}{r[2]:5d}"]
        lines += [f"{m + 1:5d}{k + 1:5d} " + " ".join(
            f"{x.real: .16e} {x.imag: .16e}" for x in positions[m, k, j])
            for k in range(n) for m in range(n)]
    path.write_text("\n".join(lines) + "\n")
    hermitian = max(float(np.max(np.abs(ham[:, :, vectors.tolist().index((-r).tolist())]
                                        - ham[:, :, j].conj().T)))
                    for j, r in enumerate(vectors))
    return {"wannier_functions": n, "R_vectors": len(vectors), "ndegen_written": 1,
            "centres_added_to_AA_R0_diagonal": subtracted,
            "AA_R0_diagonal_max_abs_before_A": float(np.max(np.abs(diagonal))),
            "H_minus_R_vs_H_R_dagger_max_abs_eV": hermitian}


def check_loader(folder: Path, tb_path: Path) -> dict:
    """WannierBerri's npz system against qgsym's Te_tb.dat: energies and Ω (full)."""
    import wannierberri as wb
    from wannierberri.evaluate_k import evaluate_k

    from qgsym.bands.geometry import band_geometry

    with quiet():
        system = wb.system.System_R.from_npz(str(folder), legacy=True)
    model = numeric_model_from_wannier(tb_path, interpolation="full")
    kappas = np.random.default_rng(5).uniform(-0.5, 0.5, size=(6, 3))
    energy = pair_energy = curvature = scale = 0.0
    for kappa in kappas:
        with quiet():
            peer = evaluate_k(system, k=tuple(kappa), quantities=["energy", "berry_curvature"],
                              return_single_as_dict=True)
        energies = np.asarray(peer["energy"]).ravel()
        omega = np.asarray(peer["berry_curvature"]).reshape(len(energies), 3)
        ours = band_geometry(model.hamiltonian, (kappa @ model.reciprocal)[None],
                             model.multiplets)
        energy = max(energy, float(np.max(np.abs(energies - ours.energies[0]))))
        pair_energy = max(pair_energy, float(np.max(np.abs(
            energies.reshape(-1, 2).mean(axis=1) - ours.energies[0].reshape(-1, 2).mean(axis=1)))))
        # per band Ω of a near-degenerate pair depends on the basis inside it: compare the
        # sums over each pair (2n, 2n + 1) of these Kramers-like bands
        for axis, (b, c) in enumerate(PAIRS):
            mine = ours.berry_curvature[b, c, 0].reshape(-1, 2).sum(axis=1)
            theirs = omega[:, axis].reshape(-1, 2).sum(axis=1)
            curvature = max(curvature, float(np.max(np.abs(mine - theirs))))
            scale = max(scale, float(np.max(np.abs(theirs))))
    # evaluate_k reports some near-degenerate pairs (split ~1e-5 eV) at their mean energy
    # (measured: differences ±δ/2 inside a pair, pair means equal to 1e-14)
    return {"energy_max_abs_diff_eV": energy, "pair_mean_energy_max_abs_diff_eV": pair_energy,
            "pair_curvature_max_abs_diff_A2": curvature,
            "pair_curvature_max_abs_A2": scale}


def run_cli(root: Path, quantity: str, tb_path: Path, arguments, interpolation: str) -> dict:
    """One ``qgsym compute`` as a user runs it (subprocess, its own Python path)."""
    command = [sys.executable, "-c", "from qgsym.cli import main; raise SystemExit(main())",
               "compute", quantity, "--model", str(tb_path),
               "--mu", f"{arguments.mu}:{arguments.levels}", "--grid", str(arguments.grid), "--interpolation", interpolation, "--json"]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=environment,
                              timeout=arguments.cli_timeout, cwd=root)  # -c: cwd is on sys.path
    except subprocess.TimeoutExpired:
        return {"quantity": quantity, "interpolation": interpolation, "exit": "timeout",
                "wall_s": arguments.cli_timeout}
    wall = time.perf_counter() - start
    row = {"quantity": quantity, "interpolation": interpolation, "exit": done.returncode,
           "wall_s": wall, "qgsym_commit": subprocess.run(
               ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
               text=True).stdout.strip()}
    if done.returncode != 0:
        row["error"] = (done.stderr.strip().splitlines() or ["?"])[-1][:300]
        return row
    result = json.loads(done.stdout)
    row["degeneracy_threshold"] = result.get("degeneracy_threshold")
    row["warnings"] = len(result.get("warnings", []))
    row["converged"] = result.get("converged")
    if "ahc" in result.get("values", {}):
        ahc = np.array([v for v in result["values"]["ahc"].values()], dtype=float)
        row["ahc_max_abs"] = float(np.max(np.abs(ahc)))
    if "bcd" in result.get("values", {}):
        bcd = np.array([v for v in result["values"]["bcd"].values()], dtype=float)
        row["bcd_max_abs"] = float(np.max(np.abs(bcd)))
    return row


def run_peer(system, n: int, levels: np.ndarray, workdir: str, threshold: float):
    """WannierBerri's AHC (3,), BCD (3, 3), NLDrude (3, 3, 3) sea forms per level."""
    import wannierberri as wb

    static = wb.calculators.static
    common = {"constant_factor": 1.0, "degen_thresh": threshold}
    calculators = {"ahc": static.AHC(Efermi=levels, **common),
                   "bcd": static.BerryDipole_FermiSea(Efermi=levels, **common),
                   "nld": static.NLDrude_FermiSea(Efermi=levels, **common)}
    grid = wb.Grid(system, NKdiv=(1, 1, 1), NKFFT=(n, n, n))
    with quiet():
        result = wb.run(system, grid=grid, calculators=calculators, parallel=False,
                        use_irred_kpt=False, symmetrize=False,
                        fout_name=os.path.join(workdir, "te"), print_progress_step_time=1e9)
    return {key: result.results[key].data for key in calculators}


def compare(base, interpolation: str, arguments, levels, workdir: str, folder: Path) -> dict:
    n = arguments.grid
    peer_path, ours_path = folder / "Te_peer_tb.dat", folder / "Te_qgsym_tb.dat"
    write_shifted(base, peer_path, SHIFT / n)
    write_shifted(base, ours_path, SHIFT / n - 0.5 / n)
    system = peer_system(peer_path, interpolation)
    model = with_degeneracy_threshold(
        numeric_model_from_wannier(ours_path, interpolation=interpolation), arguments.threshold)
    start = time.perf_counter()
    peer = run_peer(system, n, levels, workdir, arguments.threshold)
    peer_time = time.perf_counter() - start
    start = time.perf_counter()
    scan, _ = qgsym_set(model, n, levels, T_COMPARE)
    ours_time = time.perf_counter() - start
    ours = as_peer(scan)
    return {
        "interpolation": interpolation,
        "agreement_max_relative": {key: relative(ours[key], peer[key]) for key in peer},
        "peer_max_abs": {key: float(np.max(np.abs(peer[key]))) for key in peer},
        "qgsym_max_abs": {key: float(np.max(np.abs(ours[key]))) for key in ours},
        "times_s": {"wannierberri": peer_time, "qgsym_fermi_scan_and_formulas": ours_time},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("QGSYM_TE_DATA"),
                        help="WannierBerri's tests/data/Te_qe/system (folder or raw-file base "
                             "URL); default $QGSYM_TE_DATA")
    parser.add_argument("--work", default=None, help="folder for Te_tb.dat (kept)")
    parser.add_argument("--grid", type=int, default=6)
    parser.add_argument("--levels", type=int, default=41)
    parser.add_argument("--mu", default="4:8", help="Fermi-level range LOW:HIGH (eV)")
    parser.add_argument("--threshold", type=float, default=1e-4,
                        help="degeneracy threshold of the peer comparison, eV (both codes)")
    parser.add_argument("--interpolation", default="full,tb")
    parser.add_argument("--qgsym-root", default=str(REPOSITORY_ROOT),
                        help="checkout whose CLI step 2 runs (default: this one)")
    parser.add_argument("--cli-timeout", type=float, default=300.0)
    parser.add_argument("--skip-peer", action="store_true", help="steps 1 and 3 need "
                        "WannierBerri; skip them")
    arguments = parser.parse_args()
    if not arguments.data:
        fail("no data: give --data PATH/wannier-berri/tests/data/Te_qe/system or set "
             "QGSYM_TE_DATA")
    interpolations = arguments.interpolation.split(",")
    if any(i not in ("full", "tb") for i in interpolations):
        fail(f"--interpolation {arguments.interpolation!r}: full, tb or full,tb")
    try:
        low, high = (float(x) for x in arguments.mu.split(":"))
    except ValueError:
        fail(f"--mu {arguments.mu!r}: expected LOW:HIGH in eV")
    logging.disable(logging.WARNING)
    work = Path(arguments.work or Path(tempfile.gettempdir()) / "qgsym_tellurium")
    work.mkdir(parents=True, exist_ok=True)
    folder = obtain(arguments.data, work)
    tb_path = work / "Te_tb.dat"
    conversion = write_te_tb(load(folder), tb_path)
    print("conversion:", conversion)
    report = {"benchmark": "tellurium", "model": "Te (WannierBerri tests/data/Te_qe/system)",
              "conversion": conversion, "grid": [arguments.grid] * 3,
              "levels_eV": [low, high, arguments.levels], "machine": _common.machine()}
    if not arguments.skip_peer:
        try:
            with quiet():
                import wannierberri
        except ImportError:
            fail("WannierBerri is not installed (pip install wannierberri numba); or --skip-peer")
        report["wannierberri"] = wannierberri.__version__
        report["loader_check"] = check_loader(folder, tb_path)
        print("loader check:", report["loader_check"])
    rows = []
    for quantity in ("sigma1", "sigma2"):
        for interpolation in interpolations:
            rows.append(run_cli(Path(arguments.qgsym_root), quantity, tb_path, arguments,
                                interpolation))
            print("cli:", rows[-1])
    report["cli"] = {"qgsym_root": arguments.qgsym_root, "runs": rows}
    if not arguments.skip_peer:
        core = _common.pin_to_one_core()
        levels = np.linspace(low, high, arguments.levels)
        base = read_tb_dat(tb_path)
        comparisons = []
        with tempfile.TemporaryDirectory() as workdir:
            for interpolation in interpolations:
                comparisons.append(compare(base, interpolation, arguments, levels, workdir,
                                           work))
                print("peer:", comparisons[-1])
        report["peer_comparison"] = {"threshold_eV": arguments.threshold, "pinned_cpu": core,
                                     "temperature_eV": T_COMPARE, "results": comparisons}
    path = _common.write_results("tellurium", report)
    print(f"written {path}")


if __name__ == "__main__":
    main()
