// What validateStack tells a homelab user, word for word: the config path each problem names, its
// message and the fix it proposes, and the exact warnings. Small in-memory stacks (no rendering) with
// hand-built workloads, so every figure below is worked out by hand.
//
// The stack: alpha (service, k3s server, 4 CPUs, 8Gi) and beta (compute, k3s agent, 2 CPUs, 12Gi),
// 10 % system reserve (the default), monitoring off, Traefik with 2 replicas of 100m / 64Mi / 64Mi
// (one per node: its spread is required).
// - alpha: the server floor wins for both (500m, 1.5Gi) → 3500m and 6.5Gi allocatable.
// - beta: CPU 10 % = 200m is below the agent floor 250m → 1750m allocatable ("the k3s agent floor");
//   memory 10 % = floor(12884901888 / 10) = 1288490188 bytes (1.2Gi) is above the 512Mi floor →
//   11596411700 bytes (10.8Gi) allocatable ("10%"). 85 % of that is 9856949945 bytes exactly.
import { IMAGES, Placement, ResourceSpec, onRole, overNodes, pinned } from "../../components/kit";
import { PlannedWorkload, Problem, Problems, validateStack } from "../../stacks";
import { Raw, parsedConfig } from "../lib/stack-config";

const ALPHA = { name: "alpha", roles: ["service"], k3s: "server", cpu: "4", memory: "8Gi", address: "10.0.0.1" };
const BETA = { name: "beta", roles: ["compute"], k3s: "agent", cpu: "2", memory: "12Gi", address: "10.0.0.2" };
const TRAEFIK_MEMORY = 64 * 2 ** 20;

function stack(over: Raw = {}): Raw {
  return {
    domain: "lab.test",
    cluster: { mode: "k3s" },
    nodes: [{ ...ALPHA }, { ...BETA }],
    ingress: { certificates: { issuer: "selfsigned" }, traefik: { replicas: 2, resources: { cpu: "100m", memory: "64Mi", memoryLimit: "64Mi" } } },
    workloads: { postgres: { enabled: false }, qdrant: { enabled: false } },
    observability: { enabled: false },
    ...over,
  };
}

const MONITORING_OFF = "homelab:observability.enabled is false: nothing is scraped and no alert can fire";

function validate(raw: Raw, planned: PlannedWorkload[] = [], o: { secrets?: string[]; requireSecrets?: boolean } = {}): { problems: Problem[]; warnings: string[] } {
  const problems = new Problems();
  const { warnings } = validateStack(parsedConfig(raw, o.secrets ?? ["sshPrivateKey", "kubeconfig"]), planned, { requireSecrets: o.requireSecrets ?? false }, problems);
  return { problems: problems.list, warnings };
}

/** A one-container workload `name` at homelab:workloads.<key>. */
function workload(
  key: string,
  name: string,
  placement: Placement,
  resources: Partial<ResourceSpec>,
  o: { replicas?: number; nodePort?: number; extraNodePort?: number } = {},
): PlannedWorkload {
  const probe = { action: { tcp: { port: "http" } } };
  const nodePort = (n: number) => ({ nodePorts: { http: n }, nodePortFrom: ["100.64.0.0/10"] });
  return {
    path: `homelab:workloads.${key}`,
    spec: {
      identity: { name, component: "test" },
      kind: "Deployment",
      replicas: o.replicas ?? 1,
      placement,
      containers: [
        {
          name: "main",
          image: IMAGES.qdrant,
          ports: [{ name: "http", containerPort: 8080 }],
          readiness: probe,
          liveness: probe,
          resources: { cpu: "10m", memory: "16Mi", memoryLimit: "16Mi", ...resources },
        },
      ],
      service: { ports: ["http"], ...(o.nodePort ? nodePort(o.nodePort) : {}) },
      ...(o.extraNodePort ? { extraServices: [{ name: `${name}-direct`, ports: ["http"], ...nodePort(o.extraNodePort) }] } : {}),
    },
  };
}

describe("cluster secrets", () => {
  it("a k3s stack without the SSH key only warns on an offline render, with the command that sets it", () => {
    expect(validate(stack(), [], { secrets: [] })).toEqual({
      problems: [],
      warnings: ["homelab:sshPrivateKey is not set: pulumi up will need it (pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/id_ed25519)", MONITORING_OFF],
    });
  });

  it("an existing-cluster stack needs the kubeconfig, not the SSH key: a deployment is refused without it", () => {
    const raw = stack({ cluster: { mode: "existing" } });
    expect(validate(raw, [], { secrets: ["sshPrivateKey"], requireSecrets: true }).problems).toEqual([
      { path: "homelab:kubeconfig", message: 'is not set (cluster mode "existing" needs it)', fix: "run: pulumi config set --secret homelab:kubeconfig < ~/.kube/config" },
    ]);
  });

  it("an existing cluster's nodes are not checked for k3s servers: all agents is fine", () => {
    const raw = stack({ cluster: { mode: "existing" }, nodes: [{ ...ALPHA, k3s: "agent" }, { ...BETA }] });
    raw.ingress.traefik.chartMajor = 40;
    expect(validate(raw, [], { requireSecrets: true })).toEqual({ problems: [], warnings: [MONITORING_OFF] });
  });
});

