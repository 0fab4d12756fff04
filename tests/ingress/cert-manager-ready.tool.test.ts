// The Job that holds the ClusterIssuers back until k3s has installed cert-manager: its script is
// clean POSIX sh, and it really waits (against a fake kubectl that fails a given number of times).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readinessScript } from "../../components/ingress";
import { scratchDir } from "../lib/scratch";

const SCRIPT = path.resolve(__dirname, "../../components/ingress/wait-for-cert-manager.sh");

// Records every call; a call of kind K fails while it has been made no more than $FAIL_K times.
const FAKE_KUBECTL = `#!/bin/sh
echo "$*" >> "$FAKE_STATE/calls"
case "$*" in
  "get crd "*) k=crd ;;
  "create --dry-run=server -f -") k=probe; cat >> "$FAKE_STATE/probe-input" ;;
  *"get deployment cert-manager-webhook") k=deploy ;;
  *) k=other ;;
esac
n=$(cat "$FAKE_STATE/$k" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$FAKE_STATE/$k"
eval "limit=\\\${FAIL_$k:-0}"
[ "$n" -gt "$limit" ]
`;

function run(env: Record<string, string>) {
  const dir = scratchDir("cm-ready-");
  fs.mkdirSync(path.join(dir, "bin"));
  fs.writeFileSync(path.join(dir, "bin", "kubectl"), FAKE_KUBECTL, { mode: 0o755 });
  const r = spawnSync("sh", [SCRIPT], {
    encoding: "utf8",
    timeout: 10_000,
    env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, FAKE_STATE: dir, NAMESPACE: "cert-manager", POLL_SECONDS: "0.02", ...env },
  });
  const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
  const probe = fs.existsSync(path.join(dir, "probe-input")) ? fs.readFileSync(path.join(dir, "probe-input"), "utf8") : "";
  return { status: r.status, out: `${r.stdout}${r.stderr}`, calls, probe };
}

describe("wait-for-cert-manager.sh", () => {
  it("is clean POSIX sh (shellcheck)", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", SCRIPT], { encoding: "utf8" });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error("shellcheck is not installed: install it (apt-get install -y shellcheck) — this test is never skipped");
    }
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });

  it("is what the Job runs", () => {
    expect(readinessScript()).toBe(fs.readFileSync(SCRIPT, "utf8"));
  });

  it("waits for the CRDs, the webhook rollout and a ClusterIssuer the webhook admits", () => {
    const r = run({ FAIL_crd: "2", FAIL_deploy: "1", FAIL_probe: "3" });
    expect(r.out).toMatch(/cert-manager is ready/);
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.startsWith("get crd"))).toHaveLength(3);
    expect(r.calls).toContain("wait --for=condition=Established --timeout=120s crd/clusterissuers.cert-manager.io crd/certificates.cert-manager.io");
    expect(r.calls).toContain("-n cert-manager rollout status deployment/cert-manager-webhook --timeout=600s");
    expect(r.calls.filter((c) => c.startsWith("create --dry-run=server"))).toHaveLength(4);
    // The order matters: nothing is probed before the CRDs and the webhook exist.
    const first = (p: string) => r.calls.findIndex((c) => c.includes(p));
    expect(first("get crd")).toBeLessThan(first("condition=Established"));
    expect(first("condition=Established")).toBeLessThan(first("rollout status"));
    expect(first("rollout status")).toBeLessThan(first("--dry-run=server"));
    expect(r.probe).toMatch(/kind: ClusterIssuer/);
  });

  it("waits for the other CRDs it is given (Traefik's) as well", () => {
    const r = run({ CRDS: "clusterissuers.cert-manager.io middlewares.traefik.io" });
    expect(r.status).toBe(0);
    expect(r.calls[0]).toBe("get crd clusterissuers.cert-manager.io middlewares.traefik.io");
    expect(r.calls).toContain("wait --for=condition=Established --timeout=120s crd/clusterissuers.cert-manager.io crd/middlewares.traefik.io");
  });

  it("gives up with a clear message when cert-manager never appears", () => {
    const r = run({ FAIL_crd: "100000", TIMEOUT_SECONDS: "0" });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/timed out after 0s waiting for the CRDs \(clusterissuers\.cert-manager\.io certificates\.cert-manager\.io\)/);
    expect(r.calls.some((c) => c.includes("--dry-run"))).toBe(false);
  });
});
