// The slim kubectl image must carry every command the scripts that run in it call.
import * as fs from "node:fs";
import * as path from "node:path";
import { IMAGES } from "../../components/kit";

/** Tools a script might call that a slim image may lack. */
const CANDIDATES = ["bash", "curl", "wget", "jq", "yq", "kubectl", "helm", "aws", "timeout", "date", "sleep", "cat", "printf", "sed", "awk", "grep", "cut", "tr", "base64", "openssl", "envsubst", "python3", "nc"];

/** Candidate tools a script names outside comments that the image does not provide. */
export function missingTools(script: string, provides: readonly string[]): string[] {
  const code = script.split("\n").map((l) => l.replace(/(^|\s)#.*$/, "")).join("\n");
  return CANDIDATES.filter((t) => new RegExp(`(^|[\\s;|&(\`$])${t}(?=[\\s;|&)]|$)`, "m").test(code) && !provides.includes(t));
}

const ROOT = path.resolve(__dirname, "../..");
const SCRIPTS = ["components/data/postgres/discovery-sidecar.sh", "components/ingress/wait-for-cert-manager.sh", "components/ai/ollama/pull-models.sh", "components/ai/mem0/configure.sh"];

describe("the kubectl image", () => {
  it.each(SCRIPTS)("provides every tool %s calls", (file) => {
    expect(missingTools(fs.readFileSync(path.join(ROOT, file), "utf8"), IMAGES.kubectl.provides)).toEqual([]);
  });

  it("the check names a tool the image lacks, and ignores comments", () => {
    expect(missingTools("#!/bin/sh\n# uses helm? no\nyq '.a' f | jq .\n", ["sh", "jq"])).toEqual(["yq"]);
    expect(missingTools("x=$(bash -c true)\n", ["sh"])).toEqual(["bash"]);
  });
});
