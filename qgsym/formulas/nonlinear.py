"""Second-order (rank-3) conductivity formulas: σ_ijk with J_i = σ_ijk E_j E_k.

Common conventions of qgsym (and of seed 003, which uses the same ones, so the map of the
seed-003 entries is the identity): carriers of charge −e (e > 0), H = H₀ + eE·r,
[dk] = d^dk/(2π)^d, σ_ijk symmetric in (j, k). Every entry is written as published; the
identity engine (:mod:`qgsym.formulas.identities`) and the claims decide how they relate.

Seed 003 = X.-B. Qiang, T. Liu, Z.-X. Gao, H.-Z. Lu, X. C. Xie, "A clarification on
quantum-metric-induced nonlinear transport", Adv. Sci. (2025), DOI as printed in the seed
"10.1002/adv.202514818" (Advanced Science DOIs have the prefix 10.1002/advs.; the seed's
"adv." is most likely an extraction slip — both recorded).
"""

from __future__ import annotations

import sympy

from qgsym.formulas.base import E_CHARGE as e
from qgsym.formulas.base import HBAR as hbar
from qgsym.formulas.base import TAU as tau
from qgsym.formulas.base import Formula, Provenance, Term
from qgsym.formulas.identities import integral_symbol, levi_civita

SEED_003 = ("Qiang, Liu, Gao, Lu, Xie, 'A clarification on quantum-metric-induced nonlinear "
            "transport', Adv. Sci. 2025 (seed 003)")
SEED_003_DOI = "10.1002/advs.202514818 (seed prints 10.1002/adv.202514818)"
SIGMA2_DIMENSION = "A m^(3-d) / V^2 (d = dimension), times s^-p for the coefficient of tau^p"
SAME_CONVENTION = ("identity: the source uses J_i = sigma_ijk E_j E_k, carriers of charge -e, "
                   "H = H0 + eE.r, [dk] = d^dk/(2pi)^d, as qgsym")


def _metric_dipole(key, title, a, b, paper, equation, doi, table_row, notes=""):
    """σ^qm family: −(e³/ħ) Σ∫ [a ∂_i𝒢^{jk} − b(∂_k𝒢^{ij} + ∂_j𝒢^{ik})] f₀ (seed 003 Table 1)."""
    a_tex = {1: "", 2: "2", sympy.Rational(1, 2): "\\frac{1}{2}"}[a]
    b_tex = {sympy.Rational(1, 2): "\\frac{1}{2}", 1: ""}[b]
    a_txt = {1: "", 2: "2 ", sympy.Rational(1, 2): "(1/2) "}[a]
    b_txt = {sympy.Rational(1, 2): "(1/2)", 1: ""}[b]
    return Formula(
        key=key,
        title=title,
        quantity="sigma2",
        rank=3,
        expression_latex=(
            f"-\\frac{{e^3}}{{\\hbar}}\\sum_n\\int[d\\mathbf{{k}}]\\left[{a_tex}\\partial_i"
            f"\\mathcal{{G}}_n^{{jk}} - {b_tex}(\\partial_k\\mathcal{{G}}_n^{{ij}} + "
            f"\\partial_j\\mathcal{{G}}_n^{{ik}})\\right] f_0"
        ),
        expression_plain=(
            f"-(e^3/hbar) sum_n int[dk] [{a_txt}d_i G_n^jk - {b_txt}(d_k G_n^ij + d_j G_n^ik)] f0"
        ),
        source_convention=(
            f"seed 003 Table 1 row {table_row}: prefactor -e^3/hbar, G_n the band-normalized "
            "quantum metric 2 Re sum_m A_nm A_mn/(eps_n - eps_m), f0 = f0(eps_n)"
        ),
        convention_map=SAME_CONVENTION,
        prefactor=-(e**3) / hbar,
        weight="f0",
        terms=(Term(a, "metric", "ijk"), Term(-b, "metric", "kij"), Term(-b, "metric", "jik")),
        tau_power=0,
        t_parity=-1,
        p_parity=-1,
        dimension=SIGMA2_DIMENSION,
        assumptions="clean limit, intrinsic (tau^0) part, band-normalized metric of isolated bands",
        provenance=Provenance(
            paper=paper,
            equation=equation,
            doi=doi,
            read_from="seed 003 Table 1 (extracted text, legible)",
        ),
        notes=notes,
    )


