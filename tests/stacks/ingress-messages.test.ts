// `homelab:ingress` as a user reads it: the exact problems (config path, message, fix) and warnings
// validateIngress() reports, the routes the stack plans, and the arguments handed to the Traefik and
// cert-manager components. Configs are the committed stacks with one edit each, parsed in memory.
import * as pulumi from "@pulumi/pulumi";
import { Problem, Problems } from "../../stacks";
import { certManagerArgs, plannedRoutes, subdomainOf, traefikArgs, traefikChartMajor, validateIngress } from "../../stacks/ingress";
import type { StackConfig } from "../../stacks/config";
import { Raw, configProblems, parsedConfig, stackRaw } from "../lib/stack-config";

const TOKEN = "cloudflareApiToken";

/** The parsed config of stack `stack` after `edit` (the edit must leave every field valid). */
function configOf(stack: string, edit: (r: Raw) => void = () => undefined, secrets: string[] = [TOKEN]): StackConfig {
  const raw = stackRaw(stack);
  edit(raw);
  return parsedConfig(raw, secrets);
}

/** What validateIngress reports for stack `stack` after `edit`; the Cloudflare token is present unless `secrets` says otherwise. */
function ingress(stack: string, edit: (r: Raw) => void = () => undefined, o: { secrets?: string[]; requireSecrets?: boolean } = {}): { problems: Problem[]; warnings: string[] } {
  const cfg = configOf(stack, edit, o.secrets ?? [TOKEN]);
  const problems = new Problems();
  const warnings: string[] = [];
  validateIngress(cfg, { requireSecrets: o.requireSecrets ?? false }, problems, warnings);
  return { problems: problems.list, warnings };
}

const clean = { problems: [], warnings: [] };

/** The value an Output holds (outside a Pulumi run). */
async function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

