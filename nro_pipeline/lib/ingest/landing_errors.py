"""The two ways reading a landing file stops: a file refused, or the fast CSV path stepping aside."""

from __future__ import annotations


class LandingError(Exception):
    """A landing file that cannot be read; the message is meant for the person who delivered it."""


class FastPathUnavailable(Exception):
    """Arrow's CSV parser cannot vouch for this file: read it again row by row (`fast=False`)."""
