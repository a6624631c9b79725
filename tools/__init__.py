"""Build steps of the kit, outside the runtime package (not installed with it).

``python -m tools.slides`` writes the offline decks (``make slides``),
``python -m tools.translate_notebooks`` the Spanish notebooks
(``make notebooks-es``) and ``python -m tools.make_assets`` the photos and
digits shipped in ``meia_cnn/assets``.  Run them from the repository root.
"""
