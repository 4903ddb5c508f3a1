"""Formula declarations: what a published expression says, where it comes from, how it maps.

A :class:`Formula` is a declaration (WannierBerri's Formula/Calculator/Result split): it
says *what* to integrate, not how. For the second-order conductivities the integrand is a
linear combination of :class:`Term` objects over three band primitives X:

* ``metric``: the band-normalized quantum metric 𝒢_n^{bc} (symmetric),
* ``curvature``: the Berry curvature Ω_n^{bc} (antisymmetric),
* ``mass``: the inverse-mass tensor ∂_b∂_c ε_n (symmetric),

and a weight: ``f0`` (Fermi sea, the term is ∂_a X^{bc} f₀(ε_n)) or ``f0prime`` (Fermi
surface, the term is v_a X^{bc} f₀'(ε_n)). ``slots`` names which of the response indices
(i, j, k) of σ_ijk sits on the derivative/velocity and on the two tensor slots:
``Term(-1/2, "metric", "jik")`` is −½ ∂_j 𝒢^{ik}. A formula whose source writes its
integrand in another way (a pseudovector Ω_d with Levi-Civita symbols) supplies
``component_builder`` instead; the identity engine (:mod:`qgsym.formulas.identities`) then proves
or refutes its equality with the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy

from qgsym.symmetry.operators import t_parity_from_primitives

E_CHARGE, HBAR, TAU = sympy.symbols("e hbar tau", positive=True)
PRIMITIVES = ("metric", "curvature", "mass")

#: Each primitive X of a rank-3 term as band-geometric factors and explicit k-derivatives:
#: 𝒢^{bc} (metric), Ω^{bc} (curvature), ∂_b∂_c ε (mass); the term's own ∂_a (sea, f₀) or v_a
#: (surface, f₀') adds one k-derivative or one velocity.
TERM_FACTORS = {"metric": (("band_normalized_metric",), 0),
                "curvature": (("berry_curvature",), 0),
                "mass": (("energy",), 2)}


@dataclass(frozen=True)
class Provenance:
    """Where a formula is published, and what of the text was used."""

    paper: str
    equation: str
    doi: str = ""
    arxiv: str = ""
    read_from: str = ""

    def citation(self) -> str:
        parts = [self.paper, self.equation]
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}")
        return "; ".join(p for p in parts if p)


@dataclass(frozen=True)
class Term:
    """One term c · ∂_a X^{bc} (sea) or c · v_a X^{bc} (surface) of a rank-3 integrand."""

    coefficient: sympy.Rational
    primitive: str
    slots: str

    def __post_init__(self):
        if self.primitive not in PRIMITIVES:
            raise ValueError(f"unknown primitive {self.primitive!r}")
        if sorted(self.slots) != ["i", "j", "k"]:
            raise ValueError(f"slots must be a permutation of 'ijk', got {self.slots!r}")
        object.__setattr__(self, "coefficient", sympy.nsimplify(self.coefficient))


@dataclass(frozen=True)
class Formula:
    """A registry entry.

    Attributes
    ----------
    key : str
    title : str
    quantity : str
        ``sigma2`` (rank 3), ``sigma1`` (rank 2), or another ``qgsym compute`` quantity.
    rank : int
    expression_latex, expression_plain : str
        The expression **as published** (source notation).
    source_convention : str
        The source's own prefactor, sign and index conventions.
    convention_map : str
        The explicit map from the source's conventions to qgsym's.
    prefactor : sympy.Expr
        In ``e``, ``hbar``, ``tau`` (our conventions).
    weight : str
        ``f0`` or ``f0prime`` (see module docstring); empty for non-term formulas.
    terms : tuple of Term
    tau_power : int
    t_parity : int
        +1 if the response is even under time reversal, −1 if odd (Onsager / Neumann).
    p_parity : int
        Behaviour under inversion: rank-3 polar tensors are odd (−1).
    dimension : str
        SI dimension of the response for a d-dimensional system.
    assumptions : str
    provenance : Provenance
    notes : str
        Where the seed text is garbled, and what was used instead.
    component_builder : callable, optional
        (i, j, k) -> SymPy expression in integral symbols (see :mod:`qgsym.formulas.identities`).
    """

    key: str
    title: str
    quantity: str
    rank: int
    expression_latex: str
    expression_plain: str
    source_convention: str
    convention_map: str
    prefactor: sympy.Expr
    weight: str
    terms: tuple[Term, ...]
    tau_power: int
    t_parity: int
    p_parity: int
    dimension: str
    assumptions: str
    provenance: Provenance
    notes: str = ""
    component_builder: Callable | None = field(default=None, compare=False)

    def __post_init__(self):
        derived = derived_t_parity(self)
        if derived is not None and derived != self.t_parity:
            raise ValueError(f"formula {self.key}: declared T-parity {self.t_parity:+d}, but its "
                             f"terms give {derived:+d}")

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "quantity": self.quantity,
            "rank": self.rank,
            "expression_latex": self.expression_latex,
            "expression_plain": self.expression_plain,
            "source_convention": self.source_convention,
            "convention_map": self.convention_map,
            "prefactor": str(self.prefactor),
            "weight": self.weight,
            "terms": [[str(t.coefficient), t.primitive, t.slots] for t in self.terms],
            "tau_power": self.tau_power,
            "t_parity": self.t_parity,
            "p_parity": self.p_parity,
            "dimension": self.dimension,
            "assumptions": self.assumptions,
            "provenance": {
                "paper": self.provenance.paper,
                "equation": self.provenance.equation,
                "doi": self.provenance.doi,
                "arxiv": self.provenance.arxiv,
                "read_from": self.provenance.read_from,
                "citation": self.provenance.citation(),
            },
            "notes": self.notes,
        }

    def describe(self) -> str:
        """Plain-text description (``qgsym formulas show KEY``)."""
        data = self.to_json()
        lines = [f"{self.key}: {self.title}", f"  as published (LaTeX): {self.expression_latex}",
                 f"  as published (plain): {self.expression_plain}"]
        for label in ("source_convention", "convention_map", "prefactor", "tau_power",
                      "t_parity", "p_parity", "dimension", "assumptions", "notes"):
            if data[label] not in ("", None):
                lines.append(f"  {label.replace('_', ' ')}: {data[label]}")
        lines.append(f"  source: {self.provenance.citation()}")
        if self.provenance.read_from:
            lines.append(f"  read from: {self.provenance.read_from}")
        return "\n".join(lines)


def _integer(value) -> int:
    """An integer field of a plain entry; free text (e.g. "odd") is kept in notes, 0 here."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return {"even": 1, "odd": -1}.get(str(value).strip().lower(), 0)