describe("homelab:ingress problems and warnings, word for word", () => {
  it("the committed stacks have nothing to say about ingress (with the Cloudflare token set)", () => {
    expect(ingress("homelab")).toEqual(clean);
    expect(ingress("dev")).toEqual(clean);
    expect(ingress("prod")).toEqual(clean);
  });

  describe("Traefik replicas", () => {
    it("more required-spread replicas than nodes names the count, the nodes that can run Traefik, and the three ways out", () => {
      expect(ingress("homelab", (r) => (r.ingress.traefik.replicas = 3))).toEqual({
        problems: [
          {
            path: "homelab:ingress.traefik.replicas",
            message: "3 Traefik replicas must each run on their own node, but only 2 node(s) can run Traefik (asuna, pesubuntu)",
            fix: "lower replicas to 2, add nodes, or set homelab:ingress.traefik.spread: preferred",
          },
        ],
        warnings: [],
      });
    });

    it("when every node refuses Traefik, the problem says none can and still proposes at least one replica", () => {
      const taintAll = (r: Raw) => {
        r.nodes[0].taints = ["dedicated=db:NoSchedule"];
        r.nodes[1].taints = ["nvidia.com/gpu=true:NoSchedule"];
      };
      expect(ingress("homelab", taintAll).problems).toEqual([
        {
          path: "homelab:ingress.traefik.replicas",
          message: "2 Traefik replicas must each run on their own node, but only 0 node(s) can run Traefik (none)",
          fix: "lower replicas to 1, add nodes, or set homelab:ingress.traefik.spread: preferred",
        },
      ]);
    });

    it("a single replica on a stack where two nodes can run Traefik is a warning naming both figures", () => {
      expect(ingress("homelab", (r) => (r.ingress.traefik.replicas = 1))).toEqual({
        problems: [],
        warnings: ["homelab:ingress.traefik.replicas is 1 on a stack with 2 nodes: ingress stops whenever that node does; set it to 2"],
      });
    });

    it("a single replica where only one node can run Traefik is not warned about", () => {
      expect(
        ingress("homelab", (r) => {
          r.ingress.traefik.replicas = 1;
          r.nodes[1].taints = ["nvidia.com/gpu=true:NoSchedule"];
        }),
      ).toEqual(clean);
    });

    it("two replicas on two nodes, or more preferred-spread replicas than nodes, are not warned about", () => {
      expect(ingress("homelab", (r) => (r.ingress.traefik.replicas = 2))).toEqual(clean);
      expect(ingress("homelab", (r) => (r.ingress.traefik = { ...r.ingress.traefik, replicas: 3, spread: "preferred" }))).toEqual(clean);
    });
  });

  describe("the bundled Traefik chart", () => {
    it("an existing cluster without chartMajor is assumed to run the default k3s's chart, with a warning saying how to check", () => {
      const edit = (r: Raw) => delete r.ingress.traefik.chartMajor;
      expect(ingress("dev", edit)).toEqual({
        problems: [],
        warnings: [
          'homelab:ingress.traefik.chartMajor is not set for an existing cluster: assuming Traefik chart 40 (as in k3s v1.35.8+k3s1); check with "ls /var/lib/rancher/k3s/server/static/charts/" on a server and set it',
        ],
      });
      expect(traefikChartMajor(configOf("dev", edit))).toEqual({ major: 40, source: "assumed (k3s v1.35.8+k3s1)" });
    });

    it("an existing cluster is assumed to run the default k3s's chart even when a cluster version is written", () => {
      const cfg = configOf("dev", (r) => {
        delete r.ingress.traefik.chartMajor;
        r.cluster.version = "v1.30.4+k3s1";
      });
      expect(traefikChartMajor(cfg)).toEqual({ major: 40, source: "assumed (k3s v1.35.8+k3s1)" });
    });

    it("a managed cluster without chartMajor takes it from its k3s version, silently", () => {
      expect(ingress("homelab", (r) => delete r.ingress.traefik.chartMajor)).toEqual(clean);
    });

    it("a k3s release whose chart is unknown is refused, with the command that tells the chart and an example", () => {
      expect(ingress("homelab", (r) => (r.cluster.version = "v1.30.4+k3s1")).problems).toEqual([
        {
          path: "homelab:ingress.traefik.chartMajor",
          message: "the Traefik chart bundled with k3s v1.30.4+k3s1 is not known, and its redirect setting depends on it",
          fix: 'run "ls /var/lib/rancher/k3s/server/static/charts/" on a server and set chartMajor to the traefik chart\'s major (e.g. 40 for traefik-40.1.3+up40.1.0.tgz)',
        },
      ]);
    });
  });

  describe("certificates", () => {
    it("Let's Encrypt without an e-mail proposes an address at the domain's registered name", () => {
      expect(ingress("homelab", (r) => delete r.ingress.certificates.email).problems).toEqual([
        {
          path: "homelab:ingress.certificates.email",
          message: "is required for the letsencrypt-staging issuer (the ACME account's address)",
          fix: "set it, e.g. email: you@pesulabs.net, or use issuer: selfsigned",
        },
      ]);
    });

    it("an address at example.org (in any case) is refused, naming the domain as written", () => {
      expect(ingress("homelab", (r) => (r.ingress.certificates.email = "me@Example.org")).problems).toEqual([
        { path: "homelab:ingress.certificates.email", message: "Let's Encrypt refuses addresses at Example.org", fix: "use a real address" },
      ]);
    });

    it("an address at a domain that merely starts with example.com is accepted", () => {
      expect(ingress("homelab", (r) => (r.ingress.certificates.email = "me@example.community"))).toEqual(clean);
    });

    it("Let's Encrypt for a private top-level domain is refused, naming the domain and its TLD", () => {
      expect(ingress("homelab", (r) => (r.domain = "homelab.lan")).problems).toEqual([
        {
          path: "homelab:ingress.certificates.issuer",
          message: "Let's Encrypt cannot issue certificates for homelab.lan (.lan is not a public name)",
          fix: "use issuer: selfsigned for a private domain, or a public domain you control",
        },
      ]);
    });

    it("HTTP-01 on a stack with no public address warns, and points at DNS-01", () => {
      expect(ingress("homelab", (r) => (r.ingress.certificates.solver = "http01"))).toEqual({
        problems: [],
        warnings: [
          "homelab:ingress.certificates.solver is http01, which needs every host's DNS to point at an address reachable from the internet on port 80; no node has an externalAddress. For hosts reachable only on the LAN or the tailnet use solver: dns01 with cloudflareApiToken",
        ],
      });
    });

    it("HTTP-01 is not warned about as soon as one node has a public address", () => {
      expect(
        ingress("homelab", (r) => {
          r.ingress.certificates.solver = "http01";
          r.nodes[0].externalAddress = "203.0.113.7";
        }),
      ).toEqual(clean);
    });

    it("DNS-01 with the self-signed issuer is only a warning that it does nothing, and needs no token even for a deploy", () => {
      const edit = (r: Raw) => (r.ingress.certificates = { issuer: "selfsigned", solver: "dns01" });
      const expected = { problems: [], warnings: ["homelab:ingress.certificates.solver: dns01 has no effect with issuer: selfsigned"] };
      expect(ingress("homelab", edit, { secrets: [], requireSecrets: true })).toEqual(expected);
      expect(ingress("homelab", edit, { secrets: [] })).toEqual(expected);
    });

    it("DNS-01 without the Cloudflare token: refused for a deploy, a warning for a render, both with the command that sets it", () => {
      const how = 'read -rs CLOUDFLARE_API_TOKEN && printf %s "$CLOUDFLARE_API_TOKEN" | pulumi config set --secret homelab:cloudflareApiToken && unset CLOUDFLARE_API_TOKEN (paste a token with Zone:DNS:Edit on homelab.pesulabs.net)';
      expect(ingress("homelab", undefined, { secrets: [], requireSecrets: true })).toEqual({
        problems: [{ path: "homelab:cloudflareApiToken", message: "is not set (the dns01 solver needs it)", fix: `run: ${how}` }],
        warnings: [],
      });
      expect(ingress("homelab", undefined, { secrets: [] })).toEqual({
        problems: [],
        warnings: [`homelab:cloudflareApiToken is not set: pulumi up will need it for dns01 (${how})`],
      });
    });
  });

  describe("routes", () => {
    it("a dashboard host outside the domain is refused with an example host under it, even when its length fits", () => {
      expect(ingress("homelab", (r) => (r.ingress.dashboard = { host: "dashboard-of-the-homelab.com" })).problems).toEqual([
        {
          path: "homelab:ingress.dashboard.host",
          message: '"dashboard-of-the-homelab.com" is not a host directly under the stack\'s domain homelab.pesulabs.net',
          fix: "use <name>.homelab.pesulabs.net, e.g. dash.homelab.pesulabs.net",
        },
      ]);
    });

    it("a disabled dashboard's host is not checked", () => {
      expect(ingress("homelab", (r) => (r.ingress.dashboard = { enabled: false, host: "dash.elsewhere.com" }))).toEqual(clean);
    });

    it("a route the schema let through but the route check refuses is a problem at its config path, not a crash", () => {
      // The stack schema and the route check agree today; should they drift apart, validation still
      // names the field instead of throwing.
      const cfg = configOf("homelab", () => undefined, [TOKEN]);
      const drifted = { ...cfg, workloads: { ...cfg.workloads, minio: { ...cfg.workloads.minio, console: { ...cfg.workloads.minio.console, subdomain: "1console" } } } };
      const problems = new Problems();
      validateIngress(drifted, { requireSecrets: false }, problems, []);
      expect(problems.list).toEqual([
        {
          path: "homelab:workloads.minio.console.subdomain",
          message: `route minio-console: subdomain "1console" is not a valid Kubernetes name: use lower-case letters, digits and '-', start with a letter, at most 63 characters`,
          fix: "fix the route's settings",
        },
      ]);
    });

    it("a console or Grafana subdomain that cannot name a route is refused when the stack is read, at its config path", () => {
      const minio = stackRaw("homelab");
      minio.workloads.minio.console = { subdomain: "1console" };
      expect(configProblems(minio)).toBe(
        "invalid stack configuration (1 problem):\n" +
          `  - homelab:workloads.minio.console.subdomain: "1console" is not a valid subdomain\n    fix: use lower-case letters, digits and '-', starting with a letter (at most 63 characters)`,
      );
      const grafana = stackRaw("homelab");
      grafana.observability = { ...grafana.observability, grafana: { subdomain: "-grafana" } };
      expect(configProblems(grafana)).toBe(
        "invalid stack configuration (1 problem):\n" +
          `  - homelab:observability.grafana.subdomain: "-grafana" is not a valid subdomain\n    fix: use lower-case letters, digits and '-', starting with a letter (at most 63 characters)`,
      );
      const fine = stackRaw("homelab");
      fine.workloads.minio.console = { subdomain: "s3-console2" };
      expect(ingress("homelab", (r) => (r.workloads.minio.console = { subdomain: "s3-console2" })).problems).toEqual([]);
      expect(configProblems(fine)).toBe("");
    });

    it("two routes on one host: the second is refused, naming the host and the setting that already routes it", () => {
      expect(ingress("homelab", (r) => (r.ingress.dashboard = { host: "minio.homelab.pesulabs.net" })).problems).toEqual([
        {
          path: "homelab:workloads.minio.console.subdomain",
          message: "host minio.homelab.pesulabs.net is already routed by homelab:ingress.dashboard.host",
          fix: "give every route its own host",
        },
      ]);
    });

    it("the planned routes: the dashboard at its host's label, the MinIO console at its subdomain", () => {
      expect(plannedRoutes(configOf("homelab", (r) => (r.ingress.dashboard = { host: "traefik.homelab.pesulabs.net" })))).toEqual([
        { spec: { name: "traefik-dashboard", subdomain: "traefik" }, path: "homelab:ingress.dashboard.host" },
        { spec: { name: "minio-console", subdomain: "minio" }, path: "homelab:workloads.minio.console.subdomain" },
      ]);
    });

    it("a dashboard host that is not under the domain is planned at dash (validation refuses it)", () => {
      expect(plannedRoutes(configOf("homelab", (r) => (r.ingress.dashboard = { host: "dash.elsewhere.com" })))[0]).toEqual({
        spec: { name: "traefik-dashboard", subdomain: "dash" },
        path: "homelab:ingress.dashboard.host",
      });
    });

    it("no route for a disabled dashboard, a disabled MinIO, or a MinIO without its console", () => {
      expect(plannedRoutes(configOf("homelab", (r) => (r.ingress.dashboard = { enabled: false })))).toEqual([
        { spec: { name: "minio-console", subdomain: "minio" }, path: "homelab:workloads.minio.console.subdomain" },
      ]);
      const dashboardOnly = [{ spec: { name: "traefik-dashboard", subdomain: "dash" }, path: "homelab:ingress.dashboard.host" }];
      expect(plannedRoutes(configOf("homelab", (r) => (r.workloads.minio = { enabled: false, console: { enabled: true } })))).toEqual(dashboardOnly);
      expect(plannedRoutes(configOf("homelab", (r) => (r.workloads.minio.console = { enabled: false })))).toEqual(dashboardOnly);
    });

    it("a routed host must be one valid label directly under the stack's domain", () => {
      expect(subdomainOf("dash.homelab.pesulabs.net", "homelab.pesulabs.net")).toBe("dash");
      expect(subdomainOf("dashboard-of-the-homelab.com", "homelab.pesulabs.net")).toBeUndefined();
      expect(subdomainOf("a.dash.homelab.pesulabs.net", "homelab.pesulabs.net")).toBeUndefined();
      expect(subdomainOf("1dash.homelab.pesulabs.net", "homelab.pesulabs.net")).toBeUndefined();
    });
  });
});

