"""bcc Fe (18 Wannier functions) against WannierBerri: AHC, BCD, nonlinear Drude for 801 levels.

Issue #12 item 6 and issue #13 item 5a. Both codes read one Wannier90 ``Fe_tb.dat`` (H(R)
and the position matrix r(R)), built here from WannierBerri's public test data for bcc Fe
(``tests/data/Fe_Wannier90`` of https://github.com/wannier-berri/wannier-berri: ``Fe.chk``,
``Fe.eig``, ``Fe.mmn.tar.gz``, ``Fe.win``; QE + Wannier90, spinors, 18 WFs). Nothing of it is
committed: give the folder (``--data DIR``), a base URL of the raw files (``--data https://…``),
or a folder that already holds ``Fe_tb.dat``.

Build: ``WannierData.from_w90_files`` (chk, eig, mmn, win) → ``System_R.from_wannierdata(
berry=True)`` → WannierBerri's own ``write_tb_file`` (Wannier90 convention II:
r_mm(0) = Wannier centre). Needs WannierBerri and ``fortio`` (chk reader); done once into
``--work`` (kept; the next run reuses ``Fe_tb.dat``).

Same k points: WannierBerri samples the Γ-centred grid κ = j/N, qgsym the midpoint grid
κ = (j + ½)/N. Fe is centrosymmetric, so on any inversion-symmetric grid the BCD and the
nonlinear Drude sums cancel to rounding and a comparison of them says nothing. Both codes
therefore read a copy of the model shifted in k, H'(κ) = H(κ + δ), made by multiplying every
H(R) and r(R) by exp(2πi δ·R): WannierBerri's copy with δ_W = (0.31, 0.17, 0.43)/N, qgsym's
with δ_Q = δ_W − (½, ½, ½)/N, so both evaluate Fe at κ = j/N + δ_W, a grid without inversion
pairs (the sums then do not cancel; they are discretisation values, equal for both codes term
by term). The convention-I orbital phases e^{iδ·(τ_n − τ_m)} that the shift leaves out are a
k-independent unitary: no gauge-invariant quantity changes. The grid is uniform, without
symmetry (``use_irred_kpt=False, symmetrize=False``), without adaptive or Fermi-surface
refinement, one FFT block of N³ (``NKdiv = 1``).

Quantities (all Fermi-sea forms: WannierBerri's Fermi-surface forms without tetrahedra are a
finite difference of the sea over the Efermi grid, which qgsym does not compute), each code
with its prefactor set to 1 (``constant_factor = 1``), so both give the bare integral,
∫[dk] = d³k/(2π)³ in Å⁻³, energies in eV:

* AHC: WannierBerri ``AHC`` gives O_δ = ∫[dk] f Ω_δ (Ω_x = Ω^yz, Ω_y = Ω^zx, Ω_z = Ω^xy);
  qgsym ``FermiScan.ahc[a, b]`` = −Σ∫[dk] f₀ Ω^{ab}: compared as O_δ = −ahc[b, c] (factor −1,
  the sign in qgsym's definition σ_ab = −Σ∫f₀Ω^{ab}, e = ħ = 1). Units Å⁻¹.
* BCD: WannierBerri ``BerryDipole_FermiSea`` D_βδ = ∫[dk] f ∂_β Ω_δ; qgsym
  ``sea["curvature"][β, b, c]`` = Σ∫[dk] f₀ ∂_β Ω^{bc} with (b, c) the pair of δ. Factor 1,
  dimensionless.
* nonlinear Drude: WannierBerri ``NLDrude_FermiSea`` (∫[dk] f ∂_β∂_γ v_α = ∫ f ∂³ε); qgsym
  ``sea["mass"][a, b, c]`` = Σ∫[dk] f₀ ∂_a (∂_b∂_c ε). Factor 1, eV Å.

Temperature: WannierBerri's sums are at T = 0 (a step, counting a state when ε ≤ μ); qgsym's
binned scan runs at T = 1e-9 eV, whose window (±40 T) holds no state for generic levels, so
its binning error bound (reported) is exactly 0 and the two sums differ only by the
derivatives. Units check: qgsym's AHC through its own SI conversion
(``qgsym.formulas.units.si_values``, S/m) against WannierBerri's AHC with its default
``factor_ahc`` = −e²/ħ/Å (S/m; σ_xy = O_z, so the same sign convention as qgsym's).

Timing: one core each (``_common``: affinity + 1 BLAS/numba thread), WannierBerri
``parallel=False``, warmed up (numba compilation) on a 2³ grid; both compute AHC, BCD and
nonlinear Drude for the same 801 levels; qgsym's one pass (``fermi_scan``) also yields every
σ^(2) integral, and ``evaluate_formulas`` then gives bcd, drude2, wpd, lka, qk (timed with it).

Run:  python benchmarks/real_material.py --data PATH/wannier-berri/tests/data/Fe_Wannier90
          [--grid 12] [--check-grid N] [--levels 801] [--mu 16:18] [--repeats 1]
          [--interpolation full,tb] [--work DIR]
Writes results/real_material.json.
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import contextlib
import io
import logging
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

from qgsym.formulas.units import si_values
from qgsym.model.wannier90 import numeric_model_from_wannier, read_tb_dat
from qgsym.responses import nonlinear
from qgsym.responses.fermi_scan import fermi_scan
from qgsym.responses.nonlinear import evaluate_formulas

SEED = "Fe"
RAW_FILES = ("Fe.chk", "Fe.eig", "Fe.mmn.tar.gz", "Fe.win")
SHIFT = np.array([0.31, 0.17, 0.43])  # δ_W in units of 1/N
PAIRS = ((1, 2), (2, 0), (0, 1))  # Ω_x = Ω^yz, Ω_y = Ω^zx, Ω_z = Ω^xy
FORMULAS = ("bcd", "drude2", "wpd", "lka", "qk")
T_COMPARE = 1e-9


def fail(message: str) -> None:
    print(f"real_material: {message}", file=sys.stderr)
    raise SystemExit(2)


def quiet():
    """Silence WannierBerri's banners and progress output."""
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


