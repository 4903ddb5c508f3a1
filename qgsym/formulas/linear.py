"""Linear-response (rank-2) formulas: Drude and anomalous Hall, J_i = σ_ij E_j."""

from __future__ import annotations

import sympy

from qgsym.formulas.base import E_CHARGE as e
from qgsym.formulas.base import HBAR as hbar
from qgsym.formulas.base import TAU as tau
from qgsym.formulas.base import Formula, Provenance

DRUDE1 = Formula(
    key="drude1",
    title="linear Drude conductivity (coefficient of tau)",
    quantity="sigma1",
    rank=2,
    expression_latex="-e^2\\tau\\sum_n\\int[d\\mathbf{k}]\\, v_n^i v_n^j f_0'",
    expression_plain="-e^2 tau sum_n int[dk] v_n^i v_n^j f0'",
    source_convention="Boltzmann equation in the relaxation-time approximation",
    convention_map="carriers of charge -e: f1 = e tau E.v f0', J = -e sum int v f1",
    prefactor=-(e**2) * tau,
    weight="",
    terms=(),
    tau_power=1,
    t_parity=1,
    p_parity=1,
    dimension="A m^(2-d) / V, times s^-1 for the coefficient of tau",
    assumptions="constant relaxation time, omega tau << 1",
    provenance=Provenance("Ashcroft & Mermin, Solid State Physics (1976)", "Ch. 13, Eq. 13.25"),
)

AHC = Formula(
    key="ahc",
    title="intrinsic anomalous Hall conductivity (TKNN)",
    quantity="sigma1",
    rank=2,
    expression_latex="-\\frac{e^2}{\\hbar}\\sum_n\\int[d\\mathbf{k}]\\, f_0\\,\\Omega_n^{ij}",
    expression_plain="-(e^2/hbar) sum_n int[dk] f0 Omega_n^ij",
    source_convention="TKNN: sigma_xy = (e^2/h) sum_n C_n over filled bands, sign per source",
    convention_map=("Omega = -2 Im Q, C_n = (1/2pi) int Omega^xy d^2k; a filled band of Chern "
                    "number C gives sigma_xy = -C e^2/h in qgsym's sign convention"),
    prefactor=-(e**2) / hbar,
    weight="",
    terms=(),
    tau_power=0,
    t_parity=-1,
    p_parity=1,
    dimension="A m^(2-d) / V",
    assumptions="clean limit, T-broken",
    provenance=Provenance(
        "Thouless, Kohmoto, Nightingale, den Nijs, PRL 49, 405 (1982); Kruchkov (seed 000)",
        "TKNN Eq. 5; seed 000 Eq. 13",
        "10.1103/PhysRevLett.49.405",
    ),
)

LINEAR_FORMULAS = (DRUDE1, AHC)
_ = sympy
