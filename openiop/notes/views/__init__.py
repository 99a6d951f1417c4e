"""Pages of the notes app, one module per kind of note (progress notes in `progress`)."""
