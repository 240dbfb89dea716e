"""Genre (reporting / opinion / satire) from an article's form and its multilingual vector.

:mod:`~spinscope.genre.features` counts the form cues, :mod:`~spinscope.genre.model`
holds the head, :mod:`~spinscope.genre.train` fits it on six languages' training articles.
"""
