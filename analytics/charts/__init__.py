"""Pure chart builders: DataFrame -> plotly Figure. No data access, no streamlit (pages render, ui/charts.py shows).

``common`` holds the house conventions every chart follows: the Okabe–Ito palette, markers and patterns so
no meaning rests on colour alone, the Japanese font, a title that says what and when, axis units, and the
source / as-of note. ``overview`` and ``progress`` build the charts of those pages.
"""