def obtain_raw_files(data: str, work: Path) -> str:
    """Copy (or download) Fe.chk, Fe.eig, Fe.mmn(.tar.gz), Fe.win into ``work``."""
    if data.startswith(("http://", "https://")):
        for name in RAW_FILES:
            target = work / name
            if not target.exists():
                url = data.rstrip("/") + "/" + name
                try:
                    urllib.request.urlretrieve(url, target)
                except OSError as error:
                    fail(f"cannot download {url}: {error} (offline? give --data DIR)")
        return f"downloaded from {data}"
    folder = Path(data)
    if not folder.is_dir():
        fail(f"--data {data}: not a folder (WannierBerri's tests/data/Fe_Wannier90, or a "
             "folder with Fe_tb.dat)")
    for name in ("Fe.chk", "Fe.eig", "Fe.win"):
        if not (folder / name).is_file():
            fail(f"--data {data}: {name} missing (need Fe.chk, Fe.eig, Fe.mmn[.tar.gz], Fe.win)")
        shutil.copy(folder / name, work / name)
    if (folder / "Fe.mmn").is_file():
        shutil.copy(folder / "Fe.mmn", work / "Fe.mmn")
    elif (folder / "Fe.mmn.tar.gz").is_file():
        shutil.copy(folder / "Fe.mmn.tar.gz", work / "Fe.mmn.tar.gz")
    else:
        fail(f"--data {data}: neither Fe.mmn nor Fe.mmn.tar.gz")
    return f"copied from {folder.resolve()}"


def build_tb_dat(data: str, work: Path) -> tuple[Path, str]:
    """Return the path of Fe_tb.dat (built by WannierBerri from chk + mmn) and its origin."""
    if not data.startswith(("http://", "https://")) and (Path(data) / "Fe_tb.dat").is_file():
        return Path(data) / "Fe_tb.dat", f"Fe_tb.dat given in {Path(data).resolve()}"
    target = work / "Fe_tb.dat"
    if target.is_file():
        return target, f"Fe_tb.dat built earlier in {work} (delete it to rebuild)"
    origin = obtain_raw_files(data, work)
    if not (work / "Fe.mmn").is_file():
        with tarfile.open(work / "Fe.mmn.tar.gz") as archive:
            archive.extractall(work, filter="data")
    try:
        with quiet():
            import wannierberri as wb
            from wannierberri.system.system_tb import write_tb_file
            from wannierberri.w90files import WannierData

            wandata = WannierData.from_w90_files(seedname=str(work / SEED),
                                                 files=["chk", "eig", "mmn", "win"],
                                                 readnnkp=False)
            system = wb.system.System_R.from_wannierdata(wandata=wandata, berry=True,
                                                          ws_dist_tol=1e-5)
            write_tb_file(system, tb_file=str(target))
    except ImportError as error:
        fail(f"building Fe_tb.dat needs WannierBerri and fortio: {error}")
    return target, f"raw Wannier90 files {origin}; Fe_tb.dat written by WannierBerri"


