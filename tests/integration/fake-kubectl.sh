#!/bin/sh
# A stand-in for kubectl that implements exactly the three calls the discovery sidecar makes on one
# EndpointSlice, keeps the slice's addresses in a file, and records every call with a timestamp.
#
#   kubectl --namespace NS get endpointslices.v1.discovery.k8s.io NAME --output jsonpath=...
#   kubectl --namespace NS patch endpointslices.v1.discovery.k8s.io NAME --type=merge --patch '{"endpoints":[...]}'
#   kubectl --namespace NS patch endpointslices.v1.discovery.k8s.io NAME --type=json --patch '[{"op":"test",...},...]'
#
# State in $FAKE_KUBE_DIR:
#   slice       the addresses the slice lists now (one line, may be empty)
#   events.log  "<epoch seconds> <CLAIM|RELEASE|GET> <ok|test-failed|failed> caller=<POD_IP> addr=<ip>"
#   calls.log   "<patch type>\t<patch body>" for every patch, for tests that inspect the JSON
#   fail        if present, every call fails (an unreachable API server)
#   fail-patch  if present, every patch fails (reads still work)
#   stale-get   if present, `get` answers its content instead of the truth (a read that raced a write)
# The caller is told apart by its POD_IP, which every sidecar has in its environment.
set -u

dir=${FAKE_KUBE_DIR:?FAKE_KUBE_DIR must name the fake API server state directory}
want_ns=${FAKE_KUBE_NAMESPACE:-default}
want_name=${FAKE_KUBE_SLICE:-postgres-primary}
caller=${POD_IP:-unknown}

now() { date +%s.%N; }
record() { printf '%s %s %s caller=%s addr=%s\n' "$(now)" "$1" "$2" "$caller" "$3" >>"$dir/events.log"; }
fail() { printf 'Error from server: %s\n' "$*" >&2; exit 1; }

namespace='' verb='' resource='' name='' ptype='' patch='' output=''
while [ $# -gt 0 ]; do
  case $1 in
    --namespace | -n) namespace=$2; shift 2 ;;
    --namespace=*) namespace=${1#*=}; shift ;;
    --type=*) ptype=${1#*=}; shift ;;
    --patch | -p) patch=$2; shift 2 ;;
    --output | -o) output=$2; shift 2 ;;
    -*) fail "fake kubectl: unexpected flag $1" ;;
    *)
      if [ -z "$verb" ]; then verb=$1
      elif [ -z "$resource" ]; then resource=$1
      elif [ -z "$name" ]; then name=$1
      else fail "fake kubectl: unexpected argument $1"
      fi
      shift ;;
  esac
done

[ "$resource" = endpointslices.v1.discovery.k8s.io ] || fail "fake kubectl: unexpected resource '$resource'"
if [ "$namespace" != "$want_ns" ] || [ "$name" != "$want_name" ]; then
  fail "endpointslices.discovery.k8s.io \"$name\" not found in namespace \"$namespace\""
fi

exec 9>>"$dir/lock"
flock 9
[ -f "$dir/slice" ] || : >"$dir/slice"
current=$(cat "$dir/slice")

if [ -e "$dir/fail" ]; then
  record "$(printf %s "$verb" | tr '[:lower:]' '[:upper:]')" failed -
  fail "the server is currently unable to handle the request"
fi

case $verb in
  get)
    [ "$output" = 'jsonpath={.endpoints[*].addresses[*]}' ] || fail "fake kubectl: unexpected output '$output'"
    if [ -e "$dir/stale-get" ]; then
      printf '%s' "$(cat "$dir/stale-get")"
    else
      printf '%s' "$current"
    fi
    ;;
  patch)
    printf '%s\t%s\n' "$ptype" "$patch" >>"$dir/calls.log"
    if [ -e "$dir/fail-patch" ]; then
      record PATCH failed -
      fail "the server is currently unable to handle the request"
    fi
    case $ptype in
      merge)
        addr=$(printf '%s' "$patch" | sed -n 's/^{"endpoints":\[{"addresses":\["\([0-9.]*\)"\].*/\1/p')
        [ -n "$addr" ] || fail "fake kubectl: merge patch not understood: $patch"
        printf '%s\n' "$addr" >"$dir/slice"
        record CLAIM ok "$addr"
        ;;
      json)
        addr=$(printf '%s' "$patch" |
          sed -n 's/^\[{"op":"test","path":"\/endpoints\/0\/addresses\/0","value":"\([0-9.]*\)"},{"op":"replace","path":"\/endpoints","value":\[\]}\]$/\1/p')
        [ -n "$addr" ] || fail "fake kubectl: json patch not understood: $patch"
        first=${current%% *}
        if [ "$first" = "$addr" ]; then
          : >"$dir/slice"
          record RELEASE ok "$addr"
        else
          record RELEASE test-failed "$addr"
          fail "the server rejected our request due to an error in our request (test failed: first address is '$first')"
        fi
        ;;
      *) fail "fake kubectl: unexpected patch type '$ptype'" ;;
    esac
    printf 'endpointslice.discovery.k8s.io/%s patched\n' "$name"
    ;;
  *) fail "fake kubectl: unexpected verb '$verb'" ;;
esac
