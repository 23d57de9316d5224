"""Bare django-viewflow 2.4, the peer of bench/peers.py: its own settings, app and flow, nothing of 医养通办."""
