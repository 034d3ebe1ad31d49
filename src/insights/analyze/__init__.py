"""Themes and how they move over time: a taxonomy, discovered themes, and trends.

>>> from insights.store import Store
>>> store = Store(":memory:")
>>> topic_themes(store).empty, theme_month_table(store).empty
(True, True)

* :mod:`.taxonomy`: the user's themes from ``data/themes.toml`` (names, aliases, patterns);
* :mod:`.discover`: :class:`ThemeModel`, TF-IDF + NMF as a scikit-learn estimator;
* :mod:`.assign`: per-topic assignments kept in the store (:func:`topic_themes`);
* :mod:`.trends`: pandas tables of themes per month, emerging, fading, co-occurrence.
"""

from .assign import theme_catalog, topic_documents, topic_themes, update_themes
from .discover import ThemeModel
from .taxonomy import Taxonomy, load_taxonomy
from .trends import (Archive, cooccurrence, emerging, fading, first_last_seen, month_summary,
                     theme_month_table)

__all__ = ["ThemeModel", "Taxonomy", "load_taxonomy", "topic_themes", "topic_documents", "theme_catalog",
           "update_themes", "Archive", "theme_month_table", "first_last_seen", "emerging", "fading",
           "cooccurrence", "month_summary"]
