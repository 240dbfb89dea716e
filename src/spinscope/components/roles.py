"""``roles.v2``: how the article casts each entity (protagonist, antagonist, innocent; 22 fine roles).

The role head reads, from the encoder's one pass, the pooled states of the
words around each mention -- its sentence before and after it, the name
left out -- beside its paragraph's vector and the article's
(:func:`spinscope.entities.assign_roles`), and answers Antagonist unless
it is confident otherwise (a bias chosen by cross-validation); an
entity's role aggregates its mentions'. ``roles.v1`` read the mention's
own tokens, which mostly say who the entity is, not how it is treated.

With ``SPINSCOPE_ROLES=accurate`` (``pip install spinscope[accurate]``) the
heads read all-mpnet-base-v2 states of each mention's window instead
(:mod:`spinscope.entities.accurate`): more accurate, and slower.
"""

from __future__ import annotations

from spinscope.components.base import Component, Work, component

__all__ = ["Roles"]


@component("roles.v2")
class Roles(Component):
    """Fills ``role`` on every entity and mention."""

    requires = ("entities", "encoder")
    assigns = ("roles",)

    def models(self) -> dict[str, str]:
        from spinscope.components.base import model_digest, role_model_dir

        return {"roles": model_digest(str(role_model_dir()))}

    def pipe(self, works: list[Work]) -> None:
        import numpy as np

        model = self.resources.role_model
        if model.accurate:
            self._pipe_accurate(works)
            return
        for work in works:
            if work.entities is None or work.encoded is None:
                work.skipped["roles"] = "English-only"
                continue
            encoded = work.encoded.slim()
            if not work.entities or not encoded:
                continue
            from spinscope.entities import assign_roles

            dim = encoded[0][1].mean.shape[0]
            means = np.zeros((len(work.doc.paragraphs), dim), dtype=np.float32)
            vectors: list[np.ndarray | None] = [None] * len(work.doc.paragraphs)
            for index, out in encoded:
                means[index] = out.mean
                vectors[index] = out.span_vectors
            assign_roles(work.entities, vectors, means, model, article_mean=work.encoded.means().mean(axis=0))

    def _pipe_accurate(self, works: list[Work]) -> None:
        """The accurate heads: every English article's mentions through the mpnet encoder in shared batches."""
        from dataclasses import replace

        from spinscope.entities import aggregate_roles
        from spinscope.entities.accurate import default_mention_encoder
        from spinscope.entities.roles import role_features

        model = self.resources.role_model
        todo = []
        for work in works:
            if work.entities is None or work.encoded is None:
                work.skipped["roles"] = "English-only"
            elif work.entities:
                order = sorted(
                    ((e_i, m_i, m) for e_i, e in enumerate(work.entities) for m_i, m in enumerate(e.mentions)),
                    key=lambda t: (t[2].start, t[2].end),
                )
                todo.append((work, order))
        if not todo:
            return
        rows = default_mention_encoder().features_many(
            [w.doc.text for w, _ in todo], [[(m.start, m.end) for _, _, m in order] for _, order in todo]
        )
        for (work, order), X in zip(todo, rows, strict=True):
            entities = work.entities or []
            parts = {"mpnet_mention": X[:, :768], "mpnet_masked": X[:, 768:]}
            for (e_i, m_i, m), pred in zip(order, model.predict(role_features(model.blocks, parts)), strict=True):
                entities[e_i].mentions[m_i] = replace(m, role=pred)
            for e in entities:
                e.role = aggregate_roles([m.role for m in e.mentions if m.role is not None], model.second_ratio)
