"""Searching complaints in Chinese (and anything else): see README, "Search"."""

from complaints.search.sources import search_source_register

__all__ = ["search_source_register"]
