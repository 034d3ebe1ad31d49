"""The spaCy pipeline: blank English, lookup lemmas, and the insights rule components.

>>> nlp = build_pipeline()
>>> nlp.pipe_names
['insights_people', 'insights_actions', 'insights_decisions']

Lemmas come from spacy-lookups-data's English lookup table through
:func:`insights.extract.lexicon.lemma` rather than a lemmatizer component: the components
only ask for the lemma of the few tokens next to a name, so lemmatising every token of
every note would cost time for nothing.

With ``model`` naming an installed trained pipeline (``[nlp] model`` in settings), that
pipeline's tokenizer and NER run first and its ``PERSON`` entities are offered to the
people component as names the rules do not know. Nothing is downloaded: a model that is
not installed is an error the user can act on.
"""

from __future__ import annotations

import functools

from ..errors import InsightsError

__all__ = ["build_pipeline", "shared_pipeline"]


def build_pipeline(model: str = ""):
    """A fresh pipeline (the blank English one unless ``model`` names an installed pipeline)."""
    import spacy

    from . import components  # noqa: F401  (registers the factories)

    if model:
        try:
            nlp = spacy.load(model, exclude=["parser", "textcat", "textcat_multilabel", "senter"])
        except OSError:
            raise InsightsError(
                f"spaCy pipeline {model!r} is not installed; install it with pip or set [nlp] model = \"\" "
                "in insights.toml to use the rules alone") from None
        for name in list(nlp.pipe_names):
            if name not in ("tok2vec", "transformer", "ner"):
                nlp.remove_pipe(name)
    else:
        nlp = spacy.blank("en")
    nlp.add_pipe("insights_people")
    nlp.get_pipe("insights_people").with_ner = nlp.has_pipe("ner")
    nlp.add_pipe("insights_actions")
    nlp.add_pipe("insights_decisions")
    try:
        from .lexicon import lemma

        lemma("offered")  # the components read lemmas from spacy-lookups-data's lookup table
    except Exception as exc:  # pragma: no cover - spacy-lookups-data missing
        raise InsightsError(f"cannot load English lemmas ({exc}); install spacy-lookups-data") from None
    return nlp


@functools.lru_cache(maxsize=4)
def shared_pipeline(model: str = ""):
    """One pipeline per model for the whole process (building one costs about a second)."""
    return build_pipeline(model)
