"""Interactive network views: standalone HTML pages that open offline in any browser.

The views draw the graph of docs/graph.md with vis-network, the network library that pyvis
ships (inlined from the pyvis package, so no page loads anything from the network), on our own
templates. The stages, one module each: `data` reads the graph (queries/*.rq) into the records
of `model`; `entities` indexes them; one module per view (`overview`, `initiatives_afis`,
`partners`, `questions`, `focus`) picks the nodes and their levels; `layout` orders the levels;
`network`, `detail` and `index_page` render the pages; `build` writes them.
"""

from peelkg.views.build import build_views
from peelkg.views.data import read_store, read_view_data
from peelkg.views.model import ViewError
from peelkg.views.plan import MAIN_VIEWS, VIEW_NAMES, plan_views
from peelkg.views.screenshots import CHROMIUM, CHROMIUM_ARGS, save_screenshots

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "MAIN_VIEWS", "VIEW_NAMES", "ViewError", "build_views", "plan_views",
           "read_store", "read_view_data", "save_screenshots"]
