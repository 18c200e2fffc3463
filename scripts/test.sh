#!/usr/bin/env bash
# The one test command (README "Run the tests"): sets up what the suite needs on a
# fresh machine, builds everything, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "test.sh: '$1' is required but not on PATH" >&2; exit 2; }; }
need swift
need kubectl

swift build --build-tests
swift test --skip-build "$@"