def write_shifted(source, path: Path, shift: np.ndarray) -> None:
    """tb.dat of H'(κ) = H(κ + shift): H(R), r(R) times exp(2πi shift·R), full precision."""
    model = source.hopping_model
    phases = np.exp(2j * np.pi * (model.hoppings @ shift))
    matrices = model.matrices * phases[:, None, None]
    positions = source.positions * phases[:, None, None, None]
    n = model.n_bands
    lines = [f"Fe shifted by {shift.tolist()} (reduced)"]
    lines += [" ".join(f"{x: .16e}" for x in row) for row in source.lattice]
    lines += [str(n), str(len(model.hoppings))]
    degeneracies = [str(x) for x in model.degeneracies]
    lines += ["  ".join(degeneracies[i : i + 15]) for i in range(0, len(degeneracies), 15)]
    for r, block in zip(model.hoppings.tolist(), matrices, strict=True):
        lines += ["", f"{r[0]:5d}{r[1]:5d}{r[2]:5d}"]
        lines += [f"{m + 1:5d}{k + 1:5d} {block[m, k].real: .16e} {block[m, k].imag: .16e}"
                  for k in range(n) for m in range(n)]
    for r, block in zip(model.hoppings.tolist(), positions, strict=True):
        lines += ["", f"{r[0]:5d}{r[1]:5d}{r[2]:5d}"]
        lines += [f"{m + 1:5d}{k + 1:5d} "
                  + " ".join(f"{x.real: .16e} {x.imag: .16e}" for x in block[:, m, k])
                  for k in range(n) for m in range(n)]
    path.write_text("\n".join(lines) + "\n")


def peer_system(path: Path, interpolation: str):
    from wannierberri.system.system_tb import get_system_tb

    with quiet():
        system = get_system_tb(str(path), berry=True)
    if interpolation == "tb":
        # WannierBerri works in convention I (phases e^{ik(R + τ_n − τ_m)}, centres
        # τ = r_mm(0)); with its A^(W)(R) set to zero that is qgsym's ``tb``.
        zero = np.zeros_like(system.get_R_mat("AA"))
        system.set_R_mat("AA", zero, reset=True)
    return system


def run_peer(system, n: int, levels: np.ndarray, workdir: str, default_factors: bool = False):
    """WannierBerri's AHC (3,), BCD (3, 3), NLDrude (3, 3, 3) sea forms per level."""
    import wannierberri as wb

    static = wb.calculators.static
    factor = {} if default_factors else {"constant_factor": 1.0}
    calculators = {"ahc": static.AHC(Efermi=levels, **factor)}
    if not default_factors:
        calculators["bcd"] = static.BerryDipole_FermiSea(Efermi=levels, **factor)
        calculators["nld"] = static.NLDrude_FermiSea(Efermi=levels, **factor)
    grid = wb.Grid(system, NKdiv=(1, 1, 1), NKFFT=(n, n, n))
    with quiet():
        result = wb.run(system, grid=grid, calculators=calculators, parallel=False,
                        use_irred_kpt=False, symmetrize=False,
                        fout_name=os.path.join(workdir, "fe"), print_progress_step_time=1e9)
    return {key: result.results[key].data for key in calculators}


def qgsym_set(model, n: int, levels: np.ndarray, temperature: float):
    """One binned scan (every integral) + the σ^(2) formulas; returns (scan, formulas)."""
    scan = fermi_scan(model, n, levels, temperature, "numeric", order=3,
                      bins_per_temperature=1)
    formulas = evaluate_formulas(list(FORMULAS), scan.sea, scan.surface, "xyz")
    return scan, formulas


def as_peer(scan) -> dict:
    """qgsym's integrals in WannierBerri's layout (module docstring: the factors)."""
    return {
        "ahc": np.stack([-scan.ahc[:, b, c] for b, c in PAIRS], axis=1),
        "bcd": np.stack([scan.sea["curvature"][:, :, b, c] for b, c in PAIRS], axis=2),
        "nld": scan.sea["mass"],
    }


def relative(ours: np.ndarray, peer: np.ndarray) -> float:
    return float(np.max(np.abs(ours - peer)) / np.max(np.abs(peer)))