describe("component arguments", () => {
  const issuer = { name: "letsencrypt-staging", kind: "ClusterIssuer" as const };

  it("Traefik: the dashboard at dash when its host is not a label under the domain", () => {
    const cfg = configOf("homelab", (r) => (r.ingress.dashboard = { host: "dash.elsewhere.com" }));
    expect(traefikArgs(cfg, issuer, []).dashboard).toEqual({ subdomain: "dash", user: "admin" });
  });

  it("Traefik: an unknown chart major is refused with the reason", () => {
    const cfg = configOf("homelab", (r) => (r.cluster.version = "v1.30.4+k3s1"));
    expect(() => traefikArgs(cfg, issuer, [])).toThrow(new Error("the Traefik chart major is unknown: validation should have refused this config"));
  });

  it("cert-manager waits for the Traefik and Prometheus Operator CRDs", () => {
    expect(certManagerArgs(configOf("homelab"), {}).waitForCrds).toEqual([
      "middlewares.traefik.io",
      "ingressroutes.traefik.io",
      "podmonitors.monitoring.coreos.com",
      "servicemonitors.monitoring.coreos.com",
      "prometheusrules.monitoring.coreos.com",
    ]);
  });

  it("cert-manager: HTTP-01 through Traefik, or DNS-01 through Cloudflare with the token", () => {
    expect(certManagerArgs(configOf("prod"), {}).solver).toEqual({ kind: "http01" });
    const token = pulumi.secret("cf-token");
    const dns = certManagerArgs(configOf("homelab"), { [TOKEN]: token }).solver;
    expect(dns).toEqual({ kind: "dns01", provider: "cloudflare", apiToken: expect.anything() });
    expect(dns.kind === "dns01" && dns.apiToken).toBe(token);
  });

  it("cert-manager: an offline render (no token) gets an empty secret token", async () => {
    const s = certManagerArgs(configOf("homelab", undefined, []), {}).solver;
    expect(s.kind).toBe("dns01");
    if (s.kind !== "dns01") return;
    expect(pulumi.Output.isInstance(s.apiToken)).toBe(true);
    expect(await valueOf(s.apiToken as pulumi.Output<string>)).toBe("");
  });
});
