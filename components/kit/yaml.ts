// How the platform writes YAML that Kubernetes or a chart reads: keys sorted (the same object always
// gives the same bytes, so a diff shows only what changed), no folded lines, and no anchors (a value
// shared by two keys is written out twice, and the writer skips its search for shared objects).
import YAML from "yaml";

/** A value as sorted, anchor-free YAML (chart values; render's manifests.yaml has tools/lib/block-yaml.ts). */
export function sortedYaml(value: unknown): string {
  return YAML.stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}
