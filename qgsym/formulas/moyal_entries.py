"""Registry entries ``balents2`` and ``lapa-hughes`` (seed 001), as plain data.

The lead's Formula class (``qgsym/formulas/base.py``) did not exist when this was written,
so the entries are dicts with the registry fields. Formulas are encoded *as printed* on
the talk's slides (seed 001); arXiv:2504.10447 could not be read beyond its introduction
with the search tool, so the garbled points are documented rather than fixed.
"""

from __future__ import annotations

from types import MappingProxyType

_PROVENANCE_BALENTS = {
    "paper": "T. Park, X. Huang, L. Savary, L. Balents, Quantum geometry from the Moyal "
             "product: quantum kinetic equation and non-linear response",
    "equation": "talk slide 'Quadratic conductivity' (seed 001); kinetic equation Eq. (3.29)",
    "arxiv": "arXiv:2504.10447",
    "read_from": "seed 001 slide text; paper body not reachable (search tool returned the "
                 "abstract and introduction only)",
}

ENTRIES = MappingProxyType({
    "balents2": MappingProxyType({
        "key": "balents2",
        "title": "Quadratic conductivity sigma^(2)_{ijl}(q w; q' w') from Moyal kinetics, "
                 "q -> 0",
        "expression_latex": (
            r"\sigma^{(2)}_{ijl}=\frac{e^3}{\hbar^2}\sum_n\int_k\Big[f_n\frac{\partial^3_{k_ik_jk_l}"
            r"\varepsilon}{(i\omega-\tau^{-1})(i\omega'-\tau^{-1})}-\Big(f'_n\frac{\hbar v_i}{2}"
            r"\mathsf T_{jl}-f_n\partial_{k_i}\mathsf T_{jl}+f_n\partial_{k_j}\mathsf T_{il}\Big)"
            r"+f_n\frac{\partial_{k_j}\Omega_{ij}}{i\omega'-\tau^{-1}}\Big]"),
        "expression_plain": (
            "sigma2_ijl = (e^3/hbar^2) sum_n int_k [ f_n d_i d_j d_l eps / ((i w - 1/tau)(i w' - "
            "1/tau)) - ( f'_n (hbar v_i/2) T_jl - f_n d_i T_jl + f_n d_j T_il ) + f_n d_j "
            "Omega_ij / (i w' - 1/tau) ],  T = -G (band-normalized metric)"),
        "rank": 3,
        "index_convention": "j_i = sigma_ijl E_j(q w) E_l(q' w'); symmetrize in (j, l) for SPEC",
        "source_prefactor": "e^3/hbar^2 with k in 1/length, T_{n;mu nu} as on the slide",
        "convention_map": {
            "T": "T_n = -G_n (SPEC band-normalized metric), reading the slide's second "
                 "d_{p_mu} as d_{p_nu}",
            "Omega": "Balents' Berry curvature from A = -i<u|du> = -A(SPEC): Omega^B = -Omega",
            "tau0_part": "-(e^3/hbar^2) int [f'_n (hbar v_i/2) T_jl + f_n (d_j T_il - d_i T_jl)]"
                         " = -(e^3/hbar^2) int f0 [(3/2) d_i G_jl - (1/2)(d_j G_il + d_l G_ij)]"
                         " after integrating f'_n hbar v_i = d_i f_n by parts and symmetrizing",
        },
        "tau_power": [2, 1, 0],
        "t_parity": "tau^2 Drude and tau^0 metric-dipole parts T-odd-allowed as in seed 003; "
                    "tau^1 Berry-curvature-dipole part T-even",
        "p_parity": "odd (rank-3 polar tensor: vanishes with inversion)",
        "dimension": "A V^-2 m^(2-d) (SI); e^3 L^(3-d)/(hbar^2 E) natural",
        "provenance": _PROVENANCE_BALENTS,
        "notes": (
            "Garbled on the slide: (1) T's definition has d_{p_mu} twice; read as mu, nu "
            "(the literal form -(G_mumu + G_nunu)/2 is not a tensor). (2) The first tau^0 "
            "term prints f_n; f_n (hbar v_i/2) T_jl is dimensionally inconsistent with "
            "f_n d_k T_jl (it carries an extra energy), f'_n is consistent: encoded with f'_n. "
            "qgsym (C8f) derives the tau^0 term for a uniform field from the full matrix "
            "Wigner function (= length-gauge density matrix, dressed bands, relaxation of the "
            "band density to f0(h_n + eV)): (a, b) = (1, 1/2) = wpd, i.e. "
            "int f_n [d_i T_jl - d_j T_il] without the f'_n term; the printed tau^0 term "
            "(3/2, 1/2) counts the occupation shift twice (C8f.2 refuted)."),
    }),
    "lapa-hughes": MappingProxyType({
        "key": "lapa-hughes",
        "title": "Current response to an electric-field gradient from the quantum metric",
        "expression_latex": (
            r"j^\mu_{\rm geom}=-\frac{Q^2}{2\hbar}\int\frac{d^DK}{(2\pi)^D}f_0(K)\,"
            r"E_{\nu\lambda}\,\partial_{K_\mu}g^{\nu\lambda}(K),\qquad E_{\nu\lambda}="
            r"\partial_\lambda E_\nu"),
        "expression_plain": "j^mu = -(Q^2/(2 hbar)) int [dK] f0 E_{nu lambda} d_mu g^{nu lambda}",
        "rank": 3,
        "index_convention": "j_i = sigma^(1,1)_{ijl} d_l E_j; sigma^(1,1)_{ijl} = -(e^2/2hbar) "
                            "sum_n int f0 d_i g_n^{jl} (symmetric in j, l)",
        "source_prefactor": "Q^2/(2 hbar), Q the carrier charge (Q^2 = e^2)",
        "convention_map": {"g": "quantum metric g_n^{jl} = Re Q_n^{jl} (SPEC)",
                           "E_{nu lambda}": "d E_nu / d x_lambda (static, curl-free: symmetric)",
                           "slide_form": "seed 001 sigma^(1,1) with "
                                         "f_n (1/2)(v_j T_li + v_l T_ij - d_j g_li - d_l g_ij) "
                                         "- f_n (hbar^2/2)(M_{j;il} + M_{l;ij}) (M undefined "
                                         "in the seed) is the Moyal generalization"},
        "tau_power": [0],
        "t_parity": "T maps k -> -k with eps, g even, so f0 d_i g_jl is odd and the integral "
                    "vanishes in T-symmetric crystals",
        "p_parity": "P maps k -> -k with eps, g even: the integral vanishes with inversion "
                    "(j is P-odd, d_l E_j P-even: a P-odd tensor)",
        "dimension": "A V^-1 m^(2-d) per unit field gradient length (SI)",
        "provenance": {"paper": "M. F. Lapa, T. L. Hughes, Semiclassical wave packet dynamics "
                                "in nonuniform electric fields",
                       "equation": "as quoted on seed 001 slide 'Response to field gradient'",
                       "doi": "10.1103/PhysRevB.99.121111", "journal": "PRB 99, 121111 (2019)"},
        "notes": (
            "Encoded as quoted on the slide (Q, hbar kept); Lapa and Hughes's paper was not "
            "read (abstract only), so this is their 'geometric' current as the seed quotes "
            "it, with f0(K) the unrelaxed equilibrium of the bare bands. qgsym derives the "
            "tau^0 sigma^(1,1) from the exact static Moyal equation for a plane-wave "
            "potential (qgsym.derive.field_gradient, claims C8f.3, C8f.4). A scalar "
            "potential fixes only the longitudinal (fully symmetric) part; the rest can be "
            "changed by magnetization currents. Derived longitudinal parts (e = hbar = 1): "
            "whole Wigner function relaxing to f0(H0): Sym sigma = -Sym int f0 d_i g_jl "
            "(proved by completeness: q.j = e u int sum_n (f_n^- - f_n^+)(1 - |<n+|n->|^2)); "
            "Moyal band kinetics (gauge-invariant f_n relaxing to f0(eps_n), or to f0(h_n + "
            "eV), the same at linear order): Sym sigma = Sym int f0 (v_i T_jl - d_i g_jl), "
            "T = -G; relaxation to the local equilibrium of H0 - eV: no longitudinal current. "
            "This entry's longitudinal part is half the first and differs from the second "
            "(C8f.3 refuted as the tau^0 response). The slide's Moyal generalization "
            "(1/2)(v_j T_li + v_l T_ij - d_j g_li - d_l g_ij), M omitted, has the band-"
            "kinetics longitudinal part (C8f.4 verified)."),
        "derived_readings": {
            "kubo_relaxation_f0(H0)": "Sym_ijl sigma = -(e^2/hbar) Sym int f0 d_i g_jl",
            "moyal_band_kinetics_f0(eps_n)": "Sym_ijl sigma = (e^2/hbar) Sym int f0 "
                                             "(v_i T_jl - d_i g_jl)",
            "local_equilibrium_f0(eps_n - eV)": "Sym_ijl sigma = 0",
        },
    }),
})
