"""Procedural task families with proven answers; see :mod:`generators.base` for the contract."""