describe("flannel backend and public node addresses", () => {
  const WARNING = "homelab:cluster.flannelBackend is host-gw while beta, gamma use public addresses: pod traffic between nodes would cross the internet unencrypted; use wireguard-native (the default)";
  const publicNodes = [{ ...ALPHA }, { ...BETA, address: "203.0.113.7" }, { ...BETA, name: "gamma", address: "198.51.100.9" }];

  it("an unencrypted backend over public addresses warns, naming only the public nodes", () => {
    const raw = stack({ cluster: { mode: "k3s", flannelBackend: "host-gw" }, nodes: publicNodes });
    expect(validate(raw).warnings).toEqual([WARNING, MONITORING_OFF]);
  });

  it.each([
    ["wireguard-native encrypts", { flannelBackend: "wireguard-native" }, publicNodes],
    ["none leaves pod networking to the user", { flannelBackend: "none" }, publicNodes],
    ["every address is private (tailnet, LAN)", { flannelBackend: "vxlan" }, [{ ...ALPHA }, { ...BETA, address: "100.86.122.109" }]],
    ["a single node has no peer to talk to", { flannelBackend: "vxlan" }, [{ ...ALPHA, roles: ["service", "compute"], address: "203.0.113.7" }]],
  ])("no warning when %s", (_why, cluster, nodes) => {
    const raw = stack({ cluster: { mode: "k3s", ...cluster }, nodes, ingress: { certificates: { issuer: "selfsigned" } } });
    expect(validate(raw).warnings).toEqual([MONITORING_OFF]);
  });
});

describe("k3s servers and uninstall", () => {
  it("no server: names the setting to add", () => {
    const raw = stack({ nodes: [{ ...ALPHA, k3s: "agent" }, { ...BETA }] });
    expect(validate(raw).problems).toEqual([{ path: "homelab:nodes", message: "no node has k3s: server", fix: "set k3s: server on one node (or three for HA)" }]);
  });

  it("an even number of servers: names them and proposes one fewer or one more", () => {
    const raw = stack({ nodes: [{ ...ALPHA }, { ...BETA, k3s: "server" }] });
    expect(validate(raw).problems).toEqual([
      {
        path: "homelab:nodes",
        message: "2 k3s servers (alpha, beta): embedded etcd needs an odd number for quorum",
        fix: "make 1 or 3 nodes servers (k3s: server), the rest agents",
      },
    ]);
  });

  it("uninstalling a node still in the stack names the entry of the uninstall list", () => {
    const raw = stack({ cluster: { mode: "k3s", uninstall: ["gamma", "beta"] } });
    expect(validate(raw).problems).toEqual([
      { path: "homelab:cluster.uninstall[1]", message: 'node "beta" is still in the stack', fix: "remove the node from homelab:nodes first, or drop it from uninstall" },
    ]);
  });
});