def with_step(factor: float, call):
    """Run ``call()`` with qgsym's finite-difference k step scaled by ``factor``."""
    original = nonlinear.derivative_step
    nonlinear.derivative_step = lambda model: factor * original(model)
    try:
        return call()
    finally:
        nonlinear.derivative_step = original


def compare_interpolation(base, interpolation, arguments, levels, workdir, folder):
    n = arguments.grid
    peer_path = folder / "Fe_peer_tb.dat"
    ours_path = folder / "Fe_qgsym_tb.dat"
    write_shifted(base, peer_path, SHIFT / n)
    write_shifted(base, ours_path, SHIFT / n - 0.5 / n)
    system = peer_system(peer_path, interpolation)
    model = numeric_model_from_wannier(ours_path, interpolation=interpolation)

    run_peer(system, 2, levels, workdir)  # warm-up: numba compilation
    peer_holder = {}

    def peer_call():
        peer_holder["values"] = run_peer(system, n, levels, workdir)

    peer_time, peer_times = _common.median_time(peer_call, arguments.repeats)
    peer = peer_holder["values"]
    qgsym_set(model, 2, levels, T_COMPARE)  # warm-up
    holder = {}

    def ours_call():
        holder["scan"], holder["formulas"] = qgsym_set(model, n, levels, T_COMPARE)

    ours_time, ours_times = _common.median_time(ours_call, arguments.repeats)
    start = time.perf_counter()
    evaluate_formulas(list(FORMULAS), holder["scan"].sea, holder["scan"].surface, "xyz")
    formulas_time = time.perf_counter() - start
    ours = as_peer(holder["scan"])
    agreement = {key: relative(ours[key], peer[key]) for key in peer}
    scale = {key: float(np.max(np.abs(peer[key]))) for key in peer}
    bound = max(float(np.max(holder["scan"].error_bound[k])) for k in ("ahc",))
    bound = max(bound, *(float(np.max(v)) for v in holder["scan"].error_bound["sea"].values()))

    # Both conventions now take analytic dipoles (full: qgsym.bands.position_dipoles), so
    # scaling the finite-difference step must change nothing (same numbers for every factor:
    # no derivative_step on this path). Before, full's residual was the truncation of a
    # 4th-order central difference, cut ~16× per halving of h (12³ BCD: 1.1e-4 → 6.7e-6 →
    # 4.2e-7), which showed the peer to be the accurate side.
    check_n = arguments.check_grid or n
    check_system, check_model, check_peer = system, model, peer
    step_check, check_scans = {}, {}
    if check_n != n:
        write_shifted(base, peer_path, SHIFT / check_n)
        write_shifted(base, ours_path, SHIFT / check_n - 0.5 / check_n)
        check_system = peer_system(peer_path, interpolation)
        check_model = numeric_model_from_wannier(ours_path, interpolation=interpolation)
        check_peer = run_peer(check_system, check_n, levels, workdir)
    for factor in (1.0, 0.5, 0.25):
        if factor == 1.0 and check_n == n:
            scan = holder["scan"]  # the timed run itself
        else:
            scan, _ = with_step(factor, lambda m=check_model: qgsym_set(m, check_n, levels,
                                                                       T_COMPARE))
        check_scans[factor] = scan
        values = as_peer(scan)
        step_check[f"step_x{factor:g}"] = {key: relative(values[key], check_peer[key])
                                           for key in ("bcd", "nld")}

    # units: AHC in SI (qgsym's conversion, S/m) vs WannierBerri's own factor (S/m)
    peer_default = run_peer(check_system, check_n, levels, workdir, default_factors=True)
    sigma_xy = [float(v) for v in check_scans[1.0].ahc[:, 0, 1]]  # natural units, Å⁻¹
    converted = si_values({"values": {"ahc": sigma_xy}, "tau_power": {"ahc": 0}},
                          check_model, "sigma1")
    ours_si = np.array(converted["values_si"]["ahc"])
    units_check = relative(ours_si, peer_default["ahc"][:, 2])

    points = n**3
    return {
        "interpolation": interpolation,
        "bands": model.n_bands,
        "agreement_max_relative": agreement,
        "peer_max_abs": scale,
        "qgsym_binning_error_bound_max": bound,
        "finite_difference_step_check": {"grid": check_n, **step_check},
        "ahc_si_vs_wannierberri_factor_ahc_relative": units_check,
        "ahc_si_unit": converted["units_si"]["ahc"],
        "times_s": {"wannierberri": peer_times, "qgsym": ours_times,
                    "qgsym_formulas_only": formulas_time},
        "rows": [
            {"interpolation": interpolation, "code": "WannierBerri",
             "computes": "AHC + BCD + NLDrude (sea), T = 0", "median_s": peer_time,
             "kpoints_per_s_per_core": points / peer_time},
            {"interpolation": interpolation, "code": "qgsym fermi_scan + formulas",
             "computes": "AHC + all sigma2 integrals; bcd drude2 wpd lka qk",
             "median_s": ours_time, "kpoints_per_s_per_core": points / ours_time},
        ],
        "speed_ratio_qgsym_over_wannierberri": peer_time / ours_time,
        "_ahc": ours["ahc"],
    }


