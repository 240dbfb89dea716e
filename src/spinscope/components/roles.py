"""``roles.v2``: how the article casts each entity (protagonist, antagonist, innocent; 22 fine roles).

The role head reads, from the encoder's one pass, the pooled states of the
words around each mention -- its sentence before and after it, the name
left out -- beside its paragraph's vector and the article's
(:func:`spinscope.entities.assign_roles`), and answers Antagonist unless
it is confident otherwise (a bias chosen by cross-validation); an
entity's role aggregates its mentions'. ``roles.v1`` read the mention's
own tokens, which mostly say who the entity is, not how it is treated.
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
        from spinscope.components.base import model_digest
        from spinscope.entities.roles import DEFAULT_ROLES_DIR

        return {"roles": model_digest(str(DEFAULT_ROLES_DIR))}

    def pipe(self, works: list[Work]) -> None:
        import numpy as np

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
            assign_roles(work.entities, vectors, means, self.resources.role_model, article_mean=work.encoded.means().mean(axis=0))
