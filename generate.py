"""Build every handout in content/ into out/ (the main job); with arguments, the `handouts` command."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from handouts.cli import main  # noqa: E402

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    arguments = sys.argv[1:] or ["build", str(here / "content"), "-o", "out",
                                 "--clinic", str(here / "content" / "clinic.yaml")]
    main(arguments, prog_name="generate.py")
