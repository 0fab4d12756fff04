#!/bin/sh
# discovery-sidecar.sh — keeps the postgres-primary EndpointSlice pointing at the running primary.
#
# Runs next to Patroni in every PostgreSQL member. Each poll asks this member's own Patroni
# `GET /primary` and looks only at the HTTP status code: 200 means "this member holds the leader lock
# and is the running primary"; anything else (503, a timeout, connection refused) means it is not.
# Role names are never parsed: they differ between Patroni versions ("master" vs "primary").
#
# Why an EndpointSlice (discovery.k8s.io/v1) and not an Endpoints object: Kubernetes deprecates the
# v1 Endpoints API in favour of EndpointSlices, and kube-proxy reads only slices. The Service
# postgres-primary has no selector; Pulumi creates one slice named postgres-primary with the labels
# kubernetes.io/service-name=postgres-primary and endpointslice.kubernetes.io/managed-by set to our
# own value (so the EndpointSlice controller never touches it), its ports, and an empty endpoint
# list. This script patches only `endpoints`:
#   - primary:      merge patch endpoints = [this pod's IP] when the slice does not already say so
#                   (checked every poll, so a slice reset by a later `pulumi up` is repaired);
#   - not primary:  if the slice names this pod's IP, a JSON patch whose `test` op requires the first
#                   address to still be this IP, then empties the list. If a new leader has claimed
#                   the slice in between, the test fails and its address is left alone.
# A failed patch is logged and retried at the next poll. Credentials: kubectl uses the pod's service
# account (in-cluster config), nothing secret is ever on a command line. Its Role may only get and
# patch this one EndpointSlice (resourceNames).
#
# Environment:
#   POD_IP         this pod's IP (downward API status.podIP), required
#   NAMESPACE      namespace of the slice (default: the service account's namespace)
#   PATRONI_URL    this member's Patroni REST API (default http://127.0.0.1:8008)
#   SLICE_NAME     EndpointSlice name (default postgres-primary)
#   POLL_INTERVAL  seconds between polls (default 2; fractions allowed where sleep supports them)
#   HTTP_TIMEOUT   seconds one Patroni request may take (default 2)
#   POD_NAME       optional; recorded as the endpoint's targetRef
#   KUBECTL        kubectl command (default kubectl; tests swap in a recorder)

set -u

PATRONI_URL=${PATRONI_URL:-http://127.0.0.1:8008}
SLICE_NAME=${SLICE_NAME:-postgres-primary}
POLL_INTERVAL=${POLL_INTERVAL:-2}
HTTP_TIMEOUT=${HTTP_TIMEOUT:-2}
KUBECTL=${KUBECTL:-kubectl}
POD_IP=${POD_IP:-}
POD_NAME=${POD_NAME:-}
SA_NAMESPACE_FILE=/var/run/secrets/kubernetes.io/serviceaccount/namespace
if [ -z "${NAMESPACE:-}" ] && [ -r "$SA_NAMESPACE_FILE" ]; then
  NAMESPACE=$(cat "$SA_NAMESPACE_FILE")
fi
NAMESPACE=${NAMESPACE:-}
RESOURCE=endpointslices.v1.discovery.k8s.io

log() {
  printf '%s discovery[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$POD_IP" "$*"
}

die() {
  log "fatal: $*"
  exit 2
}

is_number() {
  case $1 in
    '' | . | *[!0-9.]* | *.*.*) return 1 ;;
  esac
  return 0
}

# Inputs end up inside JSON patches: accept only what they can legitimately be.
case $POD_IP in
  '' | *[!0-9.]*) die "POD_IP must be this pod's IPv4 address, got '$POD_IP'" ;;
esac
case $NAMESPACE in
  '' | *[!a-z0-9-]*) die "NAMESPACE must be a Kubernetes namespace name, got '$NAMESPACE'" ;;
esac
case $SLICE_NAME in
  '' | *[!a-z0-9.-]*) die "SLICE_NAME must be a Kubernetes object name, got '$SLICE_NAME'" ;;
esac
case $POD_NAME in
  *[!a-z0-9.-]*) die "POD_NAME must be a Kubernetes object name, got '$POD_NAME'" ;;
esac
is_number "$POLL_INTERVAL" || die "POLL_INTERVAL must be a number of seconds, got '$POLL_INTERVAL'"
is_number "$HTTP_TIMEOUT" || die "HTTP_TIMEOUT must be a number of seconds, got '$HTTP_TIMEOUT'"
# Without curl every poll would read as "not primary": refuse to start instead.
command -v curl >/dev/null 2>&1 || die "curl is not installed in this image"
command -v "${KUBECTL%% *}" >/dev/null 2>&1 || die "'${KUBECTL%% *}' (KUBECTL) is not installed in this image"

