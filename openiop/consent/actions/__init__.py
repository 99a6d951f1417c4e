"""Writes of the consent app, one module per subject."""
