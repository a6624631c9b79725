"""The ``meia-class`` JupyterHub service: records in-class exercise attempts and shows them live.

Start it with ``python -m meia_cnn.classroom.service`` (the hub does, as a managed
service: see :mod:`meia_cnn.classroom.hubconfig`).  Needs the ``hub`` extra
(jupyterhub, tornado, sqlalchemy).  The parts: :mod:`.storage` (the database and
its migrations) and :mod:`.app` (the HTTP API and the pages).
"""