sleeper=
on_term() {
  if [ -n "$sleeper" ]; then
    kill "$sleeper" 2>/dev/null
  fi
  log "stopping on signal; the EndpointSlice is left as it is (the next leader claims it)"
  exit 0
}
trap on_term TERM INT

# 0 when this member's Patroni answers 200 on /primary, 1 otherwise (including no answer at all).
is_primary() {
  code=$(curl --silent --output /dev/null --write-out '%{http_code}' \
    --connect-timeout 1 --max-time "$HTTP_TIMEOUT" "$PATRONI_URL/primary" 2>/dev/null)
  [ "$code" = 200 ]
}

# Prints the addresses the slice currently lists (space-separated); fails when the API cannot be read.
slice_addresses() {
  $KUBECTL --namespace "$NAMESPACE" get "$RESOURCE" "$SLICE_NAME" \
    --output 'jsonpath={.endpoints[*].addresses[*]}'
}

claim() {
  target=
  if [ -n "$POD_NAME" ]; then
    target=$(printf ',"targetRef":{"kind":"Pod","namespace":"%s","name":"%s"}' "$NAMESPACE" "$POD_NAME")
  fi
  patch=$(printf '{"endpoints":[{"addresses":["%s"],"conditions":{"ready":true,"serving":true,"terminating":false}%s}]}' \
    "$POD_IP" "$target")
  $KUBECTL --namespace "$NAMESPACE" patch "$RESOURCE" "$SLICE_NAME" --type=merge --patch "$patch" >/dev/null
}

# Test-and-set: empties the endpoint list only while its first address is still this pod's IP.
release() {
  patch=$(printf '[{"op":"test","path":"/endpoints/0/addresses/0","value":"%s"},{"op":"replace","path":"/endpoints","value":[]}]' \
    "$POD_IP")
  $KUBECTL --namespace "$NAMESPACE" patch "$RESOURCE" "$SLICE_NAME" --type=json --patch "$patch" >/dev/null
}

# What this sidecar last established: unknown (at start), primary, replica.
state=unknown

poll() {
  if is_primary; then
    if ! current=$(slice_addresses); then
      log "primary, but reading EndpointSlice $NAMESPACE/$SLICE_NAME failed; retrying"
      return
    fi
    if [ "$current" = "$POD_IP" ]; then
      if [ "$state" != primary ]; then
        log "became primary; EndpointSlice $NAMESPACE/$SLICE_NAME already points at $POD_IP"
        state=primary
      fi
      return
    fi
    if claim; then
      if [ "$state" = primary ]; then
        log "EndpointSlice $NAMESPACE/$SLICE_NAME listed '${current}' while primary; pointed it back at $POD_IP"
      else
        log "became primary; EndpointSlice $NAMESPACE/$SLICE_NAME now points at $POD_IP (was '${current}')"
      fi
      state=primary
    else
      log "patch failed while primary (claiming $NAMESPACE/$SLICE_NAME for $POD_IP), retrying"
    fi
    return
  fi

  # Not primary. Only this member can have written its own IP into the slice, so once it has
  # established that the slice does not name it, there is nothing to check until it is primary again.
  [ "$state" = replica ] && return
  if ! current=$(slice_addresses); then
    log "not primary, but reading EndpointSlice $NAMESPACE/$SLICE_NAME failed; retrying"
    return
  fi
  case " $current " in
    *" $POD_IP "*)
      if release; then
        log "lost primary; removed $POD_IP from EndpointSlice $NAMESPACE/$SLICE_NAME"
        state=replica
      else
        log "lost primary; patch failed (test-and-clear of $POD_IP in $NAMESPACE/$SLICE_NAME), retrying"
      fi
      ;;
    *)
      if [ "$state" = primary ]; then
        log "lost primary; EndpointSlice $NAMESPACE/$SLICE_NAME already lists '${current}', left alone"
      else
        log "not primary; EndpointSlice $NAMESPACE/$SLICE_NAME lists '${current}'"
      fi
      state=replica
      ;;
  esac
}

log "watching $PATRONI_URL/primary every ${POLL_INTERVAL}s for EndpointSlice $NAMESPACE/$SLICE_NAME"
while :; do
  poll
  sleep "$POLL_INTERVAL" &
  sleeper=$!
  wait "$sleeper"
  sleeper=
done
