"""qpvkg offline core: sources, validation, store build, named queries and the command line."""

__version__ = "0.1.0"
