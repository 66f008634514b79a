"""Shared, tested helpers for the analysis of Jinshui District's 2020 government work report."""

__all__ = ["__version__"]
__version__ = "0.1.0"
