"""Shared helpers for the course 'Russia–China Relations: Partners with Limits'.

Lessons import from here so that data loading, validation and chart plumbing
live in one place, while the pandas and seaborn work stays in the notebooks.
"""

__version__ = "0.1.0"
