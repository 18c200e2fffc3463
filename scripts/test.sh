#!/usr/bin/env bash
# The one test command (README "Run the tests"): sets up what the suite needs on a
# fresh machine, builds everything, and runs every test.
#   - airbyte-source-faker from PyPI in a virtual environment (.build-venv/)
#   - a PostgreSQL server on a free loopback port (.build-pg/), stopped on exit
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "test.sh: '$1' is required but not on PATH" >&2; exit 2; }; }
need swift
need kubectl
need python3

# The real PyPI connector the end-to-end tests run. Installed once per checkout.
venv=.build-venv
if [ ! -x "$venv/bin/source-faker" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check airbyte-source-faker
fi
export FERRY_TEST_CONNECTOR_PATH="$PWD/$venv/bin"

pgdir=.build-pg
scripts/postgres.sh stop "$pgdir" 2>/dev/null || true
FERRY_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export FERRY_TEST_POSTGRES_URL
trap 'scripts/postgres.sh stop "$pgdir"' EXIT
# Tests that need PostgreSQL or the PyPI connector fail (rather than skip) when this is set.
export FERRY_TEST_REQUIRE_EXTERNAL=1

swift build --build-tests
if [ "$#" -gt 0 ]; then
    swift test --skip-build "$@"
    exit
fi
# Four phases, so tests that spawn many processes never starve the timing-sensitive
# ones on a 2-core machine: unit and integration tests; the end-to-end tests (ferry dev,
# ferry apiserver/node/operator processes, real kubectl); the 1,000-Sync pool capacity
# test and the chaos suite (docs/chaos.md), each of which takes the machine for a few
# minutes (without their variables phases 1 and 2 skip them).
swift test --skip-build --skip 'KubectlTests|PoolCapacityAtScaleTests'
swift test --skip-build --filter KubectlTests
FERRY_TEST_SCALE=1 swift test --skip-build --filter PoolCapacityAtScaleTests
FERRY_TEST_CHAOS=1 swift test --skip-build --filter ChaosTests
