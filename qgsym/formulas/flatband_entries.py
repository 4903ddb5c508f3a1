"""Registry entries of seed 000 (Kruchkov): flat-band Kubo forms, Eq. 10, 12, 16, 17, 19.

Encoded **as published** (expression_latex / expression_plain); the convention map says how
qgsym evaluates them (:mod:`qgsym.responses.kubo`, :mod:`qgsym.responses.kubo_tensors`). Seed text used for
every equation; the garbled definition of Θ ("Θ = β/L12 / L11") is read from Eq. 17. The
paper is arXiv:2210.00351 (abstract cross-read on arcxiv.org through the search tool; no
DOI is recorded here because none was verified).
"""

from __future__ import annotations

import sympy

from qgsym.formulas.base import E_CHARGE as e
from qgsym.formulas.base import HBAR as hbar
from qgsym.formulas.base import Formula, Provenance

PAPER = "A. Kruchkov, Quantum transport in dispersionless electronic bands (seed 000)"
ARXIV = "2210.00351"
READ_FROM = "seed 000 text (extracted PDF); abstract cross-checked on arcxiv.org/abs/2210.00351"

STRUCTURAL_TENSORS = (
    "I^(a)_nm = -2 w_nm^2 int dw/(2pi) (w-mu)^a f'(w) ImG_n(w) ImG_m(w); "
    "J_nm = 8 w_nm^2 iint dw dw'/(2pi)^2 f(w) ImG_n(w') ImG_m(w)/(w-w')^2; "
    "w_nm = eps_n - eps_m; ImG = delta/((w-eps)^2+delta^2) (positive, as printed)"
)

KRUCHKOV_SIGMA = Formula(
    key="kruchkov-sigma",
    title="flat-band Kubo conductivity through the structural tensors I_nm, J_nm",
    quantity="sigma-kubo",
    rank=2,
    expression_latex=("\\sigma_{ij} = \\frac{e^2}{\\hbar}\\sum_{\\mathbf{k}}\\sum_{nm}"
                      "\\mathcal{I}_{nm}\\,\\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij}"
                      " + \\mathcal{J}_{nm}\\,\\mathrm{Im}\\,\\mathfrak{G}^{nm}_{ij}"),
    expression_plain=("sigma_ij = (e^2/hbar) sum_k sum_nm [I_nm Re G^nm_ij + J_nm Im G^nm_ij], "
                      "G^nm_ij = <d_i u_n|u_m><u_m|d_j u_n>; " + STRUCTURAL_TENSORS),
    source_convention=("prefactor e^2/hbar, sum_k normalized as int d^2k/(2pi)^2; Hall sign: "
                       "sigma_xy -> +(e^2/hbar) sum_n f_n int F_n (F = -2 Im G = qgsym's Omega)"),
    convention_map=("symmetric part identical; antisymmetric part: sigma_xy(qgsym) = "
                    "-sigma_xy(seed), i.e. qgsym evaluates sum[I Re G - J Im G], whose clean "
                    "limit is ahc = -(e^2/hbar) sum int f0 Omega; 1/(w-w')^2 is the Hadamard "
                    "finite part (the Kubo prescription; PV diverges)"),
    prefactor=e**2 / hbar,
    weight="",
    terms=(),
    tau_power=-1,
    t_parity=1,
    p_parity=1,
    dimension="A m^(2-d) / V",
    assumptions=("perfectly flat bands (no intraband term); band-diagonal self energy -i delta_n "
                 "(Lorentzian spectral functions), bare current vertices; tau_power -1 is the "
                 "longitudinal part (sigma_xx ~ delta ~ 1/tau for delta << T), the Hall part is tau^0 "
                 "and T-odd"),
    provenance=Provenance(PAPER, "Eq. 10-11 and the definitions of I_nm, J_nm after Eq. 11",
                          arxiv=ARXIV, read_from=READ_FROM),
    notes=("qgsym.responses.kubo adds the intraband Kubo-Greenwood term for dispersive models "
           "(zero for flat bands). The seed writes omega^alpha; read as (omega - mu)^alpha."),
)

KRUCHKOV_HALL = Formula(
    key="kruchkov-hall",
    title="flat-band Hall conductivity at T = 0 (Eq. 12) and its TKNN limit (Eq. 13)",
    quantity="sigma-kubo",
    rank=2,
    expression_latex=("\\sigma_{xy} = \\frac{8e^2}{\\hbar}\\sum_{\\mathbf{k}}\\sum'_{nm}\\iint"
                      "\\frac{d\\omega d\\omega'}{(2\\pi)^2}\\frac{\\mathrm{Im}G_n(\\omega')"
                      "\\mathrm{Im}G_m(\\omega)}{(\\omega-\\omega')^2}\\,\\omega_{nm}^2\\,"
                      "\\mathrm{Im}\\,\\mathfrak{G}^{nm}_{xy}"),
    expression_plain=("sigma_xy = (8e^2/hbar) sum_k sum'_nm iint dw dw'/(2pi)^2 "
                      "ImG_n(w') ImG_m(w)/(w-w')^2 w_nm^2 Im G^nm_xy, n over occupied bands; "
                      "iint ImG_n ImG_m/(w-w')^2 ~ pi^2/w_nm^2 [1 + O(delta^2)] gives "
                      "sigma_xy = (e^2/hbar) sum'_n sum_k F_n = (e^2/h) sum' C_n (Eq. 13)"),
    source_convention="Eq. 13 as printed: sigma_xy = +(e^2/h) sum'_n C_n with F = -2 Im G",
    convention_map=("Eq. 12 as printed (n occupied) evaluates to -(e^2/h) sum' C_n, the qgsym "
                    "(ahc) sign; Eq. 13 has the opposite sign (claim C9b.1). The f-less double "
                    "integral is exactly pi^2 (w^2 - Gamma^2)/(w^2 + Gamma^2)^2, Gamma = "
                    "delta_n + delta_m (claim C9a)"),
    prefactor=e**2 / hbar,
    weight="",
    terms=(),
    tau_power=0,
    t_parity=-1,
    p_parity=1,
    dimension="A m^(2-d) / V",
    assumptions="T = 0, chemical potential in a gap, well-resolved bands delta << Delta",
    provenance=Provenance(PAPER, "Eq. 12-13", arxiv=ARXIV, read_from=READ_FROM),
    notes=("The Fermi function of J is replaced in Eq. 12 by restricting n to occupied bands; "
           "J as printed attaches f to band m: the two readings differ in sign."),
)

