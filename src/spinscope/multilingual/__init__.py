"""Multilingual analysis: techniques, genre and frames for fr, de, it, pl, ru (and English's missing labels).

* :mod:`~spinscope.multilingual.encoder` -- the hash-checked USE-multilingual encoder;
* :mod:`~spinscope.multilingual.model` -- the heads and their per-language thresholds;
* :mod:`~spinscope.multilingual.train` -- joint training on every language's train split;
* :mod:`~spinscope.multilingual.route` -- which paragraphs each model reads, and the analysis it adds.
"""
