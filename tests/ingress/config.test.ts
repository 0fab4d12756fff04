// `homelab:ingress`: defaults, and one bad config per rule, each rejected naming its config path.
import { validateRaw } from "../../stacks";
import { Raw, configProblems, stackRaw } from "../lib/stack-config";
import { traefikChartMajor } from "../../stacks/ingress";
import { traefikNodes } from "../../components/ingress/settings";
import { cidrProblem } from "../../components/kit/formats";

function validate(raw: Raw, o: { secrets?: string[]; requireSecrets?: boolean } = {}) {
  return validateRaw("test", { raw, secretsPresent: o.secrets ?? [] }, { requireSecrets: o.requireSecrets ?? false });
}

const problemsOf = configProblems;

const cases: [string, (r: Raw) => void, RegExp][] = [
  ["more required-spread replicas than nodes", (r) => (r.ingress.traefik.replicas = 3), /homelab:ingress\.traefik\.replicas: 3 Traefik replicas must each run on their own node, but only 2 node\(s\) can run Traefik \(asuna, pesubuntu\)\n\s+fix: lower replicas to 2/],
  ["a tainted node cannot take a replica", (r) => (r.nodes[1].taints = ["nvidia.com/gpu=true:NoSchedule"]), /homelab:ingress\.traefik\.replicas: 2 Traefik replicas .* only 1 node\(s\) can run Traefik \(asuna\)/],
  ["Let's Encrypt without an e-mail", (r) => delete r.ingress.certificates.email, /homelab:ingress\.certificates\.email: is required for the letsencrypt(-staging)? issuer/],
  ["an address Let's Encrypt refuses", (r) => (r.ingress.certificates.email = "me@example.com"), /homelab:ingress\.certificates\.email: Let's Encrypt refuses addresses at example\.com/],
  ["not an e-mail address", (r) => (r.ingress.certificates.email = "admin"), /homelab:ingress\.certificates\.email: "admin" is not an e-mail address/],
  ["an unknown issuer", (r) => (r.ingress.certificates.issuer = "letsencrypt-prod"), /homelab:ingress\.certificates\.issuer: must be one of letsencrypt, letsencrypt-staging, selfsigned, got "letsencrypt-prod"/],
  ["Let's Encrypt for a private domain", (r) => (r.domain = "homelab.lan"), /homelab:ingress\.certificates\.issuer: Let's Encrypt cannot issue certificates for homelab\.lan/],
  ["a dashboard host outside the domain", (r) => (r.ingress.dashboard = { host: "dash.pesulabs.com" }), /homelab:ingress\.dashboard\.host: "dash\.pesulabs\.com" is not a host directly under the stack's domain homelab\.pesulabs\.net/],
  ["a dashboard host two levels down", (r) => (r.ingress.dashboard = { host: "a.dash.homelab.pesulabs.net" }), /homelab:ingress\.dashboard\.host: .* is not a host directly under/],
  ["a trusted proxy that is not a CIDR", (r) => (r.ingress.traefik.trustedProxies = ["100.64.0.0/10", "192.168.8.0"]), /homelab:ingress\.traefik\.trustedProxies\[1\]: "192\.168\.8\.0" is not a CIDR/],
  ["a prefix too long", (r) => (r.ingress.traefik.trustedProxies = ["192.168.8.0/33"]), /homelab:ingress\.traefik\.trustedProxies\[0\]: "192\.168\.8\.0\/33": an IPv4 prefix is at most \/32/],
  ["trusting the whole internet", (r) => (r.ingress.traefik.trustedProxies = ["0.0.0.0/0"]), /homelab:ingress\.traefik\.trustedProxies\[0\]: "0\.0\.0\.0\/0" trusts every address/],
  ["HSTS under a year", (r) => (r.ingress.headers = { stsSeconds: 86400 }), /homelab:ingress\.headers\.stsSeconds: HSTS max-age 86400 is below one year/],
  ["an unknown referrer policy", (r) => (r.ingress.headers = { referrerPolicy: "never" }), /homelab:ingress\.headers\.referrerPolicy: must be one of/],
  ["a k3s release whose Traefik chart is unknown", (r) => (r.cluster.version = "v1.30.4+k3s1"), /homelab:ingress\.traefik\.chartMajor: the Traefik chart bundled with k3s v1\.30\.4\+k3s1 is not known, and its redirect setting depends on it\n\s+fix: run "ls \/var\/lib\/rancher\/k3s\/server\/static\/charts\/"/],
  ["a chart older than the known redirect syntax", (r) => (r.ingress.traefik.chartMajor = 27), /homelab:ingress\.traefik\.chartMajor: must be between 34 and 99, got 27/],
  ["a misspelt setting", (r) => (r.ingress.traefik.replica = 2), /homelab:ingress\.traefik\.replica: unknown setting "replica"\n\s+fix: did you mean "replicas"\?/],
  ["an unknown solver", (r) => (r.ingress.certificates.solver = "tls-alpn01"), /homelab:ingress\.certificates\.solver: must be one of http01, dns01/],
  ["a bad Traefik memory quantity", (r) => (r.ingress.traefik.resources = { memory: "64MB" }), /homelab:ingress\.traefik\.resources\.memory: "64MB" is not a valid Kubernetes memory\/storage quantity/],
];

describe("homelab:ingress", () => {
  it("the committed stacks are valid", () => {
    for (const s of ["homelab", "prod", "dev"]) expect(problemsOf(stackRaw(s))).toBe("");
  });

  it.each(cases)("rejects %s, naming the path", (_name, mutate, expected) => {
    const raw = stackRaw("homelab");
    mutate(raw);
    expect(problemsOf(raw)).toMatch(expected);
  });

  it("reports every ingress problem at once", () => {
    const raw = stackRaw("homelab");
    raw.ingress.traefik.replicas = 3;
    delete raw.ingress.certificates.email;
    raw.ingress.traefik.trustedProxies = ["0.0.0.0/0"];
    const msg = problemsOf(raw);
    for (const p of ["traefik.replicas", "certificates.email", "traefik.trustedProxies[0]"]) expect(msg).toContain(`homelab:ingress.${p}`);
  });

  it("DNS-01 needs the Cloudflare token: a problem for pulumi up, a warning for a render", () => {
    const raw = stackRaw("homelab");
    raw.ingress.certificates.solver = "dns01";
    expect(problemsOf(raw, { requireSecrets: true, secrets: ["sshPrivateKey"] })).toMatch(/homelab:cloudflareApiToken: is not set \(the dns01 solver needs it\)\n\s+fix: run: read -rs CLOUDFLARE_API_TOKEN && printf %s "\$CLOUDFLARE_API_TOKEN" \| pulumi config set --secret homelab:cloudflareApiToken && unset CLOUDFLARE_API_TOKEN/);
    expect(validate(raw).warnings.join("\n")).toMatch(/homelab:cloudflareApiToken is not set: pulumi up will need it for dns01/);
    expect(problemsOf(raw, { requireSecrets: true, secrets: ["sshPrivateKey", "cloudflareApiToken"] })).toBe("");
  });

  it("defaults: two replicas where two nodes can run Traefik, one on a one-node stack, the nodes' addresses as trusted proxies", () => {
    const raw = stackRaw("homelab");
    delete raw.ingress.traefik;
    const cfg = validate(raw).config;
    expect(cfg.ingress.traefik).toMatchObject({ replicas: 2, spread: "required", trustedProxies: ["100.81.76.55/32", "192.168.8.185/32", "100.86.122.109/32", "192.168.8.129/32"], accessLogs: true });
    expect(cfg.ingress.dashboard).toEqual({ enabled: true, host: "dash.homelab.pesulabs.net", user: "admin" });
    expect(cfg.ingress.headers.stsSeconds).toBe(31536000);
    const dev = stackRaw("dev");
    delete dev.ingress.traefik.replicas;
    expect(validate(dev).config.ingress.traefik.replicas).toBe(1);
  });

  it("warns (without refusing) about a single replica on a multi-node stack, and about HTTP-01 without a public address", () => {
    const raw = stackRaw("homelab");
    raw.ingress.traefik.replicas = 1;
    raw.ingress.certificates.solver = "http01";
    const w = validate(raw).warnings.join("\n");
    expect(w).toMatch(/homelab:ingress\.traefik\.replicas is 1 on a stack with 2 nodes/);
    expect(w).toMatch(/homelab:ingress\.certificates\.solver is http01, which needs every host's DNS to point at an address reachable from the internet/);
    expect(validate(stackRaw("prod")).warnings.join("\n")).not.toMatch(/solver is http01/);
  });

  it("preferred spread may run more replicas than nodes", () => {
    const raw = stackRaw("homelab");
    raw.ingress.traefik = { ...raw.ingress.traefik, replicas: 3, spread: "preferred" };
    expect(problemsOf(raw)).toBe("");
  });

  it("the chart major comes from the pinned k3s version, or the config, or (existing clusters) an assumption with a warning", () => {
    expect(traefikChartMajor(validate(stackRaw("homelab")).config)).toMatchObject({ major: 40, source: expect.stringMatching(/^k3s v1\.35\.8\+k3s1 bundles chart 40/) });
    const known = stackRaw("homelab");
    known.cluster.version = "v1.34.5+k3s1";
    expect(traefikChartMajor(validate(known).config)!.major).toBe(39);
    const old = stackRaw("homelab");
    old.cluster.version = "v1.32.3+k3s1";
    old.ingress.traefik.chartMajor = 34;
    expect(traefikChartMajor(validate(old).config)).toEqual({ major: 34, source: "homelab:ingress.traefik.chartMajor" });
    const dev = stackRaw("dev");
    delete dev.ingress.traefik.chartMajor;
    const v = validate(dev);
    expect(traefikChartMajor(v.config)!.major).toBe(40);
    expect(v.warnings.join("\n")).toMatch(/homelab:ingress\.traefik\.chartMajor is not set for an existing cluster: assuming Traefik chart 40/);
  });

  it("helpers: CIDRs and schedulable nodes", () => {
    expect(cidrProblem("100.64.0.0/10")).toBeUndefined();
    expect(cidrProblem("fd7a:115c:a1e0::/48")).toBeUndefined();
    expect(cidrProblem("fd7a::/129")).toMatch(/IPv6 prefix is at most \/128/);
    const nodes = validate(stackRaw("homelab")).config.nodes.map((n) => ({ ...n, taints: [] as string[] }));
    expect(traefikNodes([{ ...nodes[0], taints: ["CriticalAddonsOnly=true:NoExecute"] }, { ...nodes[1], taints: ["gpu=true:PreferNoSchedule"] }]).length).toBe(2);
    expect(traefikNodes([{ ...nodes[0], taints: ["dedicated=ai:NoSchedule"] }, nodes[1]]).map((n) => n.name)).toEqual(["pesubuntu"]);
  });
});
