#!/bin/sh
# Runs Herald under heaptrack's preload library, for `herald-bench --herald-bin`:
#   HT_REAL_BIN=build/release/app/herald HT_RAW_OUT=/tmp/herald.raw \
#     herald-bench --herald-bin bench/heaptrack_herald.sh --identities 1000 --events 10000
# The process keeps Herald's pid (exec), so herald-bench stops it as usual. Then:
#   heaptrack_interpret < /tmp/herald.raw | gzip > herald.gz   (in heaptrack's libexec)
#   heaptrack_print -f herald.gz | grep 'calls to allocation functions'
# (HT_* rather than HERALD_*: Herald refuses unknown HERALD_* variables.)
set -eu
: "${HT_REAL_BIN:?path of the herald binary}"
: "${HT_RAW_OUT:?path of the raw heaptrack trace to write}"
lib="$(dirname "$(readlink -f "$(command -v heaptrack)")")/../lib/heaptrack/libheaptrack_preload.so"
exec env LD_PRELOAD="$lib" DUMP_HEAPTRACK_OUTPUT="$HT_RAW_OUT" "$HT_REAL_BIN" "$@"
