"""Response functions on a model (one module per ``qgsym compute`` family): geometric, nonlinear, Kubo, many-level scans."""
