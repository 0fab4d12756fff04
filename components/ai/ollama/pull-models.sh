#!/bin/sh
# Pulls every model in $MODELS (space-separated name:tag) into the Ollama server at $OLLAMA_URL, as
# the model-pull Job runs it after every change of the stack's model list.
# - Idempotent: a model Ollama already has (POST /api/show answers 200) is skipped, so a rerun of the
#   Job over a warm volume downloads nothing.
# - Resumable: Ollama keeps the blobs of an interrupted pull and a new POST /api/pull continues them;
#   a failed or cut-off attempt is retried ($RETRIES attempts, $RETRY_SECONDS apart).
# - Progress in the log: each layer's status, and its download every 10 %.
# Needs sh, curl, jq, date, sleep. Exit 0 only when every model is present.
set -u

: "${OLLAMA_URL:?set OLLAMA_URL, e.g. http://ollama.homelab.svc.cluster.local:11434}"
: "${MODELS:?set MODELS to the space-separated models to pull}"
RETRIES=${RETRIES:-5}
RETRY_SECONDS=${RETRY_SECONDS:-10}
WAIT_SECONDS=${WAIT_SECONDS:-600}
POLL_SECONDS=${POLL_SECONDS:-2}
# A pull that sends nothing for this long is cut off and retried.
STALL_SECONDS=${STALL_SECONDS:-300}
OUTCOME="${TMPDIR:-/tmp}/ollama-pull.$$"
SEP=$(printf '\037')

log() {
  printf '%s pull: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

wait_for_ollama() {
  deadline=$(($(date +%s) + WAIT_SECONDS))
  until curl -fsS --max-time 5 -o /dev/null "$OLLAMA_URL/api/version" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "Ollama at $OLLAMA_URL did not answer /api/version within ${WAIT_SECONDS}s"
      return 1
    fi
    sleep "$POLL_SECONDS"
  done
}

# Whether Ollama already has the model.
present() {
  code=$(curl -sS -o /dev/null --max-time 30 -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "$(jq -cn --arg m "$1" '{model: $m}')" "$OLLAMA_URL/api/show" 2>/dev/null)
  [ "$code" = 200 ]
}

# One streamed pull; succeeds only when Ollama's last word was "success".
pull_once() {
  : > "$OUTCOME"
  curl -sS -N --speed-limit 1 --speed-time "$STALL_SECONDS" -X POST -H 'Content-Type: application/json' \
    -d "$(jq -cn --arg m "$1" '{model: $m, stream: true}')" "$OLLAMA_URL/api/pull" \
    | jq -r --unbuffered '[.status // "", (.completed // 0 | tostring), (.total // 0 | tostring), .error // ""] | join("\u001f")' \
    | {
      last=""
      shown=-1
      while IFS="$SEP" read -r status completed total error; do
        if [ -n "$error" ]; then
          log "$1: error: $error"
          printf 'error\n' > "$OUTCOME"
          continue
        fi
        [ "$status" != "$last" ] && shown=-1
        if [ "$total" -gt 0 ] 2>/dev/null; then
          pct=$((completed * 100 / total))
          step=$((pct / 10 * 10))
          if [ "$step" -gt "$shown" ]; then
            log "$1: $status $pct% ($completed of $total bytes)"
            shown=$step
          fi
        elif [ "$status" != "$last" ]; then
          log "$1: $status"
        fi
        last=$status
        [ "$status" = success ] && printf 'success\n' > "$OUTCOME"
      done
    }
  [ "$(cat "$OUTCOME")" = success ]
}

wait_for_ollama || exit 1
failed=""
for model in $MODELS; do
  if present "$model"; then
    log "$model: already present, skipped"
    continue
  fi
  attempt=1
  while :; do
    log "$model: pulling (attempt $attempt of $RETRIES)"
    if pull_once "$model" && present "$model"; then
      log "$model: pulled"
      break
    fi
    if [ "$attempt" -ge "$RETRIES" ]; then
      log "$model: failed after $RETRIES attempts"
      failed="$failed $model"
      break
    fi
    attempt=$((attempt + 1))
    log "$model: attempt failed; the next one resumes what was downloaded, in ${RETRY_SECONDS}s"
    sleep "$RETRY_SECONDS"
  done
done
rm -f "$OUTCOME"
if [ -n "$failed" ]; then
  log "not pulled:$failed"
  exit 1
fi
log "every model is present: $MODELS"
