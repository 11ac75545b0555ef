#!/usr/bin/env bash
# Check the environment, keys and routes. Usage: setup_experiment.sh [bargain setup options]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_bargain.sh"
bargain setup "$@"