WPD = _metric_dipole(
    "wpd", "intrinsic quantum-metric conductivity, wave-packet dynamics",
    1, sympy.Rational(1, 2),
    "Gao, Yang, Niu, PRL 112, 166601 (2014); as tabulated in " + SEED_003,
    "seed 003 Table 1 (WPD) and Eq. 13",
    "10.1103/PhysRevLett.112.166601",
    "WPD",
    notes=("Seed 003 Eq. 13 prints G_n (the symbol of the Berry connection polarizability "
           "G = e*G_metric) but the text says the band-normalized metric is used; with G = e G "
           "the prefactor would be e^4, dimensionally wrong for a conductivity. qgsym reads the "
           "band-normalized metric (C7 checks the dimension)."),
)
LKA = _metric_dipole(
    "lka", "intrinsic quantum-metric conductivity, Luttinger-Kohn approach",
    2, sympy.Rational(1, 2),
    "Kaplan, Holder, Yan, PRL 132, 026301 (2024); as tabulated in " + SEED_003,
    "seed 003 Table 1 (LKA)",
    "10.1103/PhysRevLett.132.026301",
    "LKA",
)
QK = _metric_dipole(
    "qk", "intrinsic quantum-metric conductivity, quantum kinetics",
    sympy.Rational(1, 2), 1,
    "Das, Lahiri, Atencia, Culcer, Agarwal, PRB 108, L201405 (2023); as tabulated in "
    + SEED_003,
    "seed 003 Table 1 (QK)",
    "10.1103/PhysRevB.108.L201405",
    "QK",
)

QIANG_FS = Formula(
    key="qiang-fs",
    title="intrinsic quantum-metric conductivity, Fermi-surface form",
    quantity="sigma2",
    rank=3,
    expression_latex=(
        "e^3\\sum_n\\int[d\\mathbf{k}]\\,\\Lambda_n^{ijk} f_0',\\quad "
        "\\Lambda_n^{ijk} = v_n^i\\mathcal{G}_n^{jk} - \\tfrac12(v_n^j\\mathcal{G}_n^{ik} + "
        "v_n^k\\mathcal{G}_n^{ij})"
    ),
    expression_plain="e^3 sum_n int[dk] Lambda_n^ijk f0', Lambda = v^i G^jk - (1/2)(v^j G^ik + v^k G^ij)",
    source_convention="seed 003 Eq. 14; v_n = d eps_n/(hbar dk), so hbar is inside v",
    convention_map=SAME_CONVENTION + "; with hbar = 1 the prefactor is e^3",
    prefactor=e**3 / hbar,
    weight="f0prime",
    terms=(Term(1, "metric", "ijk"), Term(sympy.Rational(-1, 2), "metric", "jik"),
           Term(sympy.Rational(-1, 2), "metric", "kij")),
    tau_power=0,
    t_parity=-1,
    p_parity=-1,
    dimension=SIGMA2_DIMENSION,
    assumptions="clean limit, intrinsic part; equals Eq. 13 by integration by parts (claim C2)",
    provenance=Provenance(SEED_003, "Eq. 14", SEED_003_DOI, read_from="seed 003 text, legible"),
)

DRUDE2 = Formula(
    key="drude2",
    title="nonlinear Drude conductivity (coefficient of tau^2)",
    quantity="sigma2",
    rank=3,
    expression_latex=(
        "-\\frac{e^3\\tau^2}{\\hbar^3}\\sum_n\\int[d\\mathbf{k}]\\,"
        "(\\partial_i\\partial_j\\partial_k\\varepsilon_n) f_0"
    ),
    expression_plain="-(e^3 tau^2/hbar^3) sum_n int[dk] (d_i d_j d_k eps_n) f0",
    source_convention="seed 003 Eq. 11",
    convention_map=SAME_CONVENTION,
    prefactor=-(e**3) * tau**2 / hbar**3,
    weight="f0",
    terms=(Term(1, "mass", "ijk"),),
    tau_power=2,
    t_parity=-1,
    p_parity=-1,
    dimension=SIGMA2_DIMENSION,
    assumptions="Boltzmann equation, constant relaxation time tau, omega tau << 1",
    provenance=Provenance(SEED_003, "Eq. 11", SEED_003_DOI, read_from="seed 003 text"),
)

