"""Views of the staff console, one module per part; every view says which roles may use it."""
