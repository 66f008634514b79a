"""Sources: read report texts and their curated tables (text, numbers, annotate, registry, figures, reference)."""
