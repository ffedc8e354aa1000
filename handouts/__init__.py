"""Printable patient handouts from YAML content."""
__version__ = "0.1.0"
