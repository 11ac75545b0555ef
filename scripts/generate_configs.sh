#!/usr/bin/env bash
# Write the grid's configs (default: the 300-experiment seed grid). Usage: generate_configs.sh [bargain generate options]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_bargain.sh"
bargain generate "$@"
