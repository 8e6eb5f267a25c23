"""The pages of a book: each a widget over the same services as the CLI."""
