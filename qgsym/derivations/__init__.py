"""Derivation scripts, one per claim family; each runs alone (``python -m qgsym.derivations.NAME --out DIR``) and from ``qgsym report``."""
