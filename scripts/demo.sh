#!/usr/bin/env bash
# The main job: set up, build the demo ledger from the seed cases, print each book's trial
# balance, the property company's remuneration and gift, the village's 3331 distribution, the
# owners' meeting that approved next year's budget and the participatory budget, print every
# public notice of November and December 2024 into build/notices/ (PDF and Excel), and verify
# the whole ledger; then open the desktop app on the demo ledger (when there is a display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p build
rm -f build/demo.sqlite build/demo.sqlite-wal build/demo.sqlite-shm
gz=.venv/bin/gongzhang
$gz demo build/demo.sqlite
for book in 1 2 3; do
    echo
    $gz balance build/demo.sqlite --book "$book"
done
echo
$gz remuneration build/demo.sqlite --book 2
echo
$gz statement build/demo.sqlite --book 3 --period 2024
for vote in 1 2; do
    echo
    $gz vote result build/demo.sqlite "$vote"
done
echo
rm -rf build/notices
$gz report build/demo.sqlite --all --period 2024-11 -o build/notices
$gz report build/demo.sqlite --all --period 2024-12 -o build/notices
echo
$gz verify build/demo.sqlite
echo
echo "The demo's users (admin, li.kuaiji, wang.shenhe, zhao.weiyuan, chen.shenji) all have the password gongzhang-demo."
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec $gz gui build/demo.sqlite --user admin
else
    echo "No display here: open the app on the demo with  $gz gui build/demo.sqlite --user admin"
fi
