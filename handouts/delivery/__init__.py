"""Delivery: PDF bytes in; files, reports, print files and email out."""
