"""The desktop app (PySide6): a main window over the same services as the command line.

Conventions (DESIGN.md): Qt models hold plain rows, never ORM objects; database work runs on one
worker thread, one session per job (:mod:`desktop.app.database`); every refusal reaches the user
through one presenter (:mod:`desktop.app.errors`)."""
