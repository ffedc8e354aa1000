"""Rendering: the validated model in, PDF bytes out; the only part of the package that imports ReportLab."""
