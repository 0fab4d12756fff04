// cert-manager, installed the k3s way (a HelmChart that k3s's helm controller installs), and the
// ClusterIssuers every route's Certificate is signed by. Traefik's own ACME is not used: its
// certificate store cannot be shared by several replicas.
//
// Ordering under a real `pulumi up`: the HelmChart object is created at once, but k3s installs the
// chart asynchronously (a helm-install Job pulls the chart, then the CRDs and the webhook start).
// A ClusterIssuer created before that fails ("no matches for kind"), and one created before the
// webhook answers is refused. So a small Job (wait-for-cert-manager.sh, kubectl from the image
// catalog) waits in the cluster until the CRDs are Established, the webhook is rolled out and a
// server-side dry run of a ClusterIssuer passes; Pulumi awaits Jobs until they complete, and every
// issuer depends on that Job. The same Job waits for Traefik's CRDs (waitForCrds), which k3s also
// installs asynchronously on a new cluster; the Traefik Middlewares and routes wait for it too. Not proven here: no cluster exists on this machine, so the Job ran
// only under the mock runtime. If it times out (600 s, e.g. no route to charts.jetstack.io), the
// deploy fails on the Job with its log, and a second `pulumi up` after fixing the cause continues.
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES, IssuerRef, appLabels, awaitTimeouts, emitDefaultDeny, jobTimeoutMinutes, podSecurityContext, selectorLabels, sortedYaml, toInitContainer } from "../kit";
import {
  CERT_MANAGER_CHART,
  CERT_MANAGER_CRDS,
  CERT_MANAGER_NAMESPACE,
  IssuerChoice,
  KUBE_SYSTEM,
  SELFSIGNED_CA_SECRET,
  SELFSIGNED_ROOT_ISSUER,
  certManagerValues,
  letsEncryptIssuerSpec,
} from "./spec";

export const CLOUDFLARE_TOKEN_SECRET = { name: "cloudflare-api-token", key: "api-token" } as const;
export const READY_JOB = "cert-manager-ready";
/** How long the readiness Job waits for k3s to install cert-manager. */
export const READY_TIMEOUT_SECONDS = 600;
/** The Job's own deadline: the script's wait plus its image pull and retries. */
export const READY_DEADLINE_SECONDS = READY_TIMEOUT_SECONDS + 300;

export type SolverArgs =
  | { readonly kind: "http01" }
  /** DNS-01 through Cloudflare; the token needs Zone:DNS:Edit on the domain's zone. */
  | { readonly kind: "dns01"; readonly provider: "cloudflare"; readonly apiToken: pulumi.Input<string> };

export interface CertManagerArgs {
  /** Which ClusterIssuer signs the routes' certificates. */
  readonly issuer: IssuerChoice;
  /** ACME account e-mail; required for the Let's Encrypt issuers. */
  readonly email?: string;
  /** Default HTTP-01 through Traefik. */
  readonly solver: SolverArgs;
  /** The stack's domain (DNS-01 zone; the self-signed CA's name). */
  readonly domain: string;
  /** More CRDs the readiness Job waits for (e.g. Traefik's, installed just as asynchronously by k3s). */
  readonly waitForCrds?: readonly string[];
}

export function readinessScript(): string {
  return fs.readFileSync(path.join(__dirname, "wait-for-cert-manager.sh"), "utf8");
}

export class CertManager extends pulumi.ComponentResource {
  /** The issuer routes use. */
  readonly issuer: IssuerRef;
  /** What certificates and routes wait for: the readiness Job and the issuers. */
  readonly ready: pulumi.Resource[];
  readonly readyJob: k8s.batch.v1.Job;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:ingress:CertManager", name, {}, opts);
    const labels = appLabels({ name: "cert-manager", component: "certificates" });
    const ns = new k8s.core.v1.Namespace(CERT_MANAGER_NAMESPACE, {
      metadata: {
        name: CERT_MANAGER_NAMESPACE,
        labels: { ...labels, "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" },
      },
    }, { parent: this });

    const chart = new k8s.apiextensions.CustomResource("cert-manager", {
      apiVersion: "helm.cattle.io/v1",
      kind: "HelmChart",
      metadata: { name: "cert-manager", namespace: KUBE_SYSTEM, labels },
      spec: {
        repo: CERT_MANAGER_CHART.repo,
        chart: CERT_MANAGER_CHART.chart,
        version: CERT_MANAGER_CHART.version,
        targetNamespace: CERT_MANAGER_NAMESPACE,
        valuesContent: sortedYaml(certManagerValues()),
      },
    }, { parent: this, dependsOn: [ns] });

    this.readyJob = this.readinessJob(labels, ns, chart, [...CERT_MANAGER_CRDS, ...(args.waitForCrds ?? [])]);
    const after = { parent: this, dependsOn: [this.readyJob] };

