"""News-to-map pipeline: articles about a battle for a city -> gazetteer -> claims -> maps."""

__version__ = "0.1.0"
