"""The desktop application (PySide6) and the command line (``desktop.cli``, no Qt)."""
