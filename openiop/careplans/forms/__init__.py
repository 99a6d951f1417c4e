"""careplans' forms, one module per part of the record (`forms.plans`, ...)."""
