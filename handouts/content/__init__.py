"""Content in: YAML and CSV files read and checked into the validated model."""
