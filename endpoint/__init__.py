"""qpvkg HTTP shell over the store."""
