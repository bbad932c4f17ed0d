"""CareLine: cross-cutting pieces (settings, logging, texts, command line)."""

__version__ = "0.1.0"
