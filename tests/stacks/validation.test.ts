// One bad config per rule: each must be rejected, naming the config path (and every problem at once).
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { Problems, parseStack, planWorkloads, splitConfig, validateRaw, validateStack } from "../../stacks";
import { readStackFile } from "../../tools/lib/stack-file";
import { render } from "../../tools/render";

import { Raw, configProblems } from "../lib/stack-config";
import { scratchDir } from "../lib/scratch";

function homelab(): Raw {
  const { raw } = splitConfig(readStackFile("homelab").config);
  return JSON.parse(JSON.stringify(raw));
}

/** A fake key: the test checks that no output ever contains its body. */
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-not-a-real-key\n-----END OPENSSH PRIVATE KEY-----";

const tmp = scratchDir("bad-configs-");
let n = 0;

/** Renders a stack file made from `raw` with the real render command (in-process); returns its exit code and stderr. */
async function renderRaw(raw: Raw): Promise<{ code: number; stderr: string }> {
  const file = path.join(tmp, `Pulumi.case${++n}.yaml`);
  fs.writeFileSync(file, YAML.stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`homelab:${k}`, v])) }));
  const errors: string[] = [];
  const spy = jest.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
  try {
    const code = await render({ stack: `case${n}`, configFile: file, out: path.join(tmp, "out"), quiet: true });
    return { code, stderr: errors.join("\n") };
  } finally {
    spy.mockRestore();
  }
}

const problemsOf = (raw: Raw, secrets: string[] = []) => configProblems(raw, { secrets });

