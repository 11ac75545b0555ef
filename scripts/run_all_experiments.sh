#!/usr/bin/env bash
# The whole pipeline: check → generate → run → collect.
# Usage: run_all_experiments.sh [--parallel N] [--dry-run] [--help] [any bargain all option, e.g. --grid demo]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_bargain.sh"
for a in "$@"; do [[ "$a" == "--help" || "$a" == "-h" ]] && { bargain all --help; exit 0; }; done
bargain all "$@"
