/**
 * Writes the Prometheus configuration the scrape test runs: one scrape job per endpoint of the
 * PostgreSQL component's monitor (podMonitorSpec over postgresSpec's metrics declaration: Patroni's
 * /metrics and the postgres exporter's), with its path and scheme, the generated alert rules, and the
 * "no leader" expression taken from the PatroniNoLeader rule. Targets are the loopback members instead
 * of pods, and the interval is 1 s instead of the default 30 s so a ~10 s failover is visible.
 *
 * Env: OUT_DIR, MEMBER_IPS (comma-separated), API_PORT, EXPORTER_ADDR (host:port).
 * Writes: $OUT_DIR/prometheus.yml, $OUT_DIR/rules.yml, $OUT_DIR/noleader.promql.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { postgresSpec } from "../../components/data/postgres/spec";
import { DEFAULT_PATRONI_TIMING } from "../../components/data/postgres/patroni-config";
import { metricsEndpoints, podMonitorSpec, selectorLabels } from "../../components/kit";
import { alertRules, observabilitySettings } from "../../components/observability";

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set`);
  return v;
}

const outDir = env("OUT_DIR");
const ips = env("MEMBER_IPS").split(",");
const apiPort = env("API_PORT");
const exporter = env("EXPORTER_ADDR");
const spec = postgresSpec({
  members: 3,
  version: "17",
  storage: "1Gi",
  resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
  timing: DEFAULT_PATRONI_TIMING,
  dcs: { type: "kubernetes" },
  credentialsSecret: "-",
  spiloConfigurationSecret: "-",
  scriptConfigMap: "-",
  serviceAccount: "-",
  primaryService: "-",
});
const monitor = podMonitorSpec({ name: "postgres", namespace: "homelab", podSelector: selectorLabels(spec.identity), endpoints: metricsEndpoints(spec.metrics!), identity: spec.identity }) as {
  podMetricsEndpoints: { port: string; path: string; scheme: string }[];
};
// The pod's ports, as the loopback stand-ins listen on them.
const targetsOf: Record<string, string[]> = { patroni: ips.map((ip) => `${ip}:${apiPort}`), exporter: [exporter] };
const jobs = monitor.podMetricsEndpoints.map((e) => {
  if (!targetsOf[e.port]) throw new Error(`the monitor scrapes port ${e.port}, which this test has no stand-in for`);
  return {
    job_name: `postgres-${e.port}`,
    metrics_path: e.path,
    scheme: e.scheme,
    static_configs: [{ targets: targetsOf[e.port] }],
  };
});
const groups = alertRules(observabilitySettings.parse({}).alerts);
const noLeader = groups.flatMap((g) => g.rules).find((r) => r.alert === "PatroniNoLeader")!;
fs.writeFileSync(path.join(outDir, "prometheus.yml"), YAML.stringify({
  global: { scrape_interval: "1s", scrape_timeout: "900ms", evaluation_interval: "1s" },
  rule_files: ["rules.yml"],
  scrape_configs: jobs,
}));
fs.writeFileSync(path.join(outDir, "rules.yml"), YAML.stringify({ groups }));
fs.writeFileSync(path.join(outDir, "noleader.promql"), noLeader.expr);
