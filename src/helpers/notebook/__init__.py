"""Notebook support: parameters, labels, plotting and the report functions notebooks call."""
