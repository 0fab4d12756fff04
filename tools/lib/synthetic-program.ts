// The SDK's own cost, for the benchmark: a program that registers N plain ConfigMaps of a given
// size under the same mock runtime and runner as the real program, and does nothing else.
import * as k8s from "@pulumi/kubernetes";

const n = Number(process.env.SYNTHETIC_RESOURCES ?? "10");
const bytes = Number(process.env.SYNTHETIC_BYTES ?? "1000");
const provider = new k8s.Provider("cluster", {});
for (let i = 0; i < n; i++) {
  new k8s.core.v1.ConfigMap(`cm-${i}`, { metadata: { name: `cm-${i}`, namespace: "bench" }, data: { payload: "x".repeat(bytes) } }, { provider });
}