KRUCHKOV_KAPPA = Formula(
    key="kruchkov-kappa",
    title="flat-band thermal conductivity from the transport tensors I^(0), I^(1), I^(2)",
    quantity="kappa",
    rank=2,
    expression_latex=("\\kappa_{xx} = \\frac{1}{T}\\sum_{nm,\\mathbf{k}}\\mathcal{I}^{(2)}_{nm}"
                      "\\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij} - \\frac{1}{T}\\frac{[\\sum"
                      "\\mathcal{I}^{(1)}_{nm}\\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij}]^2}{\\sum"
                      "\\mathcal{I}^{(0)}_{nm}\\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij}}"),
    expression_plain=("kappa_xx = (1/T) sum I2 Re G - (1/T) [sum I1 Re G]^2 / [sum I0 Re G]; "
                      + STRUCTURAL_TENSORS),
    source_convention="k_B = hbar = 1 inside the tensors; the text's kappa = beta(L22 - L12^2/T L11) is garbled",
    convention_map="identical (qgsym evaluates Eq. 16 with L^(a) = sum I^(a) Re G, diagonal components)",
    prefactor=sympy.S.One,
    weight="",
    terms=(),
    tau_power=-1,
    t_parity=1,
    p_parity=1,
    dimension="W m^(2-d) / K",
    assumptions="perfectly flat bands, Lorentzian broadening; kappa ~ delta for delta << T",
    provenance=Provenance(PAPER, "Eq. 16 and the definition of I^(alpha) after Eq. 17",
                          arxiv=ARXIV, read_from=READ_FROM),
    notes="omega^alpha read as (omega - mu)^alpha. Lorenz ratio kappa/(T sigma) reported by qgsym.",
)

KRUCHKOV_SEEBECK = Formula(
    key="kruchkov-seebeck",
    title="flat-band thermopower Theta = beta L1/(e L0)",
    quantity="seebeck",
    rank=2,
    expression_latex=("\\Theta_{xx} = \\frac{\\beta\\sum_{nm,\\mathbf{k}}\\mathcal{I}^{(1)}_{nm}"
                      "\\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij}}{e\\sum_{nm,\\mathbf{k}}"
                      "\\mathcal{I}^{(0)}_{nm}\\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij}}"),
    expression_plain="Theta_xx = beta sum I1 Re G / (e sum I0 Re G); " + STRUCTURAL_TENSORS,
    source_convention="e > 0 in the denominator: Theta > 0 when the transport-weighted energy lies above mu",
    convention_map=("values reported as printed, in k_B/e; the thermopower of carriers of charge "
                    "-e is S = -Theta (compute: seebeck_charge_minus_e)"),
    prefactor=1 / e,
    weight="",
    terms=(),
    tau_power=0,
    t_parity=1,
    p_parity=1,
    dimension="V / K",
    assumptions="perfectly flat bands; the quantum-geometric factor cancels for two bands",
    provenance=Provenance(PAPER, "Eq. 17 (Theta* ~ (k_B/e) ln 2: Eq. 18)", arxiv=ARXIV,
                          read_from=READ_FROM),
    notes=("Text before Eq. 16 garbled ('Theta = beta/L12 / L11'); Eq. 17 used. Peak claims: "
           "C9e (T* ~ Delta/2 verified, Theta* ~ ln 2 as a bound refuted)."),
)

KRUCHKOV_DS = Formula(
    key="kruchkov-ds",
    title="flat-band superfluid weight ~ pairing gap x integrated quantum metric",
    quantity="",
    rank=2,
    expression_latex="D_S \\sim \\Delta_S\\sum_{\\mathbf{k}}\\mathrm{Re}\\,\\mathfrak{G}_{ii}(\\mathbf{k})",
    expression_plain="D_S ~ Delta_S sum_k Re G_ii(k)",
    source_convention="proportionality only ('~'); j_i = -(D_S)_ij A_j",
    convention_map=("qgsym evaluates the geometric factor sum_k Re G_ii = int[dk] Tr g; the "
                    "prefactor is not given by the seed (Peotta & Torma, Nat. Commun. 6, 8944)"),
    prefactor=sympy.S.One,
    weight="",
    terms=(),
    tau_power=0,
    t_parity=1,
    p_parity=1,
    dimension="A m^(2-d) / (V s)",
    assumptions="isolated flat band, uniform pairing; the minimal quantum metric for multi-orbital cells",
    provenance=Provenance(PAPER, "Eq. 19", arxiv=ARXIV, read_from=READ_FROM),
    notes="claim C9f evaluates the geometric factor and its bound |C|/2pi",
)

FORMULAS = (KRUCHKOV_SIGMA, KRUCHKOV_HALL, KRUCHKOV_KAPPA, KRUCHKOV_SEEBECK, KRUCHKOV_DS)
