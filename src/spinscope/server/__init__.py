"""``spinscope serve``: the web app and REST API over the pipeline and the corpus store."""
