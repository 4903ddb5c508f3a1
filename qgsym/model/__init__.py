"""The model layer: whitelist parser, immutable Bloch models, the catalogue, Wannier90 and PythTB input."""
