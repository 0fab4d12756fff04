// `npm run doctor`: checks that need the network, which the offline render cannot do. Today: every
// image the stacks run — the catalog and every container in the rendered manifests — exists in its
// registry at its pinned tag. Exit 0 all found, 1 a tag is missing, 3 some could not be checked.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { IMAGES, imageRef } from "../components/kit";
import { ROOT, listStacks } from "./lib/stack-file";
import { TagStatus, defaultBase, parseImage, tagStatus } from "./lib/registry";

/** Every image reference in rendered manifests (pods of workloads and jobs, init containers included). */
export function imagesIn(manifestsYaml: string): string[] {
  const found = new Set<string>();
  for (const doc of YAML.parseAllDocuments(manifestsYaml)) {
    const m = doc.toJSON() as any;
    const pod = m?.spec?.template?.spec ?? m?.spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) if (c.image) found.add(c.image);
  }
  return [...found];
}

export async function checkImages(refs: readonly string[], base: (host: string) => string = defaultBase): Promise<Map<string, TagStatus>> {
  const out = new Map<string, TagStatus>();
  await Promise.all(
    [...new Set(refs)].sort().map(async (ref) => {
      const img = parseImage(ref);
      out.set(ref, await tagStatus(img, base(img.host)));
    }),
  );
  return out;
}

export function report(results: Map<string, TagStatus>): { text: string; code: number } {
  const lines: string[] = [];
  let code = 0;
  for (const [ref, r] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    if (r.status === "exists") lines.push(`  ok       ${ref}`);
    else if (r.status === "missing") {
      lines.push(`  MISSING  ${ref}: the registry has no such tag; pin one that exists in components/kit/images.ts`);
      code = 1;
    } else {
      lines.push(`  ?        ${ref}: could not check (${r.reason})`);
      if (code === 0) code = 3;
    }
  }
  return { text: lines.join("\n"), code };
}

async function main(): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-"));
  execFileSync(process.execPath, ["-r", "tsx/cjs", path.join(__dirname, "render.ts"), "--all", "--out", out], { cwd: ROOT, stdio: "ignore" });
  const refs = new Set(Object.values(IMAGES).map((i) => imageRef(i)));
  for (const s of listStacks()) for (const r of imagesIn(fs.readFileSync(path.join(out, s, "manifests.yaml"), "utf8"))) refs.add(r);
  console.log(`doctor: checking ${refs.size} images against their registries`);
  const { text, code } = report(await checkImages([...refs]));
  console.log(text);
  fs.rmSync(out, { recursive: true, force: true });
  return code;
}

if (require.main === module) main().then((c) => process.exit(c), (e) => (console.error(e), process.exit(1)));
