/**
 * Scripts that hand out access to the cluster, both run on the first server and both printing a
 * secret on stdout (the caller marks it secret): the secure join token, and the long-lived
 * credentials of the ServiceAccount the Kubernetes provider uses. Same conventions as scripts.ts.
 */
import { kubectlFunction, prelude, shellQuote } from "./scripts";
import { SECRET_WAIT_SECONDS } from "./timeouts";

/** Where a k3s server keeps the server token, always in the secure `K10<CA hash>::…` form. */
export const SERVER_TOKEN_FILE = "/var/lib/rancher/k3s/server/token";

/**
 * Runs on the first server once it is Ready: print its secure token, for the joining nodes. The
 * token names the hash of the cluster CA, so a joining node refuses a server that shows another CA
 * instead of trusting whatever it is shown on first connect. No stdin.
 */
export function joinTokenScript(p: { readonly nodeName: string }): string {
  return `${prelude(`Read the secure join token of the cluster from ${p.nodeName}`, p.nodeName)}
TOKEN_FILE="$NODE_ROOT${SERVER_TOKEN_FILE}"
TOKEN_WAIT="\${TOKEN_WAIT:-${SECRET_WAIT_SECONDS}}"
start=$(date +%s)
while [ ! -s "$TOKEN_FILE" ]; do
  if [ $(($(date +%s) - start)) -ge "$TOKEN_WAIT" ]; then
    fail "$TOKEN_FILE did not appear within \${TOKEN_WAIT}s; is k3s running as a server here? (journalctl -u k3s)"
  fi
  sleep 1
done
token=$(head -n 1 "$TOKEN_FILE")
# printf is a shell builtin: the token never appears on a command line.
if ! printf '%s\\n' "$token" | grep -Eq '^K10[0-9a-f]{64}::[^[:space:]]+$'; then
  fail "$TOKEN_FILE does not hold a secure token (K10<CA hash>::<credentials>); refusing to hand joining nodes a token that cannot authenticate the cluster"
fi
printf '%s\\n' "$token"
`;
}

/** The ServiceAccount the platform's Kubernetes provider authenticates as (cluster-admin). */
export const ADMIN_ACCOUNT = {
  namespace: "kube-system",
  name: "homelab-pulumi-admin",
  /** Secret of type kubernetes.io/service-account-token: a token that does not expire. */
  tokenSecret: "homelab-pulumi-admin-token",
} as const;

function adminManifest(): string {
  const { namespace, name, tokenSecret } = ADMIN_ACCOUNT;
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${namespace}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: ${name}
  namespace: ${namespace}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: ${tokenSecret}
  namespace: ${namespace}
  annotations:
    kubernetes.io/service-account.name: ${name}
`;
}

/**
 * Runs on the first server once every node is Ready: create (idempotently) the admin
 * ServiceAccount, its cluster-admin binding and a service-account-token Secret, wait until the
 * token controller fills the Secret, and print one line `<ca.crt base64> <token base64>`. The
 * token does not expire (unlike the client certificate of k3s.yaml, valid for one year); revoke it
 * by deleting the Secret. No stdin.
 */
export function adminAccessScript(p: { readonly nodeName: string }): string {
  const { namespace, tokenSecret } = ADMIN_ACCOUNT;
  return `${prelude(`Create the ServiceAccount the Pulumi program uses and print its token (on ${p.nodeName})`, p.nodeName)}
${kubectlFunction()}TOKEN_WAIT="\${TOKEN_WAIT:-${SECRET_WAIT_SECONDS}}"
NAMESPACE=${shellQuote(namespace)}
TOKEN_SECRET=${shellQuote(tokenSecret)}
kubectl_ apply -f - >&2 <<'K3S_ADMIN_EOF' || fail "could not create the admin ServiceAccount, its binding and token Secret"
${adminManifest()}K3S_ADMIN_EOF
start=$(date +%s)
while :; do
  creds=$(kubectl_ get secret "$TOKEN_SECRET" -n "$NAMESPACE" -o 'jsonpath={.data.ca\\.crt} {.data.token}' 2>/dev/null) || creds=
  case "$creds" in
    ?*" "?*) break ;;
  esac
  if [ $(($(date +%s) - start)) -ge "$TOKEN_WAIT" ]; then
    fail "Secret $NAMESPACE/$TOKEN_SECRET got no token within \${TOKEN_WAIT}s; the token controller (kube-controller-manager, in journalctl -u k3s) fills it"
  fi
  sleep 1
done
log "ServiceAccount token ready in $NAMESPACE/$TOKEN_SECRET"
printf '%s\\n' "$creds"
`;
}

const SECURE_TOKEN_RE = /^K10[0-9a-f]{64}::\S+$/;

/** The secure token printed by `joinTokenScript`; throws (without echoing it) when it is not one. */
export function parseSecureToken(stdout: string): string {
  const token = stdout.trim();
  if (!SECURE_TOKEN_RE.test(token)) {
    throw new Error(`join token: the first server printed no secure token (K10<CA hash>::<credentials>, ${token.length} characters read)`);
  }
  return token;
}

/** What `adminAccessScript` prints: the cluster CA (base64 PEM) and the ServiceAccount token. */
export interface AdminCredentials {
  /** base64 of the CA bundle, as kubeconfig's `certificate-authority-data` wants it. */
  readonly caData: string;
  /** The bearer token (a JWT), decoded. */
  readonly token: string;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses `<ca.crt base64> <token base64>`; throws (without echoing secrets) on anything else. */
export function parseAdminCredentials(stdout: string): AdminCredentials {
  const parts = stdout.trim().split(/\s+/);
  if (parts.length !== 2 || !parts.every((p) => BASE64_RE.test(p))) {
    throw new Error("admin credentials: expected \"<ca.crt base64> <token base64>\" from the first server");
  }
  const ca = Buffer.from(parts[0], "base64").toString("utf8");
  if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw new Error("admin credentials: ca.crt is not a PEM certificate");
  const token = Buffer.from(parts[1], "base64").toString("utf8");
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) throw new Error("admin credentials: the token is not a JWT");
  return { caData: parts[0], token };
}