def check_loaders(base_path: Path, win_path: Path | None) -> dict:
    """Both readers on the unshifted file: energies and Ω (full) at random k."""
    from wannierberri.evaluate_k import evaluate_k

    from qgsym.bands.geometry import band_geometry
    from qgsym.model.wannier90 import BOHR_IN_ANGSTROM, read_win

    model = numeric_model_from_wannier(base_path, interpolation="full")
    system = peer_system(base_path, "full")
    kappas = np.random.default_rng(3).uniform(-0.5, 0.5, size=(6, 3))
    energy, curvature, scale = 0.0, 0.0, 0.0
    for kappa in kappas:
        with quiet():
            peer = evaluate_k(system, k=tuple(kappa), quantities=["energy", "berry_curvature"],
                              return_single_as_dict=True)
        energies = np.asarray(peer["energy"]).ravel()
        omega = np.asarray(peer["berry_curvature"]).reshape(len(energies), 3)
        ours = band_geometry(model.hamiltonian, (kappa @ model.reciprocal)[None],
                             model.multiplets)
        energy = max(energy, float(np.max(np.abs(energies - ours.energies[0]))))
        for axis, (b, c) in enumerate(PAIRS):
            curvature = max(curvature, float(np.max(np.abs(
                ours.berry_curvature[b, c, 0] - omega[:, axis]))))
        scale = max(scale, float(np.max(np.abs(omega))))
    result = {"energy_max_abs_diff_eV": energy, "curvature_max_abs_diff_A2": curvature,
              "curvature_max_abs_A2": scale}
    if win_path is not None and win_path.is_file():
        lattice = read_win(win_path).lattice
        result["win_lattice_vs_tb_lattice_max_abs_A"] = float(np.max(np.abs(
            lattice - read_tb_dat(base_path).lattice)))
        result["bohr_in_angstrom"] = BOHR_IN_ANGSTROM
        result.update(check_hr_route(base_path, win_path, system, model, kappas))
    return result


def check_hr_route(base_path: Path, win_path: Path, system, full_model, kappas) -> dict:
    """Fe_hr.dat (WannierBerri's writer) + Fe.win (bohr) + Fe_centres.xyz through qgsym's
    hr.dat reader, against the tb.dat read with ``--interpolation tb``: the same model up to
    the 8 printed digits of the hr.dat (|H(R)| ≤ ~10 eV, so ~1e-7 eV)."""
    from wannierberri.system.system_hr import write_hr_file

    from qgsym.bands.geometry import band_geometry
    from qgsym.model.wannier90 import write_centres_xyz

    folder = Path(tempfile.mkdtemp(prefix="qgsym_fe_hr_"))
    with quiet():
        write_hr_file(system, seedname=str(folder / "Fe"))
    shutil.copy(win_path, folder / "Fe.win")
    write_centres_xyz(folder / "Fe_centres.xyz", full_model.hamiltonian.centres)
    hr = numeric_model_from_wannier(folder / "Fe_hr.dat")
    tb = numeric_model_from_wannier(base_path, interpolation="tb")
    energy, curvature, scale = 0.0, 0.0, 0.0
    for kappa in kappas:
        k = (kappa @ tb.reciprocal)[None]
        a = band_geometry(hr.hamiltonian, k, hr.multiplets)
        b = band_geometry(tb.hamiltonian, k, tb.multiplets)
        energy = max(energy, float(np.max(np.abs(a.energies - b.energies))))
        curvature = max(curvature, float(np.max(np.abs(a.berry_curvature - b.berry_curvature))))
        scale = max(scale, float(np.max(np.abs(b.berry_curvature))))
    shutil.rmtree(folder)
    return {"hr_win_centres_vs_tb_dat_energy_max_abs_eV": energy,
            "hr_win_centres_vs_tb_dat_curvature_max_abs_A2": curvature,
            "tb_curvature_max_abs_A2": scale,
            "hr_lattice_source": hr.hamiltonian.provenance["lattice"]}


