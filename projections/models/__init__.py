"""The read models (读模型): one projector per model, and the readers that answer from them.

A new read model goes here: a projector (``name``, ``version``, ``create``, ``apply``), its
readers, and an entry in ``projections.engine.catalog``."""
