"""qgsym: a symbolic-plus-numeric derivation checker for quantum-geometric transport.

Conventions (see README): natural units e = hbar = k_B = 1 inside, carriers of charge -e,
J_i = sigma_ij E_j + sigma_ijk E_j E_k, [dk] = d^dk/(2 pi)^d.
"""

__version__ = "0.1.0"
