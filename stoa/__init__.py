"""Stoa: publishing and moderated discussion for a professional-education magazine."""