def formula_from_entry(entry: dict) -> Formula:
    """Build a non-term :class:`Formula` from a helper module's plain ``ENTRIES`` dict."""
    provenance = entry.get("provenance", {})
    if isinstance(provenance, str):
        provenance = {"paper": provenance, "equation": ""}
    return Formula(
        key=entry["key"],
        title=entry.get("title", entry["key"]),
        quantity=entry.get("quantity", ""),
        rank=int(entry.get("rank", 0) or 0),
        expression_latex=entry.get("expression_latex", ""),
        expression_plain=entry.get("expression_plain", ""),
        source_convention=str(entry.get("source_prefactor", entry.get("source_convention", ""))),
        convention_map=str(entry.get("convention_map", "")),
        prefactor=sympy.S.One,
        weight="",
        terms=(),
        tau_power=_integer(entry.get("tau_power")),
        t_parity=_integer(entry.get("t_parity")),
        p_parity=_integer(entry.get("p_parity")),
        dimension=str(entry.get("dimension", "")),
        assumptions=str(entry.get("assumptions", "")),
        provenance=Provenance(
            paper=str(provenance.get("paper", "")),
            equation=str(provenance.get("equation", "")),
            doi=str(provenance.get("doi", "")),
            arxiv=str(provenance.get("arxiv", provenance.get("arXiv", ""))),
            read_from=str(provenance.get("read_from", "")),
        ),
        notes=str(entry.get("notes", "")),
    )


def term_t_parity(weight: str, primitive: str) -> int:
    """T-parity of one term c·∂_a X^{bc} f₀ (sea) or c·v_a X^{bc} f₀' (surface).

    The parity of X's band-geometric factors times one sign per explicit k-derivative or
    velocity (:func:`qgsym.symmetry.operators.t_parity_from_primitives`).
    """
    names, derivatives = TERM_FACTORS[primitive]
    if weight == "f0prime":
        return t_parity_from_primitives((*names, "velocity", "fermi_derivative"), derivatives)
    return t_parity_from_primitives((*names, "fermi_dirac"), derivatives + 1)


def derived_t_parity(formula: Formula) -> int | None:
    """T-parity of a formula from its terms (None without terms or when they disagree).

    A registry entry declares ``t_parity`` too; :meth:`Formula.__post_init__` refuses an entry
    whose declaration contradicts its terms. (Whether the parity also matches the power of τ,
    p = (−1)^(n_τ + 1), is Onsager's condition: checked for the registry in the tests and
    reported for user formulas, :mod:`qgsym.formulas.user`.)
    """
    parities = {term_t_parity(formula.weight, term.primitive) for term in formula.terms}
    return parities.pop() if len(parities) == 1 else None
