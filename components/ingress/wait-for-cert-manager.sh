#!/bin/sh
# Runs in a Job right after the cert-manager HelmChart is created. k3s's helm controller installs the
# chart asynchronously, so its CRDs and its admission webhook appear some time later; Pulumi waits
# for this Job to complete before it creates any ClusterIssuer or Certificate.
#
# Ready means: the CRDs are Established, the webhook Deployment is rolled out, and the API server
# accepts a ClusterIssuer in a server-side dry run (which goes through the webhook). CRDS may add
# other CRDs the first resources need (Traefik's, which k3s also installs asynchronously).
#
# Environment: NAMESPACE (cert-manager's namespace), CRDS (space-separated CRD names; default
# cert-manager's ClusterIssuer and Certificate), TIMEOUT_SECONDS (default 600), POLL_SECONDS
# (default 5).
set -eu

timeout=${TIMEOUT_SECONDS:-600}
poll=${POLL_SECONDS:-5}
crds=${CRDS:-clusterissuers.cert-manager.io certificates.cert-manager.io}
start=$(date +%s)

waited() { echo $(($(date +%s) - start)); }

wait_until() {
  what=$1
  shift
  until "$@" >/dev/null 2>&1; do
    if [ "$(waited)" -ge "$timeout" ]; then
      echo "timed out after ${timeout}s waiting for $what" >&2
      exit 1
    fi
    sleep "$poll"
  done
  echo "$what: ok after $(waited)s"
}

probe() {
  kubectl create --dry-run=server -f - <<'EOF'
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: readiness-probe
spec:
  selfSigned: {}
EOF
}

# shellcheck disable=SC2086 # $crds is a list of names
wait_until "the CRDs ($crds)" kubectl get crd $crds
set --
for crd in $crds; do set -- "$@" "crd/$crd"; done
kubectl wait --for=condition=Established --timeout=120s "$@"
wait_until "the cert-manager-webhook Deployment" kubectl -n "$NAMESPACE" get deployment cert-manager-webhook
kubectl -n "$NAMESPACE" rollout status deployment/cert-manager-webhook --timeout="${timeout}s"
wait_until "the webhook to admit a ClusterIssuer" probe
echo "cert-manager is ready"
