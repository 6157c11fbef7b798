"""The API's base classes; every app's `api.py` builds on them, `casework/api/` only routes.

Separate modules because settings name the permission and pagination classes by dotted
path: DRF imports them while it builds `APIView`, so they must not import `rest_framework.views`.
"""
