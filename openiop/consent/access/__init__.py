"""The consent app's gates, one module per subject."""
