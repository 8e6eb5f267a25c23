#!/usr/bin/env bash
# The main job: set up, build the demo ledger from the seed cases, print its trial balances and
# verify it. (Later this opens the desktop app on the demo.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p build
rm -f build/demo.sqlite build/demo.sqlite-wal build/demo.sqlite-shm
.venv/bin/gongzhang demo build/demo.sqlite
for book in 1 2 3; do
    echo
    .venv/bin/gongzhang balance build/demo.sqlite --book "$book"
done
echo
.venv/bin/gongzhang verify build/demo.sqlite