describe("workload placement", () => {
  it("a workload spec the kit refuses is reported at the workload's path", () => {
    const w = workload("web", "web", pinned("beta"), {}, { replicas: 0 });
    expect(validate(stack(), [w]).problems).toEqual([
      { path: "homelab:workloads.web", message: "workload web: replicas must be a whole number ≥ 1, got 0", fix: "fix the workload's settings" },
    ]);
  });

  it("pinned to a node the stack does not have: lists the stack's nodes", () => {
    expect(validate(stack(), [workload("web", "web", pinned("gamma"), {})]).problems).toEqual([
      { path: "homelab:workloads.web.node", message: 'node "gamma" is not in homelab:nodes (nodes: alpha, beta)', fix: "name one of the stack's nodes" },
    ]);
  });

  it("pinned to a node without the role it needs, when no node has the role: add the role", () => {
    expect(validate(stack(), [workload("web", "web", pinned("alpha", "gpu"), {})]).problems).toEqual([
      { path: "homelab:workloads.web.node", message: 'web runs on a node with role "gpu", and alpha does not have it', fix: 'add "gpu" to the roles of alpha' },
    ]);
  });

  it("pinned to a node without the role it needs: proposes every node that has it", () => {
    const raw = stack({ nodes: [{ ...ALPHA }, { ...BETA }, { ...BETA, name: "gamma", address: "10.0.0.3" }] });
    expect(validate(raw, [workload("web", "web", pinned("alpha", "compute"), {})]).problems).toEqual([
      {
        path: "homelab:workloads.web.node",
        message: 'web runs on a node with role "compute", and alpha does not have it',
        fix: 'pin it to beta or gamma, or add "compute" to the roles of alpha',
      },
    ]);
  });

  it("spread over one node the stack does not have: names it", () => {
    expect(validate(stack(), [workload("store", "store", overNodes(["alpha", "gamma"]), {})]).problems).toEqual([
      { path: "homelab:workloads.store.nodes", message: '"gamma" is not in homelab:nodes (nodes: alpha, beta)', fix: "name the stack's nodes" },
    ]);
  });

  it("spread over several nodes the stack does not have: names them all", () => {
    expect(validate(stack(), [workload("store", "store", overNodes(["gamma", "alpha", "delta"]), {})]).problems).toEqual([
      { path: "homelab:workloads.store.nodes", message: '"gamma", "delta" are not in homelab:nodes (nodes: alpha, beta)', fix: "name the stack's nodes" },
    ]);
  });

  it("a GPU workload on a stack without a GPU node: add the role, or disable the workload", () => {
    expect(validate(stack(), [workload("llm", "llm", onRole("gpu"), {})]).problems).toEqual([
      {
        path: "homelab:workloads.llm",
        message: 'llm needs a node with role "gpu" (a GPU), and the stack has none',
        fix: "add the gpu role to a node with an NVIDIA GPU, or set homelab:workloads.llm.enabled: false",
      },
    ]);
  });

  it("a workload on a role no node has: add the role to a node", () => {
    const raw = stack({ nodes: [{ ...ALPHA, roles: ["service", "gpu"] }, { ...BETA, roles: ["service"] }] });
    expect(validate(raw, [workload("web", "web", onRole("compute"), {})]).problems).toEqual([
      { path: "homelab:workloads.web", message: 'web needs a node with role "compute", and the stack has none', fix: "add the compute role to a node" },
    ]);
  });

  it("more replicas with required spread than nodes with the role: lower replicas or add the role", () => {
    const raw = stack({ nodes: [{ ...ALPHA }, { ...BETA }, { ...BETA, name: "gamma", address: "10.0.0.3" }] });
    expect(validate(raw, [workload("web", "web", onRole("compute", "required"), {}, { replicas: 3 })]).problems).toEqual([
      {
        path: "homelab:workloads.web.replicas",
        message: '3 replicas must each run on their own node, but only 2 node(s) have role "compute" (beta, gamma)',
        fix: "lower replicas to 2 or give more nodes the compute role",
      },
    ]);
  });
});

describe("node capacity", () => {
  it("pod memory requests over a second node's allocatable name that node, the figures, the reserve's reason and the memory setting", () => {
    const w = workload("web", "web", pinned("beta"), { memory: "11Gi", memoryLimit: "11Gi" });
    expect(validate(stack(), [w])).toEqual({
      problems: [
        {
          path: "homelab:nodes[1]",
          message:
            "beta: pod memory requests 11.06Gi exceed the 10.8Gi allocatable (12Gi minus the 1.2Gi system reserve, 10%); workloads there: homelab:ingress.traefik.resources, homelab:workloads.web.resources",
          fix: "lower those requests, move a workload to another node, or raise homelab:nodes[1].memory if the machine really has more",
        },
      ],
      // 11.0625Gi of 10.8Gi
      warnings: ["beta: memory requests are at 102% of allocatable", MONITORING_OFF],
    });
  });

  it("pod CPU requests over a node's allocatable name the CPU figures, the CPU reserve's reason and the cpu setting", () => {
    const w = workload("web", "web", pinned("beta"), { cpu: "1700m" });
    expect(validate(stack(), [w]).problems).toEqual([
      {
        path: "homelab:nodes[1]",
        message:
          "beta: pod CPU requests 1800m exceed the 1750m allocatable (2 minus the 250m system reserve, the k3s agent floor); workloads there: homelab:ingress.traefik.resources, homelab:workloads.web.resources",
        fix: "lower those requests, move a workload to another node, or raise homelab:nodes[1].cpu if the machine really has more",
      },
    ]);
  });

  it("replicas of a workload are listed once, by the workload's path, whatever their number or the workload's name", () => {
    // 11 pods "job-1-0" … "job-1-10" of 1Gi each on beta: 11Gi + 64Mi (pods in name order: job-1-*, traefik-0).
    const w = workload("jobs", "job-1", overNodes(["beta"]), { memory: "1Gi", memoryLimit: "1Gi" }, { replicas: 11 });
    expect(validate(stack(), [w]).problems).toEqual([
      {
        path: "homelab:nodes[1]",
        message:
          "beta: pod memory requests 11.06Gi exceed the 10.8Gi allocatable (12Gi minus the 1.2Gi system reserve, 10%); workloads there: homelab:workloads.jobs.resources, homelab:ingress.traefik.resources",
        fix: "lower those requests, move a workload to another node, or raise homelab:nodes[1].memory if the machine really has more",
      },
    ]);
  });
});

