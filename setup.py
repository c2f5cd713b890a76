"""The one compiled part of the package: the gazetteer screen's walk (``pipeline/_screen.c``).

Everything else is in pyproject.toml. The extension is optional: where it cannot be built
(no C compiler), ``normalize.WordScreen`` screens with numpy instead, to the same places.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pipeline._screen", ["pipeline/_screen.c"], optional=True)])
