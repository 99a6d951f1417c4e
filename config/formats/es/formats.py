# Spanish as written in the United States, where OpenIOP's programs are: a decimal point and a
# thousands comma ("9.5 horas"), as in Mexico, not Spain's "9,5". Django's own Spanish formats
# are used for everything else.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