describe("node memory warnings", () => {
  const CAPACITY = 12 * 2 ** 30;
  const THRESHOLD = 9856949945; // 85 % of beta's 11596411700 allocatable bytes
  const onBeta = (memory: number, memoryLimit: number) => workload("web", "web", pinned("beta"), { memory: String(memory - TRAEFIK_MEMORY), memoryLimit: String(memoryLimit - TRAEFIK_MEMORY) });

  it("memory limits above the node's memory warn with both figures", () => {
    expect(validate(stack(), [onBeta(2 ** 30, 12.5 * 2 ** 30)]).warnings).toEqual([
      "beta: memory limits add up to 12.5Gi of 12Gi (512Mi over): if every pod used its limit at once the node would run out of memory",
      MONITORING_OFF,
    ]);
    expect(validate(stack(), [onBeta(2 ** 30, 13 * 2 ** 30)]).warnings).toEqual([
      "beta: memory limits add up to 13Gi of 12Gi (1Gi over): if every pod used its limit at once the node would run out of memory",
      MONITORING_OFF,
    ]);
    // Totals that round to the same figure still show how far over they are.
    expect(validate(stack(), [onBeta(2 ** 30, CAPACITY + 2 ** 20)]).warnings).toEqual([
      "beta: memory limits add up to 12Gi of 12Gi (1Mi over): if every pod used its limit at once the node would run out of memory",
      MONITORING_OFF,
    ]);
  });

  it("memory limits adding up to exactly the node's memory do not warn", () => {
    expect(validate(stack(), [onBeta(2 ** 30, CAPACITY)]).warnings).toEqual([MONITORING_OFF]);
  });

  it("limits over the node's memory are the one warning, even with requests above 85 %", () => {
    expect(validate(stack(), [onBeta(10 * 2 ** 30, 13 * 2 ** 30)]).warnings).toEqual([
      "beta: memory limits add up to 13Gi of 12Gi (1Gi over): if every pod used its limit at once the node would run out of memory",
      MONITORING_OFF,
    ]);
  });

  it("memory requests at exactly 85 % of allocatable do not warn; one byte more does, with the percentage", () => {
    expect(validate(stack(), [onBeta(THRESHOLD, THRESHOLD)]).warnings).toEqual([MONITORING_OFF]);
    expect(validate(stack(), [onBeta(THRESHOLD + 1, THRESHOLD + 1)]).warnings).toEqual(["beta: memory requests are at 85% of allocatable", MONITORING_OFF]);
  });

  it("memory requests well below 85 % do not warn", () => {
    expect(validate(stack(), [onBeta(2 ** 30, 2 ** 30)]).warnings).toEqual([MONITORING_OFF]);
  });

  it("the percentage is requests over allocatable", () => {
    // 10.8Gi × 0.9 = 9.72Gi
    expect(validate(stack(), [onBeta(10436770530, 10436770530)]).warnings).toEqual(["beta: memory requests are at 90% of allocatable", MONITORING_OFF]);
  });
});

describe("node ports", () => {
  const web = (o: { nodePort?: number; extraNodePort?: number }) => workload("web", "web", pinned("beta"), {}, o);
  const api = (o: { nodePort?: number; extraNodePort?: number }) => workload("api", "api", pinned("beta"), {}, o);
  it.each([
    ["two workloads on one node port: the second is refused, naming the first", [web({ nodePort: 30080 }), api({ nodePort: 30080 })], "api", "Service api (homelab:workloads.api)"],
    ["a node port on an extra Service collides too", [web({ nodePort: 30080 }), api({ extraNodePort: 30080 })], "api", "Service api-direct (homelab:workloads.api)"],
    ["two Services of one workload on one node port collide as well (Kubernetes refuses the second)", [web({ nodePort: 30080, extraNodePort: 30080 })], "web", "Service web-direct (homelab:workloads.web)"],
  ])("%s", (_name, workloads, key, second) => {
    expect(validate(stack(), workloads).problems).toEqual([
      {
        path: `homelab:workloads.${key}.nodePort`,
        message: `node port 30080 of ${second}, port http, is already used by Service web (homelab:workloads.web), port http`,
        fix: "choose another port in 30000–32767; every node port must be unique in the cluster",
      },
    ]);
  });

  it("distinct node ports are fine", () => {
    expect(validate(stack(), [web({ nodePort: 30080 }), api({ nodePort: 30081 })]).problems).toEqual([]);
  });
});
