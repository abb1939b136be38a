"""Entry point (``streamlit run app.py``): the home page "/", which is the first page of the menu in its frame.

Every other page is a file in pages/ that Streamlit serves at its own name (``pages/upload.py`` at ``/upload``),
straight away on a freshly started server; each runs the same frame (ui/shell.py: page config, first-start
seeding, language, sign-in gate, menu, shared sidebar) through its first call, ``ui.auth.require_viewer()``.
"""

from ui import shell

shell.frame(shell.HOME)
