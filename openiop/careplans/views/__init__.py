"""careplans' pages, one module per part of the record (`views.plans`, ...)."""