const cases: [string, (r: Raw) => void, RegExp][] = [
  ["duplicate node names", (r) => (r.nodes[1].name = "asuna"), /homelab:nodes\[1\]\.name: node name "asuna" is already used/],
  ["duplicate node addresses", (r) => (r.nodes[1].address = "100.81.76.55"), /homelab:nodes\[1\]\.address: address 100\.81\.76\.55 is already used/],
  ["invalid IP address", (r) => (r.nodes[0].lanAddress = "192.168.8.300"), /homelab:nodes\[0\]\.lanAddress: "192\.168\.8\.300" is not a valid IP/],
  ["unknown node referenced by a workload", (r) => (r.workloads.qdrant.node = "asunaa"), /homelab:workloads\.qdrant\.node: node "asunaa" is not in homelab:nodes/],
  ["uninstalling a node that is still in the stack", (r) => (r.cluster.uninstall = ["pesubuntu"]), /homelab:cluster\.uninstall\[0\]: node "pesubuntu" is still in the stack/],
  ["unknown role", (r) => (r.nodes[0].roles = ["storage"]), /homelab:nodes\[0\]\.roles\[0\]: unknown role "storage"/],
  ["even number of k3s servers", (r) => (r.nodes[1].k3s = "server"), /homelab:nodes: 2 k3s servers \(asuna, pesubuntu\): embedded etcd needs an odd number/],
  ["no k3s server", (r) => (r.nodes[0].k3s = "agent"), /homelab:nodes: no node has k3s: server/],
  ["invalid memory quantity", (r) => (r.nodes[0].memory = "8GB"), /homelab:nodes\[0\]\.memory: "8GB" is not a valid Kubernetes memory/],
  ["invalid CPU quantity", (r) => (r.workloads.qdrant.resources = { cpu: "two" }), /homelab:workloads\.qdrant\.resources\.cpu: "two" is not a valid Kubernetes CPU/],
  ["invalid storage quantity", (r) => (r.workloads.qdrant.storage = "20 gigs"), /homelab:workloads\.qdrant\.storage: "20 gigs" is not a valid/],
  ["memory limit below request", (r) => (r.workloads.qdrant.resources = { memory: "2Gi", memoryLimit: "1Gi" }), /homelab:workloads\.qdrant\.resources\.memoryLimit: limit 1Gi is below the request 2Gi/],
  ["pinned workload over the node's capacity", (r) => (r.workloads.qdrant.resources = { memory: "7.5Gi", memoryLimit: "8Gi" }), /homelab:nodes\[0\]: asuna: pod memory requests [\d.]+Gi exceed the 6\.5Gi allocatable \(8Gi minus the 1\.5Gi system reserve, the k3s server floor\); workloads there: .*homelab:workloads\.qdrant\.resources/],
  ["pinned workload over the node's CPU", (r) => (r.workloads.qdrant.resources = { cpu: "3900m" }), /asuna: pod CPU requests \d+m exceed the 3500m allocatable/],
  ["Traefik's requests count against the nodes too", (r) => (r.ingress.traefik = { resources: { memory: "28Gi", memoryLimit: "28Gi" } }), /exceed the [\d.]+Gi allocatable.*workloads there: .*homelab:ingress\.traefik\.resources/],
  ["invalid domain name", (r) => (r.domain = "homelab_pesulabs.net"), /homelab:domain: "homelab_pesulabs\.net" is not a valid DNS domain/],
  ["misspelt setting", (r) => (r.workloads.qdrant.storag = "1Gi"), /homelab:workloads\.qdrant\.storag: unknown setting "storag"\n\s+fix: did you mean "storage"\?/],
  ["wrong type", (r) => (r.nodes[0].roles = "service"), /homelab:nodes\[0\]\.roles: must be a list, got "service"/],
  ["missing domain", (r) => delete r.domain, /homelab:domain: is required/],
  ["Patroni on the etcd v2 API", (r) => (r.workloads.postgres = { dcs: { type: "etcd", hosts: ["etcd:2379"] } }), /homelab:workloads\.postgres\.dcs.*etcd v2 API.*etcd3/s],
  ["Patroni timing that breaks loop_wait + 2*retry_timeout <= ttl", (r) => (r.workloads.postgres = { timing: { ttl: 20, loopWait: 5, retryTimeout: 9 } }), /homelab:workloads\.postgres\.timing: Patroni requires loop_wait \+ 2\*retry_timeout <= ttl/],
  ["PostgreSQL version not in the image", (r) => (r.workloads.postgres = { version: "11" }), /homelab:workloads\.postgres\.version: PostgreSQL 11 is not in the pinned Spilo image/],
  ["an unusable database name", (r) => (r.workloads.postgres = { databases: ["Family-Assistant"] }), /homelab:workloads\.postgres\.databases\[0\]: "Family-Assistant" is not a usable database name/],
  ["bad k3s version", (r) => (r.cluster.version = "latest"), /homelab:cluster\.version: "latest" is not a k3s release version/],
  // Secrets in clear, positive quantities, and one case per format rule of the schema.
  ["SSH private key written in clear", (r) => (r.sshPrivateKey = PRIVATE_KEY), /homelab:sshPrivateKey: is a secret written in clear in the stack file: it would be committed to git\n\s+fix: delete it from Pulumi\.case\d+\.yaml, then run: pulumi config set --secret homelab:sshPrivateKey < ~\/\.ssh\/id_ed25519/],
  ["kubeconfig written in clear", (r) => (r.kubeconfig = "apiVersion: v1\nkind: Config"), /homelab:kubeconfig: is a secret written in clear.*\n\s+fix: .*pulumi config set --secret homelab:kubeconfig < ~\/\.kube\/config/],
  ["Cloudflare token written in clear", (r) => (r.cloudflareApiToken = "cf-token-123"), /homelab:cloudflareApiToken: is a secret written in clear.*\n\s+fix: .*pulumi config set --secret homelab:cloudflareApiToken/],
  ["zero storage", (r) => (r.workloads.qdrant.storage = "0"), /homelab:workloads\.qdrant\.storage: "0" is not a positive memory\/storage quantity/],
  ["zero node memory", (r) => (r.nodes[0].memory = "0Gi"), /homelab:nodes\[0\]\.memory: "0Gi" is not a positive memory\/storage quantity/],
  ["negative CPU request", (r) => (r.workloads.postgres = { resources: { cpu: "-1" } }), /homelab:workloads\.postgres\.resources\.cpu: "-1" is not a valid Kubernetes CPU quantity/],
  ["a taint without an effect", (r) => (r.nodes[1].taints = ["gpu"]), /homelab:nodes\[1\]\.taints\[0\]: "gpu" is not a taint\n\s+fix: write key\[=value\]:Effect/],
  ["a taint with an unknown effect", (r) => (r.nodes[1].taints = ["nvidia.com/gpu=true:NoRun"]), /homelab:nodes\[1\]\.taints\[0\]: "nvidia\.com\/gpu=true:NoRun" is not a taint/],
  ["a cron schedule that is not one", (r) => (r.cluster.etcdSnapshots = { schedule: "every 6 hours" }), /homelab:cluster\.etcdSnapshots\.schedule: "every 6 hours" is not a five-field cron schedule/],
  ["a cron hour out of range", (r) => (r.cluster.etcdSnapshots = { schedule: "0 25 * * *" }), /homelab:cluster\.etcdSnapshots\.schedule: "0 25 \* \* \*" is not a five-field cron schedule/],
  ["an SSH host that is neither a name nor an address", (r) => (r.nodes[0].ssh = { host: "asuna lan" }), /homelab:nodes\[0\]\.ssh\.host: "asuna lan" is not a host name or IP address/],
  ["an SSH user that is not a login name", (r) => (r.nodes[0].ssh = { user: "Pesu Admin" }), /homelab:nodes\[0\]\.ssh\.user: "Pesu Admin" is not a login name/],
  ["an SSH port out of range", (r) => (r.nodes[0].ssh = { port: 70000 }), /homelab:nodes\[0\]\.ssh\.port: must be at most 65535, got 70000/],
  ["a namespace that is not a DNS label", (r) => (r.namespace = "Home_Lab"), /homelab:namespace: "Home_Lab" is not a valid name/],
  ["a node name with capitals", (r) => (r.nodes[0].name = "Asuna"), /homelab:nodes\[0\]\.name: "Asuna" is not a valid node name/],
  ["an interface name with a space", (r) => (r.cluster.flannelIface = "tailscale 0"), /homelab:cluster\.flannelIface: "tailscale 0" is not a network interface name/],
  ["an etcd3 host given as a URL", (r) => (r.workloads.postgres = { dcs: { type: "etcd3", hosts: ["http://etcd:2379"] } }), /homelab:workloads\.postgres\.dcs\.hosts\[0\]: "http:\/\/etcd:2379" has a URL scheme/],
  ["a database listed twice", (r) => (r.workloads.postgres.databases = ["n8n", "n8n"]), /homelab:workloads\.postgres\.databases\[1\]: "n8n" is listed twice/],
  ["an IPv6 trusted proxy prefix too long", (r) => (r.ingress.traefik.trustedProxies = ["fd7a:115c:a1e0::/129"]), /homelab:ingress\.traefik\.trustedProxies\[0\]: "fd7a:115c:a1e0::\/129": an IPv6 prefix is at most \/128/],
  ["a migrateFrom that is not a node name", (r) => (r.workloads.qdrant.migrateFrom = "old node"), /homelab:workloads\.qdrant\.migrateFrom: "old node" is not a valid node name/],
  ["a stateful service pinned to a node without its role", (r) => (r.workloads.qdrant.node = "pesubuntu"), /homelab:workloads\.qdrant\.node: qdrant runs on a node with role "service", and pesubuntu does not have it\n\s+fix: pin it to asuna, or add "service" to the roles of pesubuntu/],
  ["an unknown flannel backend", (r) => (r.cluster.flannelBackend = "wireguard"), /homelab:cluster\.flannelBackend: must be one of vxlan, wireguard-native, host-gw, none, got "wireguard"/],
  ["an unknown key inside a node", (r) => (r.nodes[0].adress = "100.81.76.55"), /homelab:nodes\[0\]\.adress: unknown setting "adress"\n\s+fix: did you mean "address"\?/],
  // The AI stack (components/ai, stacks/ai.ts).
  ["GPU Ollama on a stack without a GPU node", (r) => (r.nodes[1].roles = ["compute"]), /homelab:workloads\.ollama\.mode: Ollama in gpu mode \(the default\) needs a node with role "gpu", and the stack has none\n\s+fix: add the gpu role to a node with an NVIDIA GPU, or set homelab:workloads\.ollama\.mode: cpu/],
  ["GPU Ollama pinned to a node without the gpu role", (r) => (r.workloads.ollama.node = "asuna"), /homelab:workloads\.ollama\.node: ollama runs on a node with role "gpu", and asuna does not have it\n\s+fix: pin it to pesubuntu/],
  ["an unknown Ollama mode", (r) => (r.workloads.ollama.mode = "tpu"), /homelab:workloads\.ollama\.mode: must be one of gpu, cpu, got "tpu"/],
  ["an Ollama model without a tag", (r) => (r.workloads.ollama.models = ["llama3.1"]), /homelab:workloads\.ollama\.models\[0\]: "llama3\.1" is not an Ollama model with a pinned tag\n\s+fix: write name:tag/],
  ["an Ollama model on :latest", (r) => (r.workloads.ollama.models = ["nomic-embed-text:v1.5", "llama3.1:latest"]), /homelab:workloads\.ollama\.models\[1\]: "llama3\.1:latest" is not an Ollama model with a pinned tag/],
  ["an Ollama model name with a space", (r) => (r.workloads.ollama.models = ["llama 3:8b"]), /homelab:workloads\.ollama\.models\[0\]: "llama 3:8b" is not an Ollama model/],
  ["an Ollama model listed twice", (r) => (r.workloads.ollama.models = ["llama3.1:8b", "nomic-embed-text:v1.5", "llama3.1:8b"]), /homelab:workloads\.ollama\.models\[2\]: "llama3\.1:8b" is listed twice/],
  ["a keep-alive that is not a duration", (r) => (r.workloads.ollama.keepAlive = "five minutes"), /homelab:workloads\.ollama\.keepAlive: "five minutes" is not a keep-alive duration/],
  ["more GPUs than a pod may ask", (r) => (r.workloads.ollama.gpus = 9), /homelab:workloads\.ollama\.gpus: must be between 1 and 8, got 9/],
  ["Mem0 without an image", (r) => delete r.workloads.mem0.image, /homelab:workloads\.mem0\.image: Mem0 is enabled but has no image.*\n\s+fix: build mem0ai\/mem0 server\//],
  ["Mem0 on a mutable image tag", (r) => (r.workloads.mem0.image.tag = "latest"), /homelab:workloads\.mem0\.image\.tag: "latest" is not a pinned version tag/],
  ["Mem0's LLM not among the pulled models", (r) => (r.workloads.mem0.llmModel = "qwen2.5:7b"), /homelab:workloads\.mem0\.llmModel: "qwen2\.5:7b" is not in homelab:workloads\.ollama\.models, so Ollama would not have it\n\s+fix: add "qwen2\.5:7b" to homelab:workloads\.ollama\.models/],
  ["Mem0's database not among the app databases", (r) => (r.workloads.postgres.databases = ["family_assistant", "n8n"]), /homelab:workloads\.postgres\.databases: Mem0 uses the database "mem0" \(homelab:workloads\.mem0\.database\), which is not listed\n\s+fix: add mem0 to/],
  ["Mem0 with Ollama disabled", (r) => (r.workloads.ollama.enabled = false), /homelab:workloads\.mem0\.enabled: Mem0 needs Ollama for its LLM and embeddings, and Ollama is disabled/],
  ["Mem0 with Qdrant disabled", (r) => (r.workloads.qdrant.enabled = false), /homelab:workloads\.mem0\.enabled: Mem0 stores its memories in Qdrant, and Qdrant is disabled/],
  // MinIO: erasure layout, parity, buckets and their consumers.
  ["MinIO with 3 drives", (r) => (r.workloads.minio = { ...r.workloads.minio, replicas: 3, drivesPerPod: 1 }), /homelab:workloads\.minio\.replicas: 3 drives \(3 pods × 1\) cannot form erasure sets of 4-16 drives \(MinIO would use sets of 3\)\n\s+fix: use 4 pods/],
  ["MinIO parity 3 on 4 drives", (r) => (r.workloads.minio = { ...r.workloads.minio, parity: 3 }), /homelab:workloads\.minio\.parity: EC:3 on erasure sets of 4 drives: parity may be at most half a set \(2\)\n\s+fix: lower parity to 2 or add drives/],
  ["a MinIO bucket consumer that does not exist", (r) => (r.workloads.minio = { ...r.workloads.minio, buckets: [{ name: "backups", consumers: ["postgres", "immich"] }] }), /homelab:workloads\.minio\.buckets\[0\]\.consumers\[1\]: "immich" is not a workload of the stack \(enabled: [A-Za-z0-9, ]+\)\n\s+fix: name an enabled workload/],
  ["a MinIO bucket consumer that is disabled", (r) => { r.workloads.qdrant.enabled = false; r.workloads.minio = { ...r.workloads.minio, buckets: [{ name: "snapshots", consumers: ["qdrant"] }] }; }, /homelab:workloads\.minio\.buckets\[0\]\.consumers\[0\]: "qdrant" is disabled \(homelab:workloads\.qdrant\.enabled: false\)/],
  ["a MinIO bucket declared twice", (r) => (r.workloads.minio = { ...r.workloads.minio, buckets: [{ name: "backups", consumers: ["postgres"] }, { name: "backups", consumers: ["qdrant"] }] }), /homelab:workloads\.minio\.buckets\[1\]\.name: bucket "backups" is declared twice/],
  ["a MinIO bucket name S3 refuses", (r) => (r.workloads.minio = { ...r.workloads.minio, buckets: [{ name: "Postgres_Backups", consumers: ["postgres"] }] }), /homelab:workloads\.minio\.buckets\[0\]\.name: "Postgres_Backups" is not a usable bucket name/],
  ["MinIO spread over a node the stack does not have", (r) => (r.workloads.minio = { ...r.workloads.minio, nodes: ["asuna", "kirito"] }), /homelab:workloads\.minio\.nodes: "kirito" is not in homelab:nodes \(nodes: asuna, pesubuntu\)/],
  ["MinIO pinned like a single-node service", (r) => (r.workloads.minio = { ...r.workloads.minio, node: "asuna" }), /homelab:workloads\.minio\.node: MinIO is not pinned to one node\n\s+fix: list the nodes/],
  ["the MinIO console on the dashboard's host", (r) => (r.workloads.minio = { ...r.workloads.minio, console: { subdomain: "dash" } }), /homelab:workloads\.minio\.console\.subdomain: host dash\.homelab\.pesulabs\.net is already routed by homelab:ingress\.dashboard\.host/],
  ["a MinIO image on latest", (r) => (r.workloads.minio = { ...r.workloads.minio, image: { repository: "quay.io/minio/minio", tag: "latest" } }), /homelab:workloads\.minio\.image\.tag: "latest" is not a pinned version tag/],
  // Redis, n8n and the Family Assistant.
  ["a Family Assistant image on latest", (r) => (r.workloads.familyAssistant.backend.image = "ghcr.io/pesulabs/family-assistant-backend:latest"), /homelab:workloads\.familyAssistant\.backend\.image: tag "latest" of ghcr\.io\/pesulabs\/family-assistant-backend is not a pinned version.*\n\s+fix: pin a version tag/],
  ["a Family Assistant image without a tag", (r) => (r.workloads.familyAssistant.backend.image = "ghcr.io/pesulabs/family-assistant-backend"), /homelab:workloads\.familyAssistant\.backend\.image: "ghcr\.io\/pesulabs\/family-assistant-backend" has no tag\n\s+fix: pin a version tag/],
  ["a frontend image on a branch tag", (r) => (r.workloads.familyAssistant.frontend.image = "ghcr.io/pesulabs/family-assistant-frontend:main"), /homelab:workloads\.familyAssistant\.frontend\.image: tag "main" .* is not a pinned version/],
  ["the Family Assistant enabled without a backend image", (r) => delete r.workloads.familyAssistant.backend, /homelab:workloads\.familyAssistant\.backend\.image: is required when the Family Assistant is enabled/],
  ["a NodePort below the range", (r) => (r.workloads.familyAssistant.nodePort = 8001), /homelab:workloads\.familyAssistant\.nodePort: must be between 30000 and 32767, got 8001/],
  ["a NodePort above the range", (r) => (r.workloads.familyAssistant.nodePort = 32768), /homelab:workloads\.familyAssistant\.nodePort: must be between 30000 and 32767, got 32768/],
  ["a NodePort client that is not a CIDR", (r) => (r.workloads.familyAssistant.nodePortFrom = ["tailnet"]), /homelab:workloads\.familyAssistant\.nodePortFrom\[0\]: "tailnet" is not a CIDR/],
  ["the Family Assistant without its database", (r) => (r.workloads.postgres.databases = ["n8n", "mem0"]), /homelab:workloads\.familyAssistant\.enabled: familyAssistant needs the database "family_assistant", which homelab:workloads\.postgres\.databases does not list\n\s+fix: add family_assistant to homelab:workloads\.postgres\.databases/],
  ["n8n without its database", (r) => (r.workloads.postgres.databases = ["family_assistant"]), /homelab:workloads\.n8n\.enabled: n8n needs the database "n8n"/],
  ["the apps with PostgreSQL disabled", (r) => (r.workloads.postgres.enabled = false), /homelab:workloads\.familyAssistant\.enabled: familyAssistant needs PostgreSQL, and workloads\.postgres is disabled/],
  ["Redis with two replicas", (r) => (r.workloads.redis.replicas = 2), /homelab:workloads\.redis\.replicas: Redis runs as a single pinned replica here/],
  ["Redis pinned to a node without the service role", (r) => (r.workloads.redis.node = "pesubuntu"), /homelab:workloads\.redis\.node: redis runs on a node with role "service", and pesubuntu does not have it/],
  ["n8n pinned to a node without the compute role", (r) => (r.workloads.n8n.node = "asuna"), /homelab:workloads\.n8n\.node: n8n runs on a node with role "compute", and asuna does not have it/],
  ["the Family Assistant pinned to a node without the compute role", (r) => (r.workloads.familyAssistant.node = "asuna"), /homelab:workloads\.familyAssistant\.node: family-assistant runs on a node with role "compute", and asuna does not have it/],
];

describe("bad configs are rejected, naming the field", () => {
  it("the committed homelab stack is valid", () => expect(problemsOf(homelab())).toBe(""));

  it.each(cases)("%s: render exits 2 naming the field", async (_name, mutate, expected) => {
    const raw = homelab();
    mutate(raw);
    const r = await renderRaw(raw);
    expect(r.stderr).toMatch(expected);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(tmp, "out", `case${n}`))).toBe(false);
  });

  it("a secret written in clear is never printed, neither by render nor in the ConfigError", async () => {
    const raw = homelab();
    raw.sshPrivateKey = PRIVATE_KEY;
    const r = await renderRaw(raw);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/homelab:sshPrivateKey: is a secret written in clear/);
    expect(r.stderr).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    const split = splitConfig({ "homelab:domain": "a.net", "homelab:sshPrivateKey": PRIVATE_KEY }, []);
    expect(split.secretsInClear).toEqual(["sshPrivateKey"]);
    expect(split.raw).not.toHaveProperty("sshPrivateKey");
    expect(splitConfig({ "homelab:sshPrivateKey": PRIVATE_KEY }, ["homelab:sshPrivateKey"]).secretsInClear).toEqual([]);
  });

  it("loadStack finds a secret in clear from the runtime's secret keys (what pulumi preview/up passes)", () => {
    const pulumi = require("@pulumi/pulumi");
    const { loadStack } = require("../../stacks");
    const config = Object.fromEntries(Object.entries(homelab()).map(([k, v]) => [`homelab:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
    const load = (secretKeys: string[]) => {
      pulumi.runtime.setAllConfig({ ...config, "homelab:sshPrivateKey": PRIVATE_KEY, "homelab:cloudflareApiToken": "t" }, [...secretKeys, "homelab:cloudflareApiToken"]);
      try {
        loadStack({ requireSecrets: true });
        return "";
      } catch (e) {
        return (e as Error).message;
      } finally {
        pulumi.runtime.setAllConfig({}, []);
      }
    };
    process.env.HOMELAB_QUIET_WARNINGS = "1";
    expect(load([])).toMatch(/homelab:sshPrivateKey: is a secret written in clear/);
    expect(load(["homelab:sshPrivateKey"])).toBe("");
  });

  it("cluster.flannelBackend: defaults from the node addresses, can be set, and VXLAN over public addresses is warned about", () => {
    const ok = (raw: Raw) => validateRaw("t", { raw, secretsPresent: [] }, { requireSecrets: false });
    expect(ok(homelab()).config.cluster).toMatchObject({ flannelBackend: "vxlan", secretsEncryption: true });
    const prod = JSON.parse(JSON.stringify(splitConfig(readStackFile("prod").config).raw));
    expect(ok(prod).config.cluster.flannelBackend).toBe("wireguard-native");
    prod.cluster.flannelBackend = "vxlan";
    prod.cluster.secretsEncryption = false;
    const v = ok(prod);
    expect(v.config.cluster).toMatchObject({ flannelBackend: "vxlan", secretsEncryption: false });
    expect(v.warnings.join("\n")).toMatch(/homelab:cluster\.flannelBackend is vxlan while ubuntu-8gb-hil-1, ubuntu-8gb-ash-1, ubuntu-8gb-ash-2 use public addresses/);
  });

  it("a changed volume template against the last deployment is refused in the validation pass, unless accepted", () => {
    const previousVolumeTemplates = { qdrant: [{ name: "storage", size: "20Gi", storageClass: "local-path" }] };
    const raw = homelab();
    expect(() => validateRaw("t", { raw, secretsPresent: [] }, { requireSecrets: false, previousVolumeTemplates })).not.toThrow();
    raw.workloads.qdrant.storage = "50Gi";
    expect(() => validateRaw("t", { raw, secretsPresent: [] }, { requireSecrets: false, previousVolumeTemplates })).toThrow(
      /homelab:workloads\.qdrant\.storage: qdrant's volume template "storage" changes size from 20Gi to 50Gi/,
    );
    raw.workloads.qdrant.acceptVolumeTemplateChange = true;
    expect(validateRaw("t", { raw, secretsPresent: [] }, { requireSecrets: false, previousVolumeTemplates }).config.workloads.qdrant.storage).toBe("50Gi");
  });

  it("loadStack (what pulumi preview/up runs) refuses a misspelt namespace prefix, naming it", () => {
    const pulumi = require("@pulumi/pulumi");
    const { loadStack } = require("../../stacks");
    const config = Object.fromEntries(Object.entries(homelab()).map(([k, v]) => [`homelab:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
    const { ["homelab:domain"]: domain, ...rest } = config;
    pulumi.runtime.setAllConfig({ ...rest, "homelb:domain": domain }, []);
    process.env.HOMELAB_QUIET_WARNINGS = "1";
    try {
      expect(() => loadStack({ requireSecrets: false })).toThrow(/homelb:domain: is in namespace "homelb", not "homelab".*\n\s+fix: rename it to homelab:domain/);
      expect(() => loadStack({ requireSecrets: false })).not.toThrow(/homelab:domain: is required/);
    } finally {
      pulumi.runtime.setAllConfig({}, []);
    }
  });

  it("a malformed quantity is one problem, with no follow-on capacity error for the same node", () => {
    const node = homelab();
    node.nodes[0].memory = "8GB";
    expect(problemsOf(node)).toMatch(/\(1 problem\)[\s\S]*homelab:nodes\[0\]\.memory: "8GB" is not a valid Kubernetes memory/);
    const request = homelab();
    request.workloads.qdrant.resources = { memory: "7.5GB" };
    expect(problemsOf(request)).toMatch(/\(1 problem\)[\s\S]*homelab:workloads\.qdrant\.resources\.memory: "7\.5GB" is not a valid/);
  });

  it("reports every problem at once", () => {
    const raw = homelab();
    raw.nodes[1].name = "asuna";
    raw.nodes[0].memory = "8GB";
    raw.domain = "-bad-";
    const msg = problemsOf(raw);
    expect(msg).toMatch(/\(3 problems\)/);
    expect(msg).toMatch(/nodes\[1\]\.name/);
    expect(msg).toMatch(/nodes\[0\]\.memory/);
    expect(msg).toMatch(/homelab:domain/);
  });

  it("a workload needing a GPU with no GPU node is rejected", () => {
    const { onRole } = require("../../components/kit");
    const raw = homelab();
    raw.nodes[1].roles = ["compute"];
    const problems = new Problems();
    const { config: cfg } = parseStack("t", raw, []);
    const planned = planWorkloads(cfg!);
    const c = { ...planned[0].spec.containers[0], mounts: [] };
    const gpuWorkload = { ...planned[0].spec, containers: [c], identity: { name: "llm", component: "ai" }, kind: "Deployment" as const, volumeClaims: undefined, placement: onRole("gpu") };
    validateStack(cfg!, [...planned, { spec: gpuWorkload, path: "homelab:workloads.ollama" }], { requireSecrets: false }, problems);
    expect(problems.list.map((p: any) => `${p.path}: ${p.message}`).join("\n")).toMatch(/homelab:workloads\.ollama: llm needs a node with role "gpu" \(a GPU\)/);
  });

  it("a node port used twice in the stack is rejected, naming the second user", () => {
    const problems = new Problems();
    const { config: cfg } = parseStack("t", homelab(), []);
    const planned = planWorkloads(cfg!);
    const fa = planned.find((w) => w.spec.identity.name === "family-assistant")!;
    const other = { ...fa.spec, identity: { name: "other", component: "app" }, extraServices: fa.spec.extraServices!.map((x) => ({ ...x, name: "other-nodeport" })) };
    validateStack(cfg!, [...planned, { spec: other, path: "homelab:workloads.other" }], { requireSecrets: false }, problems);
    expect(problems.list.map((p: any) => `${p.path}: ${p.message}`).join("\n")).toMatch(/homelab:workloads\.other\.nodePort: node port 30801 of Service other-nodeport \(homelab:workloads\.other\), port \w+, is already used by Service [-\w]+ \(homelab:workloads\.familyAssistant\)/);
  });

  it("required anti-affinity beyond the eligible nodes is rejected", () => {
    const { onRole } = require("../../components/kit");
    const problems = new Problems();
    const { config: cfg } = parseStack("t", homelab(), []);
    const base = planWorkloads(cfg!)[0].spec;
    const spread = { ...base, identity: { name: "db", component: "x" }, replicas: 3, placement: onRole("service", "required") };
    validateStack(cfg!, [{ spec: spread, path: "homelab:workloads.postgres" }], { requireSecrets: false }, problems);
    expect(problems.list.map((p: any) => `${p.path}: ${p.message}`).join("\n")).toMatch(/homelab:workloads\.postgres\.replicas: 3 replicas must each run on their own node, but only 1 node\(s\) have role "service"/);
  });

  it("a real deploy (requireSecrets) refuses a missing SSH key; a render only warns", () => {
    expect(() => validateRaw("t", { raw: homelab(), secretsPresent: [] }, { requireSecrets: true })).toThrow(/homelab:sshPrivateKey: is not set/);
    const ok = validateRaw("t", { raw: homelab(), secretsPresent: [] }, { requireSecrets: false });
    expect(ok.warnings.join("\n")).toMatch(/sshPrivateKey is not set/);
  });
});

describe("a config the schema accepts never crashes a component", () => {
  // Edge values each format allows; a component guard that is stricter than the schema would turn
  // them into a program crash (exit 1) in the middle of a real pulumi up.
  const edges: [string, (r: Raw) => void][] = [
    ["a node name with dots", (r) => { r.nodes[1].name = "pesubuntu.lan"; }],
    ["an SSH user with a dot and a host name", (r) => (r.nodes[0].ssh = { user: "pesu.admin", host: "asuna.tailnet.ts.net", port: 2222 })],
    // Taints Traefik tolerates, so the two-replica ingress still fits.
    ["prefixed taints of every effect", (r) => (r.nodes[1].taints = ["nvidia.com/gpu=true:PreferNoSchedule", "dedicated:PreferNoSchedule", "CriticalAddonsOnly=true:NoExecute", "node-role.kubernetes.io/control-plane:NoSchedule"])],
    ["a cron schedule with lists, ranges and steps", (r) => (r.cluster.etcdSnapshots = { schedule: "*/15 0-23/2 1,15 * 1-5", retention: 1 })],
    ["an interface name with a dot and a colon", (r) => (r.cluster.flannelIface = "eth0.10:1")],
    ["a removed node with dots in its name", (r) => (r.cluster.uninstall = ["old.node"])],
    ["IPv6 node addresses", (r) => { r.nodes[0].lanAddress = "fd00::185"; r.nodes[1].lanAddress = "fd00::129"; }],
    ["numbers where quantities are strings", (r) => { r.nodes[0].cpu = 4; r.workloads.qdrant.resources = { cpu: 0.5, memory: "600Mi" }; }],
    ["Ollama in cpu mode (on the compute node), a numeric keep-alive and models from a registry host", (r) => { r.workloads.ollama.mode = "cpu"; r.workloads.ollama.keepAlive = -1; r.workloads.ollama.models.push("hf.co/bartowski/qwen2.5-0.5b-instruct-gguf:Q4_K_M"); }],
    ["no GPU node with Ollama and Mem0 off", (r) => { r.nodes[1].roles = ["compute"]; r.workloads.ollama = { enabled: false }; r.workloads.mem0 = { enabled: false }; }],
  ];
  it.each(edges)("%s: render accepts it (exit 0, no crash)", async (_name, mutate) => {
    const raw = homelab();
    mutate(raw);
    const r = await renderRaw(raw);
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
  });
});
