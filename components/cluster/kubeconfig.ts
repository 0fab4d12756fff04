/**
 * Pure rewrite of the admin kubeconfig k3s writes on a server (/etc/rancher/k3s/k3s.yaml), whose
 * clusters point at https://127.0.0.1:6443, into one usable from Pulumi's machine.
 */
import { parse, stringify } from "yaml";

export interface KubeconfigRewrite {
  /** API server URL to use instead of the loopback one, e.g. https://100.81.76.55:6443. */
  readonly server: string;
  /**
   * Rename the (single) cluster, user and context from k3s's "default" to this name, so the file
   * can be merged with others. Default: keep the names.
   */
  readonly name?: string;
}

interface Named { name?: unknown; [k: string]: unknown }

function list(doc: Record<string, unknown>, key: string): Named[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`kubeconfig: "${key}" is not a list`);
  return v as Named[];
}

/** Returns the kubeconfig with every cluster's `server` set to `opts.server` (and names changed). */
export function rewriteKubeconfig(text: string, opts: KubeconfigRewrite): string {
  if (!/^https:\/\/\S+$/.test(opts.server)) {
    throw new Error(`kubeconfig: server "${opts.server}" must be an https:// URL`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`kubeconfig: not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new Error("kubeconfig: expected a YAML mapping (is k3s running on the first server?)");
  }
  const d = doc as Record<string, unknown>;
  const clusters = list(d, "clusters");
  if (clusters.length === 0) throw new Error("kubeconfig: no clusters in the file");
  for (const c of clusters) {
    const cluster = c.cluster as Record<string, unknown> | undefined;
    if (typeof cluster !== "object" || cluster === null) throw new Error(`kubeconfig: cluster "${String(c.name)}" has no "cluster" entry`);
    cluster.server = opts.server;
  }

  if (opts.name !== undefined) {
    const users = list(d, "users");
    const contexts = list(d, "contexts");
    if (clusters.length !== 1 || users.length !== 1 || contexts.length !== 1) {
      throw new Error("kubeconfig: renaming needs exactly one cluster, user and context");
    }
    clusters[0].name = opts.name;
    users[0].name = opts.name;
    contexts[0].name = opts.name;
    const ctx = contexts[0].context as Record<string, unknown> | undefined;
    if (typeof ctx !== "object" || ctx === null) throw new Error("kubeconfig: the context has no \"context\" entry");
    ctx.cluster = opts.name;
    ctx.user = opts.name;
    d["current-context"] = opts.name;
  }
  return stringify(d, { lineWidth: 0 });
}
