"""Loading and validating the course's data files.

>>> from russia_china.data import load
>>> figures = load("figures")
"""

from .errors import DataFileError, Problem
from .loading import list_datasets, load, manifest

__all__ = ["DataFileError", "Problem", "list_datasets", "load", "manifest"]