BCD = Formula(
    key="bcd",
    title="Berry curvature dipole conductivity (coefficient of tau)",
    quantity="sigma2",
    rank=3,
    expression_latex=(
        "\\frac{e^3\\tau}{2\\hbar^2}\\sum_n\\int[d\\mathbf{k}]\\,"
        "(\\partial_k\\Omega_n^{ij} + \\partial_j\\Omega_n^{ik}) f_0"
    ),
    expression_plain="(e^3 tau/(2 hbar^2)) sum_n int[dk] (d_k Omega_n^ij + d_j Omega_n^ik) f0",
    source_convention="seed 003 Eq. 12, Omega^ij = d_i A^j - d_j A^i",
    convention_map=SAME_CONVENTION,
    prefactor=e**3 * tau / (2 * hbar**2),
    weight="f0",
    terms=(Term(1, "curvature", "kij"), Term(1, "curvature", "jik")),
    tau_power=1,
    t_parity=1,
    p_parity=-1,
    dimension=SIGMA2_DIMENSION,
    assumptions="Boltzmann equation, constant relaxation time tau, omega tau << 1",
    provenance=Provenance(SEED_003, "Eq. 12", SEED_003_DOI, read_from="seed 003 text"),
)


def _sodemann_fu_component(component: str) -> sympy.Expr:
    """dc σ_ijk = sym_jk 2 χ_ijk(ω=0), χ_abc = −ε_adc (e³τ/2) D_bd, Ω_d = ½ε_dpq Ω^{pq}."""
    i, j, k = component
    total = sympy.S.Zero
    for first, second in ((j, k), (k, j)):
        for d in "xyz":
            outer = levi_civita(i, d, second)
            if outer == 0:
                continue
            for p in "xyz":
                for q in "xyz":
                    inner = levi_civita(d, p, q)
                    if inner:
                        # D_bd = int f0 d_b Omega_d, b = first index of the pair
                        total += (-outer * e**3 * tau / (2 * hbar**2) * sympy.Rational(inner, 2)
                                  * integral_symbol("f0", "curvature", f"{first}{p}{q}"))
    return sympy.expand(2 * total / 2)  # 2 chi (dc), then symmetrize: average of 2 orders


BCD_SF = Formula(
    key="bcd-sf",
    title="Berry curvature dipole conductivity, Sodemann-Fu form (coefficient of tau)",
    quantity="sigma2",
    rank=3,
    expression_latex=(
        "j^0_a=\\chi_{abc}\\mathcal{E}_b\\mathcal{E}_c^*,\\ j^{2\\omega}_a=\\chi_{abc}"
        "\\mathcal{E}_b\\mathcal{E}_c,\\ \\chi_{abc}=-\\epsilon_{adc}\\frac{e^3\\tau}"
        "{2(1+i\\omega\\tau)}\\int_k f_0\\,\\partial_b\\Omega_d"
    ),
    expression_plain=(
        "j0_a = chi_abc E_b E_c^*, j2w_a = chi_abc E_b E_c, chi_abc = -eps_adc e^3 tau/"
        "(2(1 + i omega tau)) int f0 d_b Omega_d"
    ),
    source_convention=(
        "E(t) = Re(E e^{i omega t}), j(t) = Re(j0 + j2w e^{2 i omega t}); Omega_d the Berry "
        "curvature pseudovector; e the elementary charge with electrons of charge -e"
    ),
    convention_map=(
        "dc limit omega -> 0 with a real field E: J = j0 + j2w = 2 chi_abc E_b E_c, so "
        "sigma_abc = sym_bc 2 chi_abc(0); Omega_d = (1/2) eps_dpq Omega^pq; a = i, b, c = j, k; "
        "the slide sets hbar = 1: hbar^-2 restored by dimension (C7 checks it)"
    ),
    prefactor=sympy.S.One,
    weight="f0",
    terms=(),
    tau_power=1,
    t_parity=1,
    p_parity=-1,
    dimension=SIGMA2_DIMENSION,
    assumptions="Boltzmann equation, constant tau, dc limit",
    provenance=Provenance(
        "Sodemann & Fu, PRL 115, 216806 (2015); as quoted in seed 001 (Balents talk)",
        "SF Eq. for chi_abc (seed 001 slide 'Non-linear Hall effect')",
        "10.1103/PhysRevLett.115.216806",
        read_from="seed 001 slide text (legible); the reading of e as e > 0 is an assumption "
                  "recorded here and tested by the identity bcd-sf == bcd",
    ),
    component_builder=_sodemann_fu_component,
)

