// Keys outside the project's namespace: the program reads only `homelab:<key>`, so a misspelt prefix
// would otherwise be dropped in silence and surface as a missing key.
import { Problem, closest } from "../components/kit/problems";

/** Namespaces of the providers this program uses; their config keys are theirs to check. */
const PROVIDER_NAMESPACES = ["pulumi", "kubernetes", "command", "random"];

/**
 * Keys outside the project's namespace. The program reads only `<project>:<key>`, so a misspelt
 * prefix (`homelb:domain`) would otherwise be dropped in silence and surface as a missing key.
 * Near misses of the project's name are problems; other unknown namespaces are warnings.
 */
export function foreignKeys(config: Record<string, string>, project: string): { problems: Problem[]; warnings: string[] } {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  for (const k of Object.keys(config)) {
    const colon = k.indexOf(":");
    const ns = colon < 0 ? "" : k.slice(0, colon);
    const name = k.slice(colon + 1);
    if (ns === project || PROVIDER_NAMESPACES.includes(ns)) continue;
    if (colon < 0 || closest(ns, [project])) {
      const what = colon < 0 ? "has no namespace" : `is in namespace "${ns}", not "${project}"`;
      problems.push({ path: k, message: `${what}: this program reads only ${project}:<key>, so this key would be ignored`, fix: `rename it to ${project}:${name}` });
    } else {
      warnings.push(`${k}: namespace "${ns}" is neither this project's (${project}) nor a provider's it uses (${PROVIDER_NAMESPACES.join(", ")}); nothing reads it`);
    }
  }
  return { problems, warnings };
}
