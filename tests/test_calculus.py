"""The Euler operator (qgsym.symbolic.calculus): one-line identities of variational calculus."""

import sympy

from qgsym.symbolic.calculus import euler_operator

x, y = sympy.symbols("x y", real=True)
u, v, a = (sympy.Function(name)(x, y) for name in ("u", "v", "a"))
f0 = sympy.Function("f0")


def test_a_total_derivative_has_no_euler_derivative():
    assert euler_operator(sympy.diff(u * v**2 + u.diff(y) * v, x), u) == 0


def test_dirichlet_energy_gives_minus_the_laplacian():
    energy = (u.diff(x) ** 2 + u.diff(y) ** 2) / 2
    assert euler_operator(energy, u) == sympy.expand(-u.diff(x, 2) - u.diff(y, 2))


def test_a_field_inside_a_function_is_differentiated_by_the_chain_rule():
    assert euler_operator(f0(u) * v, u) == sympy.expand(v * f0(u).diff(u).doit())


def test_the_kernel_of_a_linear_functional_moves_every_derivative_by_parts():
    # ∫ a u_xy = ∫ u a_xy: the kernel of a linear integrand
    assert euler_operator(a * u.diff(x, y), u) == sympy.expand(a.diff(x, y))
