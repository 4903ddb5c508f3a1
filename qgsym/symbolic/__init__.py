"""Symbolic machinery shared by the derivation engines: the Moyal star product and Taylor jets."""