BCPD = Formula(
    key="bcpd",
    title="band-resolved quantum metric dipole conductivity (seed 001 slide)",
    quantity="sigma2",
    rank=3,
    expression_latex=(
        "\\sigma^{BCPD}_{a;bc}=\\frac{e^3}{\\hbar}\\sum_{m,p}\\int[d\\mathbf{k}]\\,f_m"
        "\\left[\\partial_a\\tilde{\\mathcal{G}}^{bc}_{mp}+\\partial_b\\tilde{\\mathcal{G}}^{ac}_{mp}"
        "+\\partial_c\\tilde{\\mathcal{G}}^{ab}_{mp}\\right]"
    ),
    expression_plain=(
        "sigma_{a;bc} = (e^3/hbar) sum_{m,p} int[dk] f_m [d_a G~_mp^bc + d_b G~_mp^ac + d_c G~_mp^ab]"
    ),
    source_convention=(
        "slide notation sigma_{a;bc}: j_a = sigma_{a;bc} E_b E_c (read); G~_mp the band-resolved "
        "band-normalized metric 2 Re A^b_mp A^c_pm/(eps_m - eps_p), so sum_p G~_mp = G_m"
    ),
    convention_map="a, b, c = i, j, k; sum over p of G~_mp gives the band-normalized metric G_m",
    prefactor=e**3 / hbar,
    weight="f0",
    terms=(Term(1, "metric", "ijk"), Term(1, "metric", "jik"), Term(1, "metric", "kij")),
    tau_power=0,
    t_parity=-1,
    p_parity=-1,
    dimension=SIGMA2_DIMENSION,
    assumptions="intrinsic part, as on the slide",
    provenance=Provenance(
        "Balents, 'Quantum kinetics, non-linear response, and band geometry' (talk, seed 001), "
        "citing K. Das et al. 2023 (PRB 108, L201405) and D. Kaplan et al. 2024 (PRL 132, 026301)",
        "slide 'Quantum metric effects'",
        "10.1103/PhysRevB.108.L201405",
        read_from="seed 001 slide text; the slide does not define G~_mp or the index order",
    ),
    notes=("The slide's bracket is fully symmetric in (a, b, c) and its sign is +, unlike every "
           "row of seed 003 Table 1; the definition of G~_mp is not on the slide (read as the "
           "pair-resolved band-normalized metric). Encoded as printed; qgsym compares it."),
)

NONLINEAR_FORMULAS = (DRUDE2, BCD, BCD_SF, WPD, LKA, QK, QIANG_FS, BCPD)


def table1_coefficients() -> dict[str, tuple[sympy.Expr, sympy.Expr]]:
    """Seed 003 Table 1: (a, b) of wpd, lka, qk, read off their registry terms.

    .. math:: \\sigma_{ijk} = -\\frac{e^3}{\\hbar}\\sum_n\\int[dk]\\,[a\\,\\partial_i\\mathcal G^{jk}
              - b(\\partial_j\\mathcal G^{ik} + \\partial_k\\mathcal G^{ij})]f_0
    """
    table = {}
    for formula in (WPD, LKA, QK):
        coefficient = {term.slots: term.coefficient for term in formula.terms}
        table[formula.key] = (coefficient["ijk"], -coefficient["jik"])
    return table

