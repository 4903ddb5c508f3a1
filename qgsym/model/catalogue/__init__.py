"""The catalogue: model files (TOML data, never code)."""
