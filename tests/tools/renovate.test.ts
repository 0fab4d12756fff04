// renovate.json's custom managers, applied offline the way Renovate applies them (each match string
// as a regex with named groups over every file its managerFilePatterns select), must extract every
// pinned version in the program — the image catalog, the k3s release, the charts — and nothing else.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { IMAGES } from "../../components/kit/images";
import { DEFAULT_K3S_VERSION } from "../../components/cluster/types";
import { CERT_MANAGER_CHART } from "../../components/ingress/spec";
import { K3S_TRAEFIK_CHARTS } from "../../components/ingress/traefik-chart";
import { ALLOY_CHART, KUBE_PROMETHEUS_STACK_CHART, LOKI_CHART, PROMETHEUS_OPERATOR_CRDS_CHART } from "../../components/observability/values";
import { ROOT } from "../../tools/lib/stack-file";

interface CustomManager {
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate?: string;
  depNameTemplate?: string;
  versioningTemplate?: string;
}

interface Dep {
  file: string;
  datasource: string;
  depName: string;
  currentValue: string;
  registryUrl?: string;
}

const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8")) as { customManagers: CustomManager[] };
/**
 * Files Renovate sees: the committed tree (plus anything new here that git would add). A copy of the
 * tree outside git's view (the mutation run's sandbox sits in an ignored folder, or an unpacked
 * archive) is walked instead.
 */
function repositoryFiles(): string[] {
  try {
    const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n").filter(Boolean);
    if (listed.length > 0) return listed;
  } catch {
    // not a git checkout (an unpacked archive): walk it
  }
  const skip = new Set(["node_modules", ".git", "dist", "reports", ".stryker-tmp", ".pulumi"]);
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) return skip.has(e.name) ? [] : walk(rel);
      return e.isFile() ? [rel] : [];
    });
  return walk("");
}
const files = repositoryFiles();

/** `/regex/` patterns only (a glob would need Renovate's matcher to check). */
function filePattern(p: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(p);
  if (!m) throw new Error(`managerFilePatterns entry ${p} is not in /regex/ form`);
  return new RegExp(m[1], m[2]);
}

/** Renovate's regexes run on RE2: no lookaround, no backreferences. */
function re2Compatible(s: string): boolean {
  return !/\(\?<?[=!]|\\[1-9]/.test(s);
}

/** What Renovate would extract with `managers`, on the files as they are (or as `override` gives them). */
export function extract(managers: readonly CustomManager[], override: Record<string, string> = {}): Dep[] {
  const deps: Dep[] = [];
  for (const m of managers) {
    const selected = files.filter((f) => m.managerFilePatterns.some((p) => filePattern(p).test(f)));
    for (const file of selected) {
      const content = override[file] ?? fs.readFileSync(path.join(ROOT, file), "utf8");
      for (const s of m.matchStrings) {
        for (const match of content.matchAll(new RegExp(s, "g"))) {
          const g = match.groups ?? {};
          deps.push({
            file,
            datasource: g.datasource ?? m.datasourceTemplate ?? "",
            depName: g.depName ?? m.depNameTemplate ?? "",
            currentValue: g.currentValue ?? "",
            ...(g.registryUrl ? { registryUrl: g.registryUrl } : {}),
          });
        }
      }
    }
  }
  return deps.sort((a, b) => `${a.datasource} ${a.depName}`.localeCompare(`${b.datasource} ${b.depName}`));
}

const expected: Dep[] = [
  ...Object.values(IMAGES).map((i) => ({ file: "components/kit/images.ts", datasource: "docker", depName: i.repository, currentValue: i.tag })),
  { file: "components/cluster/types.ts", datasource: "github-releases", depName: "k3s-io/k3s", currentValue: DEFAULT_K3S_VERSION },
  { file: "components/ingress/spec.ts", datasource: "helm", depName: CERT_MANAGER_CHART.chart, currentValue: CERT_MANAGER_CHART.version, registryUrl: CERT_MANAGER_CHART.repo },
  ...[KUBE_PROMETHEUS_STACK_CHART, LOKI_CHART, ALLOY_CHART, PROMETHEUS_OPERATOR_CRDS_CHART].map((c) => ({ file: "components/observability/values.ts", datasource: "helm", depName: c.chart, currentValue: c.version, registryUrl: c.repo })),
].sort((a, b) => `${a.datasource} ${a.depName}`.localeCompare(`${b.datasource} ${b.depName}`));

describe("renovate.json", () => {
  const managers = config.customManagers;

  it("has only regex custom managers whose patterns Renovate's RE2 accepts", () => {
    expect(managers.length).toBeGreaterThan(0);
    for (const m of managers) {
      expect(m.customType).toBe("regex");
      for (const s of [...m.matchStrings, ...(m.versioningTemplate ? [m.versioningTemplate] : [])]) expect(re2Compatible(s)).toBe(true);
    }
  });

  it("finds every pinned version — each catalog image, the k3s release, each chart — and nothing else", () => {
    expect(extract(managers)).toEqual(expected);
  });

  it("follows a bump: the changed value is what it extracts", () => {
    const file = "components/kit/images.ts";
    const bumped = fs.readFileSync(path.join(ROOT, file), "utf8").replace(`tag: "${IMAGES.qdrant.tag}"`, 'tag: "v1.99.0"');
    const qdrant = extract(managers, { [file]: bumped }).filter((d) => d.depName === IMAGES.qdrant.repository);
    expect(qdrant.map((d) => d.currentValue)).toEqual(["v1.99.0"]);
  });

  it("reads k3s release tags with its versioning, the pinned one and every one the Traefik table knows", () => {
    const m = managers.find((x) => x.depNameTemplate === "k3s-io/k3s")!;
    const versioning = new RegExp(m.versioningTemplate!.replace(/^regex:/, ""));
    for (const v of [DEFAULT_K3S_VERSION, ...Object.keys(K3S_TRAEFIK_CHARTS)]) {
      expect(versioning.exec(v)?.groups).toMatchObject({ major: expect.any(String), minor: expect.any(String), patch: expect.any(String), build: expect.any(String) });
    }
    expect(versioning.test("latest")).toBe(false);
  });

  it("would notice a missing pin: without the chart manager the extraction differs", () => {
    expect(extract(managers.filter((m) => m.datasourceTemplate !== "helm"))).not.toEqual(expected);
  });
});
