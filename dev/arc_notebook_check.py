"""Dev check (not part of the test suite): runs the reference notebook's ARC scorer
(sapientinc/HRM arc_eval.ipynb, read from a checkout; nothing of it is copied here) on
step_N_all_preds.<rank> files, e.g. the ones `deno task eval-arc --write-official DIR`
writes, and prints its k-shot lines, to set beside our `pass@k_all_tests`.

    python3 dev/arc_notebook_check.py HRM_CHECKOUT DATASET_DIR CHECKPOINT_PREFIX [--perturb OUT_DIR]

DATASET_DIR is the built ARC folder (its identifiers.json), CHECKPOINT_PREFIX the path
without `_all_preds.<rank>` (e.g. official/step_0). Needs torch and numpy; numba,
matplotlib and pydantic are stubbed (the notebook only decorates `crop` with njit, see
below, and plots when asked to). With --perturb, it first rewrites the files as torch would from
the reference's evaluate: random bf16 logits (seeded) whose argmax is the saved one in
most rows, q_continue_logits added, rows split over two ranks, into OUT_DIR, then
scores those (for the reverse check: our scorer on torch-written files). It also prints,
per test input, the top two (votes, mean sigmoid(q_halt)) of the notebook's ranking.
"""
import json
import os
import sys
import types

hrm, dataset, prefix = sys.argv[1:4]
sys.path.insert(0, hrm)
import numpy as np  # noqa: E402

# numba compiles `crop`'s `grid[...] - 2` on an int32 grid to int64 (no value-based
# casting); plain NumPy keeps int32. The notebook hashes `tobytes()`, and the inverse
# colour map (np.argsort, int64) makes augmented grids int64, so the stub must return
# int64 too, or no augmented row matches its test input.
sys.modules["numba"] = types.SimpleNamespace(njit=lambda f: lambda *a: f(*a).astype(np.int64))
mpl = types.ModuleType("matplotlib")
mpl.pyplot = types.ModuleType("matplotlib.pyplot")
mpl.colors = types.SimpleNamespace(ListedColormap=lambda c: c)
sys.modules.update({"matplotlib": mpl, "matplotlib.pyplot": mpl.pyplot, "matplotlib.colors": mpl.colors})
sys.modules["pydantic"] = types.SimpleNamespace(BaseModel=object)

import torch  # noqa: E402

if "--perturb" in sys.argv:
    out = sys.argv[sys.argv.index("--perturb") + 1]
    os.makedirs(out, exist_ok=True)
    from glob import glob

    parts = [torch.load(f) for f in sorted(glob(f"{prefix}_all_preds.*"))]
    d = {k: torch.cat([p[k] for p in parts]) for k in parts[0]}
    g = torch.Generator().manual_seed(0)
    n, s, v = d["logits"].shape
    noise = torch.randn((n, s, v), generator=g)
    keep = torch.rand((n, 1, 1), generator=g) < 0.8  # 80% of rows keep their prediction
    logits = torch.where(keep, d["logits"].float() * 4 + noise, noise)
    d["logits"] = logits.to(torch.bfloat16)
    d["q_continue_logits"] = torch.randn(n, generator=g)
    half = n // 2
    step = os.path.basename(prefix)
    for rank, sl in enumerate([slice(0, half), slice(half, n)]):
        torch.save({k: t[sl].clone() for k, t in d.items()}, os.path.join(out, f"{step}_all_preds.{rank}"))
    prefix = os.path.join(out, step)

nb = json.load(open(os.path.join(hrm, "arc_eval.ipynb")))
code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
code = code.replace("test(visualize=False)", "")
env = {"__name__": "notebook"}
exec(compile(code, "<arc_eval.ipynb code cells>", "exec"), env)
env["DATASET_PATH"] = dataset
env["CHECKPOINT_PATH"] = prefix
# Record every ranked answer list the notebook builds (its `sorted(p_map.items(), ...)`),
# to set beside score.json's per-test votes and mean sigmoid(q_halt).
ranked = []
env["sorted"] = lambda items, **kw: ranked.append(sorted(items, **kw)) or ranked[-1]
env["test"](visualize=False)
for r in ranked:
    print("ranked", json.dumps([[v[0], round(float(v[1]), 6)] for _, v in r[:2]]))
