# Sourced by the seed-named scripts: runs the bargain CLI from any working directory.
# Results paths stay relative to the caller's directory (default experiments/results/scaling_experiment).
BARGAIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bargain() { node "$BARGAIN_ROOT/bin/bargain.mjs" "$@"; }
