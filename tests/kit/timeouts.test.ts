// Await budgets that fit a cold start, derived from the spec's probes.
import { PROVIDER_DEFAULT_MINUTES, WorkloadSpec, awaitTimeouts, jobTimeoutMinutes, probeWindowSeconds, rolloutTimeoutMinutes } from "../../components/kit";
import { postgresSpec } from "../../components/data/postgres/spec";
import { qdrantSpec } from "../../components/data/qdrant";

const pg = (members: number) =>
  postgresSpec({
    members,
    version: "17",
    storage: "1Gi",
    resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
    timing: { ttl: 20, loopWait: 2, retryTimeout: 9 },
    dcs: { type: "kubernetes" },
    credentialsSecret: "c",
    spiloConfigurationSecret: "s",
    scriptConfigMap: "s",
    serviceAccount: "a",
    primaryService: "p",
  });

describe("await budgets", () => {
  it("a probe may fail for delay + period × threshold", () => {
    expect(probeWindowSeconds({ action: { tcp: { port: "x" } }, periodSeconds: 5, failureThreshold: 120 })).toBe(600);
    expect(probeWindowSeconds({ action: { tcp: { port: "x" } }, initialDelaySeconds: 4 })).toBe(34);
    expect(probeWindowSeconds(undefined)).toBe(0);
  });

  it("Spilo members start one after another: pull (10 min) + startup window (10 min) + readiness (15 s) each", () => {
    expect(rolloutTimeoutMinutes(pg(1))).toBe(21);
    expect(rolloutTimeoutMinutes(pg(3))).toBe(61);
  });

  it("Qdrant: pull + a 5-minute startup window", () => {
    expect(rolloutTimeoutMinutes(qdrantSpec({ node: "n", storage: "1Gi", resources: { cpu: "1", memory: "1Gi", memoryLimit: "1Gi" }, apiKeySecret: "k" }))).toBe(16);
  });

  it("never below the provider's default, and a Deployment's pods start together", () => {
    const quick: WorkloadSpec = { ...pg(3), kind: "Deployment", volumeClaims: undefined };
    expect(rolloutTimeoutMinutes(quick)).toBe(21);
    expect(rolloutTimeoutMinutes(pg(1), 0)).toBe(11);
    expect(rolloutTimeoutMinutes({ ...quick, containers: quick.containers.map((c) => ({ ...c, startup: undefined })) }, 0)).toBe(PROVIDER_DEFAULT_MINUTES);
  });

  it("a Job is awaited one minute past its own deadline", () => {
    expect(jobTimeoutMinutes(900)).toBe(16);
    expect(jobTimeoutMinutes(1200)).toBe(21);
    expect(jobTimeoutMinutes(60)).toBe(PROVIDER_DEFAULT_MINUTES);
  });

  it("a budget bounds both the create and the update of a resource (a rollout is an update), in minutes", () => {
    expect(awaitTimeouts(21)).toEqual({ create: "21m", update: "21m" });
  });
});
