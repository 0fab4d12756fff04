#!/bin/sh
# Keeps the Mem0 server in this pod configured: Qdrant as its vector store, Ollama (OpenAI-compatible
# /v1) as its LLM and embedder. Runs beside the server as a sidecar, because the server takes these
# through its admin API (POST /configure), not from its environment.
# - Every time the server (re)starts answering GET /openapi.json, the configuration is posted again:
#   it survives a pod or container restart without a human, whether or not the server persisted it.
# - Marks the pod ready (the file $STATE_DIR/mem0-configured) only while the server runs configured,
#   so the Service never sends requests to a server still on its built-in defaults.
# - Secrets (the admin key, Qdrant's API key) come from the environment and go to curl through
#   files and stdin, never on a command line; the response body is never logged.
# Needs sh, curl, jq, date, sleep, rm.
set -u

: "${MEM0_URL:?set MEM0_URL, e.g. http://127.0.0.1:8000}"
: "${ADMIN_API_KEY:?set ADMIN_API_KEY}"
: "${QDRANT_URL:?set QDRANT_URL}" "${QDRANT_API_KEY:?set QDRANT_API_KEY}"
: "${OLLAMA_BASE_URL:?set OLLAMA_BASE_URL to the OpenAI-compatible /v1 URL of Ollama}"
: "${LLM_MODEL:?set LLM_MODEL}" "${EMBEDDING_MODEL:?set EMBEDDING_MODEL}" "${EMBEDDING_DIMS:?set EMBEDDING_DIMS}"
COLLECTION=${COLLECTION:-mem0}
STATE_DIR=${STATE_DIR:-/tmp}
POLL_SECONDS=${POLL_SECONDS:-5}
READY="$STATE_DIR/mem0-configured"

log() {
  printf '%s configure: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

umask 077
printf 'X-API-Key: %s\n' "$ADMIN_API_KEY" > "$STATE_DIR/headers"

# Mem0's configuration; keys come from jq's environment, not its arguments.
config() {
  jq -cn --arg col "$COLLECTION" --argjson dims "$EMBEDDING_DIMS" --arg llm "$LLM_MODEL" --arg emb "$EMBEDDING_MODEL" '{
    vector_store: {provider: "qdrant", config: {url: $ENV.QDRANT_URL, api_key: $ENV.QDRANT_API_KEY, collection_name: $col, embedding_model_dims: $dims}},
    llm: {provider: "openai", config: {model: $llm, openai_base_url: $ENV.OLLAMA_BASE_URL, api_key: "ollama"}},
    embedder: {provider: "openai", config: {model: $emb, openai_base_url: $ENV.OLLAMA_BASE_URL, api_key: "ollama", embedding_dims: $dims}}
  }'
}

up() {
  curl -fsS --max-time 5 -o /dev/null "$MEM0_URL/openapi.json" 2>/dev/null
}

apply() {
  code=$(config | curl -sS --max-time 120 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "@$STATE_DIR/headers" --data-binary @- "$MEM0_URL/configure" 2>/dev/null)
  [ "$code" = 200 ]
}

rm -f "$READY"
configured=false
while :; do
  date +%s > "$STATE_DIR/heartbeat"
  if up; then
    if [ "$configured" = false ]; then
      if apply; then
        configured=true
        : > "$READY"
        log "configured: vector store qdrant ($COLLECTION, $EMBEDDING_DIMS dims), llm $LLM_MODEL, embedder $EMBEDDING_MODEL via $OLLAMA_BASE_URL"
      else
        log "POST /configure answered ${code:-nothing}; trying again in ${POLL_SECONDS}s"
      fi
    fi
  elif [ "$configured" = true ]; then
    log "the server stopped answering: it will be configured again when it is back"
    configured=false
    rm -f "$READY"
  fi
  sleep "$POLL_SECONDS"
done
