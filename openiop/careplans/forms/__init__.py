"""Forms of the careplans pages, one module per part of the record."""
