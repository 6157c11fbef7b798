"""Test helpers shared by every app: personas, the `world` fixture, query counting.

Outside the apps' import order (like settings and urls): personas need accounts' models, so
they cannot live in core. Only tests import this package.
"""