def parse_range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in text.split(":"))
    except ValueError:
        fail(f"--mu {text!r}: expected LOW:HIGH in eV")
    return low, high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("QGSYM_FE_DATA"),
                        help="WannierBerri's tests/data/Fe_Wannier90 (folder or raw-file base "
                             "URL), or a folder with Fe_tb.dat; default $QGSYM_FE_DATA")
    parser.add_argument("--work", default=None, help="folder for the built files (kept)")
    parser.add_argument("--grid", type=int, default=12)
    parser.add_argument("--check-grid", type=int, default=None,
                        help="grid of the finite-difference step check and the units check "
                             "(default: --grid)")
    parser.add_argument("--levels", type=int, default=801)
    parser.add_argument("--mu", default="16:18", help="Fermi-level range LOW:HIGH (eV)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--interpolation", default="full,tb")
    arguments = parser.parse_args()
    if not arguments.data:
        fail("no data: give --data PATH/wannier-berri/tests/data/Fe_Wannier90 "
             "(git clone https://github.com/wannier-berri/wannier-berri) or set QGSYM_FE_DATA")
    interpolations = arguments.interpolation.split(",")
    if any(i not in ("full", "tb") for i in interpolations):
        fail(f"--interpolation {arguments.interpolation!r}: full, tb or full,tb")
    try:
        with quiet():
            import wannierberri
    except ImportError:
        fail("WannierBerri is not installed (pip install wannierberri numba fortio)")
    core = _common.pin_to_one_core()
    logging.disable(logging.WARNING)
    work = Path(arguments.work or Path(tempfile.gettempdir()) / "qgsym_real_material")
    work.mkdir(parents=True, exist_ok=True)
    base_path, origin = build_tb_dat(arguments.data, work)
    print(f"model: {base_path} ({origin})")
    base = read_tb_dat(base_path)
    low, high = parse_range(arguments.mu)
    levels = np.linspace(low, high, arguments.levels)
    win = None if arguments.data.startswith("http") else Path(arguments.data) / "Fe.win"
    loaders = check_loaders(base_path, win if win and win.is_file() else work / "Fe.win")
    print("loaders:", {k: v if isinstance(v, str) else f"{v:.3g}" for k, v in loaders.items()})
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for interpolation in interpolations:
            results.append(compare_interpolation(base, interpolation, arguments, levels,
                                                  workdir, work))
            r = results[-1]
            print(f"{interpolation}: agreement {r['agreement_max_relative']}; "
                  f"FD step check {r['finite_difference_step_check']}; "
                  f"units {r['ahc_si_vs_wannierberri_factor_ahc_relative']:.3g}")
    ahc = {r["interpolation"]: r.pop("_ahc") for r in results}
    conventions = {}
    if len(ahc) == 2:
        conventions["ahc_tb_vs_full_max_relative"] = relative(ahc["tb"], ahc["full"])
        print(f"AHC, tb against full interpolation: {conventions['ahc_tb_vs_full_max_relative']:.3g}"
              " relative (the position matrix r(R) matters)")
    rows = [row for r in results for row in r["rows"]]
    print()
    _common.print_table(rows, ["interpolation", "code", "median_s", "kpoints_per_s_per_core"])
    for r in results:
        print(f"{r['interpolation']}: qgsym / WannierBerri speed "
              f"{r['speed_ratio_qgsym_over_wannierberri']:.3g}")
    info = _common.machine()
    print(f"\npinned to CPU {core}; load average {info['load_average_1_5_15min']}")
    path = _common.write_results("real_material", {
        "benchmark": "real_material",
        "model": {"name": "bcc Fe (WannierBerri tests/data/Fe_Wannier90)", "origin": origin,
                  "bands": int(base.hopping_model.n_bands),
                  "R_vectors": int(len(base.hopping_model.hoppings))},
        "grid": [arguments.grid] * 3, "grid_shift_reduced": (SHIFT / arguments.grid).tolist(),
        "levels_eV": [low, high, arguments.levels], "temperature_eV": T_COMPARE,
        "machine": info, "wannierberri": wannierberri.__version__,
        "loader_check": loaders, "interpolations": results, "conventions": conventions,
    })
    print(f"written {path}")


if __name__ == "__main__":
    main()
