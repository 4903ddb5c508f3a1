"""Band structure and band geometry on k grids: kernels, closed forms, sum over states, gap closings, k-space integration, convergence, Chern numbers."""
