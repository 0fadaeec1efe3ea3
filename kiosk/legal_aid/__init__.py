"""Legal-aid applications at the terminal (法律援助申请; docs/legal_aid.md).

The visit's steps are the feature in ``kiosk.legal_aid.flow`` (registered in
kiosk.bootstrap); the application, its sealing and its receipt have modules of their own.
"""
