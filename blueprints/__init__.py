"""One blueprint per module, each a folder with routes.py and forms.py."""
