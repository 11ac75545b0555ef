#!/usr/bin/env python3
"""Reproduce the bargain report's main plots from runs.csv with pandas + matplotlib.

Written by "bargain collect" / "bargain report" into the results directory.

    python3 visualize_results.py [--results-dir DIR] [--out DIR] [--resamples 2000] [--seed 0]

Plots (PNG, into --out, default <results-dir>/python_plots):
  heatmap_advantage.png   mean advantage (strong - weak utility per run) per (strong, weak) pair
  advantage_vs_level.png  advantage vs competition level, one panel per weak model, a line and
                          95% bootstrap band per strong model
Means equal the HTML report's; the bootstrap intervals use numpy's generator, so their
last digits differ from the report's.
"""
import argparse
import os
import sys


def load_runs(results_dir):
    import pandas as pd

    path = os.path.join(results_dir, "runs.csv")
    if not os.path.exists(path):
        sys.exit(f"{path} not found; run 'bargain collect --results-dir {results_dir}' first")
    runs = pd.read_csv(path)
    runs = runs[runs["role"].isin(["weak", "strong"])]
    keys = ["experiment_id", "run_index", "weak_model", "strong_model", "competition_level"]
    wide = runs.pivot_table(index=keys, columns="role", values="utility", aggfunc="first").dropna().reset_index()
    wide["advantage"] = wide["strong"] - wide["weak"]
    wide = wide.sort_values(["experiment_id", "run_index"])
    weak_order = list(dict.fromkeys(wide["weak_model"]))
    strong_order = list(dict.fromkeys(wide["strong_model"]))
    return wide, weak_order, strong_order


def bootstrap_ci(values, rng, resamples):
    import numpy as np

    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    means = x[rng.integers(0, len(x), size=(resamples, len(x)))].mean(axis=1)
    return (float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))


def heatmap(wide, weak_order, strong_order, out):
    import numpy as np
    import matplotlib.pyplot as plt

    pair = (wide.groupby(["strong_model", "weak_model"])["advantage"].mean()
            .unstack("weak_model").reindex(index=strong_order, columns=weak_order))
    values = pair.to_numpy(dtype=float)
    lim = max(1.0, float(np.nanmax(np.abs(values)))) if np.isfinite(values).any() else 1.0
    fig, ax = plt.subplots(figsize=(1.9 * len(weak_order) + 4, 0.6 * len(strong_order) + 2))
    im = ax.imshow(values, cmap="PuOr_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(len(weak_order)), labels=weak_order, rotation=20, ha="right")
    ax.set_yticks(range(len(strong_order)), labels=strong_order)
    ax.set_xlabel("Weak model")
    ax.set_ylabel("Strong model")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]):
                ax.text(j, i, f"{values[i, j]:.1f}", ha="center", va="center",
                        color="white" if abs(values[i, j]) > 0.6 * lim else "black", fontsize=9)
    fig.colorbar(im, ax=ax, label="Mean advantage (utility points)")
    ax.set_title("Mean advantage of the strong model (strong - weak), all levels")
    path = os.path.join(out, "heatmap_advantage.png")
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return path


def advantage_vs_level(wide, weak_order, strong_order, out, resamples, seed):
    import numpy as np
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(1, len(weak_order), sharey=True, squeeze=False,
                             figsize=(4.4 * len(weak_order) + 2.5, 4.2))
    colors = plt.get_cmap("tab10" if len(strong_order) <= 10 else "tab20")
    for ax, weak in zip(axes[0], weak_order):
        for k, strong in enumerate(strong_order):
            cell = wide[(wide["weak_model"] == weak) & (wide["strong_model"] == strong)]
            if cell.empty:
                continue
            levels, means, los, his = [], [], [], []
            for level, g in cell.groupby("competition_level"):
                lo, hi = bootstrap_ci(g["advantage"], rng, resamples)
                levels.append(level); means.append(g["advantage"].mean()); los.append(lo); his.append(hi)
            c = colors(k % colors.N)
            ax.plot(levels, means, marker="o", color=c, label=strong)
            if len(levels) > 1:
                ax.fill_between(levels, los, his, color=c, alpha=0.15)
            else:
                ax.errorbar(levels, means, yerr=[[means[0] - los[0]], [his[0] - means[0]]], color=c)
        ax.axhline(0, color="#555", linestyle="--", linewidth=1)
        ax.set_title(f"Weak: {weak}")
        ax.set_xlabel("Competition level")
    axes[0][0].set_ylabel("Advantage (utility points, strong - weak)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    for ax in axes[0][1:]:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h); labels.append(l)
    fig.legend(handles, labels, title="Strong model", loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle("Advantage vs competition level (mean and 95% bootstrap CI over runs)")
    fig.tight_layout()
    path = os.path.join(out, "advantage_vs_level.png")
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Plots from a bargain results directory (pandas + matplotlib).")
    ap.add_argument("--results-dir", default=here, help="results directory holding runs.csv (default: this script's directory)")
    ap.add_argument("--out", default=None, help="where to write the PNGs (default: <results-dir>/python_plots)")
    ap.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples for the 95%% bands")
    ap.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    args = ap.parse_args(argv)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import numpy  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as e:
        sys.exit(f"visualize_results.py needs pandas and matplotlib ({e}); install them: pip install pandas matplotlib")
    wide, weak_order, strong_order = load_runs(args.results_dir)
    if wide.empty:
        sys.exit("runs.csv has no completed runs with a weak and a strong seat yet; nothing to plot")
    out = args.out or os.path.join(args.results_dir, "python_plots")
    os.makedirs(out, exist_ok=True)
    for p in (heatmap(wide, weak_order, strong_order, out),
              advantage_vs_level(wide, weak_order, strong_order, out, args.resamples, args.seed)):
        print(f"wrote {p}")


if __name__ == "__main__":
    main()
