"""Knowledge graph of the 1953 Korean armistice negotiations and the US–ROK Mutual Defense Treaty."""

__version__ = "0.1.0"
