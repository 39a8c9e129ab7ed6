# Sourced by build-worker.sh. Turns ninja's "[done/total] ..." lines into a
# progress line on stderr every PROGRESS_INTERVAL seconds, because a first build
# takes minutes and a silent terminal looks hung. The full output goes to a log.

PROGRESS_INTERVAL="${PROGRESS_INTERVAL:-10}"

# human_duration SECONDS -> "2 min" / "40 s"
human_duration() {
  if (($1 >= 90)); then echo "$((($1 + 30) / 60)) min"; else echo "$1 s"; fi
}

# report_ninja_progress LOG_FILE < ninja output
# The estimate assumes the remaining steps take as long on average as the ones
# done so far (compile steps dominate, and ninja interleaves large and small ones).
report_ninja_progress() {
  local log_file=$1 line done total elapsed
  local started=$SECONDS last_report=$SECONDS
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$log_file"
    [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
    done=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
    ((SECONDS - last_report >= PROGRESS_INTERVAL && done > 0)) || continue
    last_report=$SECONDS
    elapsed=$((SECONDS - started))
    printf '[build-worker] %d/%d (%d%%), about %s left\n' "$done" "$total" \
      $((100 * done / total)) "$(human_duration $((elapsed * (total - done) / done)))" >&2
  done
}
