"""Where the test data lives (see tests/data/README.md)."""

from pathlib import Path

TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"
REPORTS_DIR = DATA_DIR / "reports"
BAD_DIR = REPORTS_DIR / "bad"
ESSEX = TESTS_DIR.parent / "data" / "reports" / "essex-2016-effectiveness.txt"
WESSEX = REPORTS_DIR / "wessex-2016-effectiveness.txt"
WESSEX_KEY = REPORTS_DIR / "wessex-2016-effectiveness.gold.yaml"
CAUSE_OF_CONCERN = REPORTS_DIR / "mercia-2016-cause-of-concern.txt"
LYONESSE_2017 = REPORTS_DIR / "lyonesse-2017-effectiveness.txt"
LYONESSE_2017_KEY = REPORTS_DIR / "lyonesse-2017-effectiveness.gold.yaml"
ELMET_2017 = REPORTS_DIR / "elmet-2017-effectiveness.txt"
ELMET_2017_KEY = REPORTS_DIR / "elmet-2017-effectiveness.gold.yaml"