    const issuers: pulumi.Resource[] = [];
    const clusterIssuer = (issuerName: string, spec: Record<string, unknown>, deps: pulumi.Resource[] = []) => {
      const r = new k8s.apiextensions.CustomResource(issuerName, {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: issuerName, labels },
        spec,
      }, { ...after, dependsOn: [this.readyJob, ...deps] });
      issuers.push(r);
      return r;
    };

    if (args.issuer === "selfsigned") {
      // A root that signs one CA certificate; the `selfsigned` issuer signs routes with that CA, so
      // a browser needs to trust one certificate (ca.crt of the CA Secret) instead of one per host.
      const root = clusterIssuer(SELFSIGNED_ROOT_ISSUER, { selfSigned: {} });
      const ca = new k8s.apiextensions.CustomResource(SELFSIGNED_CA_SECRET, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: SELFSIGNED_CA_SECRET, namespace: CERT_MANAGER_NAMESPACE, labels },
        spec: {
          isCA: true,
          commonName: `${args.domain} homelab CA`,
          secretName: SELFSIGNED_CA_SECRET,
          duration: "87600h",
          privateKey: { algorithm: "ECDSA", size: 256 },
          issuerRef: { name: SELFSIGNED_ROOT_ISSUER, kind: "ClusterIssuer", group: "cert-manager.io" },
        },
      }, { ...after, dependsOn: [this.readyJob, root] });
      clusterIssuer("selfsigned", { ca: { secretName: SELFSIGNED_CA_SECRET } }, [ca]);
    } else {
      if (!args.email) throw new Error(`the ${args.issuer} issuer needs an e-mail address for the ACME account`);
      let solver: Parameters<typeof letsEncryptIssuerSpec>[2] = { kind: "http01" };
      const deps: pulumi.Resource[] = [];
      if (args.solver.kind === "dns01") {
        deps.push(new k8s.core.v1.Secret(CLOUDFLARE_TOKEN_SECRET.name, {
          metadata: { name: CLOUDFLARE_TOKEN_SECRET.name, namespace: CERT_MANAGER_NAMESPACE, labels },
          type: "Opaque",
          stringData: { [CLOUDFLARE_TOKEN_SECRET.key]: pulumi.secret(args.solver.apiToken) },
        }, { parent: this, dependsOn: [ns] }));
        solver = { kind: "dns01", provider: "cloudflare", tokenSecret: CLOUDFLARE_TOKEN_SECRET };
      }
      // Both Let's Encrypt issuers exist, so switching a stack between them is a config change only.
      for (const which of ["letsencrypt-staging", "letsencrypt"] as const) {
        clusterIssuer(which, letsEncryptIssuerSpec(which, args.email, solver, args.domain), deps);
      }
    }

    this.issuer = { name: args.issuer, kind: "ClusterIssuer", solvesHttp01: args.issuer !== "selfsigned" && args.solver.kind === "http01" };
    this.ready = [this.readyJob, ...issuers];
    this.registerOutputs({ issuer: this.issuer });
  }

  private readinessJob(labels: Record<string, string>, ns: k8s.core.v1.Namespace, chart: pulumi.Resource, crds: readonly string[]): k8s.batch.v1.Job {
    const opts = { parent: this, dependsOn: [ns] };
    const meta = { name: READY_JOB, labels };
    const sa = new k8s.core.v1.ServiceAccount(READY_JOB, { metadata: { ...meta, namespace: CERT_MANAGER_NAMESPACE } }, opts);
    const subjects = [{ kind: "ServiceAccount", name: READY_JOB, namespace: CERT_MANAGER_NAMESPACE }];
    const clusterRole = new k8s.rbac.v1.ClusterRole(READY_JOB, {
      metadata: meta,
      rules: [
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
        // Only for the server-side dry run: nothing is stored.
        { apiGroups: ["cert-manager.io"], resources: ["clusterissuers"], verbs: ["create"] },
      ],
    }, { parent: this });
    const clusterBinding = new k8s.rbac.v1.ClusterRoleBinding(READY_JOB, {
      metadata: meta,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: READY_JOB },
      subjects,
    }, { parent: this, dependsOn: [clusterRole, sa] });
    const role = new k8s.rbac.v1.Role(READY_JOB, {
      metadata: { ...meta, namespace: CERT_MANAGER_NAMESPACE },
      rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] }],
    }, opts);
    const binding = new k8s.rbac.v1.RoleBinding(READY_JOB, {
      metadata: { ...meta, namespace: CERT_MANAGER_NAMESPACE },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: READY_JOB },
      subjects,
    }, { ...opts, dependsOn: [ns, role, sa] });

    // The namespace is shared with the chart's pods, whose webhook the API server must reach from the
    // nodes' addresses; so only the program's own pods here deny ingress (they serve nothing).
    const jobIdentity = { name: READY_JOB, component: "certificates" };
    const deny = emitDefaultDeny(this, CERT_MANAGER_NAMESPACE, { name: `${READY_JOB}-deny-ingress`, podSelector: selectorLabels(jobIdentity), opts: { dependsOn: [ns] } });
    const where = `job ${READY_JOB}`;
    // A Job's container runs to completion: it carries resources and no probes, like an init container.
    const container = toInitContainer({
      name: "wait",
      image: IMAGES.kubectl,
      command: ["/bin/sh", "-c", readinessScript()],
      // HOME: the non-root user has none, and kubectl writes its discovery cache there.
      env: { NAMESPACE: CERT_MANAGER_NAMESPACE, CRDS: crds.join(" "), TIMEOUT_SECONDS: String(READY_TIMEOUT_SECONDS), HOME: "/tmp" },
      resources: { cpu: "10m", memory: "32Mi", memoryLimit: "128Mi" },
    }, where);
    return new k8s.batch.v1.Job(READY_JOB, {
      metadata: { ...meta, namespace: CERT_MANAGER_NAMESPACE },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: READY_DEADLINE_SECONDS,
        template: {
          metadata: { labels: appLabels(jobIdentity) },
          spec: {
            serviceAccountName: READY_JOB,
            automountServiceAccountToken: true,
            restartPolicy: "Never",
            securityContext: podSecurityContext(),
            containers: [container],
          },
        },
      },
      // Pulumi awaits the Job past its deadline, so the Job's own failure (with its log) is what is reported.
    }, { parent: this, dependsOn: [chart, sa, clusterBinding, binding, deny], customTimeouts: awaitTimeouts(jobTimeoutMinutes(READY_DEADLINE_SECONDS)) });
  }
}
