"""Generate the synthetic ``atlantic-equity`` scenario for ``matcher``.

The Atlantic pain / substance use / mental health network of ``amn-pain-addiction`` (the same
14 mentors, mentees drawn by the same generator with this scenario's seed), matched under an
``[equity]`` rule on ``region``.  Mentors sit mostly in the larger centres (Halifax, Moncton,
Saint John, St. John's), and the plain optimal matching serves mentees of the rural provinces
(Newfoundland and Labrador above all) less than those of Nova Scotia or New Brunswick; the rule
``mode = "equalise"`` raises the lowest provincial coverage rate as far as it can go.

All people are synthetic.  Usage::

    python scenarios/atlantic-equity/generate.py [--seed 2027] [--out DIR]

The output is deterministic: the same seed always yields byte-identical files.  Only the
standard library is used.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from random import Random

sys.dont_write_bytecode = True  # importing _common must not leave a __pycache__ in scenarios/
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import parse_args, write_outputs  # noqa: E402

DEFAULT_SEED = 2027


def _network() -> object:
    """The Atlantic network's generator (``amn-pain-addiction/generate.py``): beside this
    folder in the repository or the installed package, else the installed package's copy
    (a folder written by ``matcher scenario atlantic-equity`` stands alone)."""
    places = [Path(__file__).resolve().parent.parent / "amn-pain-addiction" / "generate.py"]
    try:
        import matcher

        package = Path(matcher.__file__).resolve().parent
        places += [
            package / "_scenarios" / "amn-pain-addiction" / "generate.py",
            package.parent / "scenarios" / "amn-pain-addiction" / "generate.py",
        ]
    except ImportError:
        pass
    path = next((p for p in places if p.is_file()), None)
    if path is None:
        raise SystemExit(
            "needs the amn-pain-addiction scenario's generate.py (pip install matcher)"
        )
    spec = importlib.util.spec_from_file_location("amn_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    """Generate ``mentors.csv`` and ``mentees.csv`` in the output directory."""
    args = parse_args(argv, doc=__doc__, script=__file__, default_seed=DEFAULT_SEED)
    network = _network()
    rng = Random(args.seed)
    mentors = network.build_mentors()  # type: ignore[attr-defined]
    mentees = network.build_mentees(rng, mentors)  # type: ignore[attr-defined]
    out: Path = args.out
    write_outputs(out, network.COLUMNS, mentors, mentees)  # type: ignore[attr-defined]
    print(f"wrote {len(mentors)} mentors and {len(mentees)} mentees to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
