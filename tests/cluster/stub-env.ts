/**
 * A throw-away "node" for running the generated scripts for real: a temporary directory holding a
 * root prefix (NODE_ROOT) and stub `k3s`, `systemctl`, `kubectl`, `curl` and k3s helper scripts on
 * PATH. Stubs append every call to a log and keep their state in files, so a test can set up
 * "k3s v1.x is installed and running" and see what the script did.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { scratchDir } from "../lib/scratch";

const STUBS: Record<string, string> = {
  k3s: `#!/bin/sh
echo "k3s $*" >> "$STUB_LOG"
if [ "\${1:-}" = kubectl ]; then shift; exec kubectl "$@"; fi
if [ "\${1:-}" = --version ]; then
  [ -f "$STUB_STATE/k3s-version" ] || exit 1
  printf 'k3s version %s (deadbeef)\\ngo version go1.26\\n' "$(cat "$STUB_STATE/k3s-version")"
fi
exit 0
`,
  systemctl: `#!/bin/sh
echo "systemctl $*" >> "$STUB_LOG"
cmd=$1
for svc in "$@"; do :; done
case "$cmd" in
  restart) [ -f "$STUB_STATE/restart-hangs" ] && sleep 30 ;;
esac
case "$cmd" in
  is-active) [ -f "$STUB_STATE/active-$svc" ] ;;
  restart|start) touch "$STUB_STATE/active-$svc" ;;
  enable) case " $* " in *" --now "*) touch "$STUB_STATE/active-$svc" ;; esac ;;
  disable) [ -f "$STUB_STATE/unit-missing" ] && exit 1
           case " $* " in *" --now "*) rm -f "$STUB_STATE/active-$svc" ;; esac ;;
esac
`,
  // State: node-<name> holds "<Ready status> <kubelet version>", annotations-<name> a JSON map,
  // secret-<name> what a jsonpath get of that Secret prints; applied.yaml collects `apply -f -` input.
  kubectl: `#!/bin/sh
echo "kubectl $*" >> "$STUB_LOG"
[ -f "$STUB_STATE/kubectl-hangs" ] && sleep 30
if [ "$1" = --kubeconfig ]; then shift 2; fi
if [ "$1" = apply ]; then cat >> "$STUB_STATE/applied.yaml"; exit 0; fi
if [ "$1" = get ] && [ "$2" = secret ]; then
  [ -f "$STUB_STATE/secret-$3" ] || { echo "Error from server (NotFound): secrets \\"$3\\" not found" >&2; exit 1; }
  printf '%s' "$(cat "$STUB_STATE/secret-$3")"
  exit 0
fi
if [ "$1" = get ] && [ "$2" = node ]; then
  [ -f "$STUB_STATE/node-$3" ] || { echo "Error from server (NotFound): nodes \\"$3\\" not found" >&2; exit 1; }
  case "$*" in
    *annotations*) if [ -f "$STUB_STATE/annotations-$3" ]; then cat "$STUB_STATE/annotations-$3"; else printf '{}'; fi ;;
    *jsonpath*) printf '%s' "$(cat "$STUB_STATE/node-$3")" ;;
    *) echo "$3" ;;
  esac
  exit 0
fi
if [ "$1" = drain ] && [ -f "$STUB_STATE/drain-fails" ]; then echo "cannot evict pod: PDB" >&2; exit 1; fi
exit 0
`,
  // The "installer" records how it was called and behaves like k3s's: installs the version, starts the unit.
  curl: `#!/bin/sh
echo "curl $*" >> "$STUB_LOG"
[ -f "$STUB_STATE/curl-fails" ] && exit 22
cat <<'EOF'
#!/bin/sh
[ -f "$STUB_STATE/installer-hangs" ] && sleep 30
echo "installer INSTALL_K3S_VERSION=$INSTALL_K3S_VERSION INSTALL_K3S_EXEC=$INSTALL_K3S_EXEC INSTALL_K3S_FORCE_RESTART=$INSTALL_K3S_FORCE_RESTART" >> "$STUB_LOG"
printf '%s\\n' "$INSTALL_K3S_VERSION" > "$STUB_STATE/k3s-version"
svc=k3s
[ "$INSTALL_K3S_EXEC" = agent ] && svc=k3s-agent
touch "$STUB_STATE/active-$svc"
EOF
`,
  "k3s-killall.sh": `#!/bin/sh
echo "k3s-killall.sh $*" >> "$STUB_LOG"
`,
  "k3s-uninstall.sh": `#!/bin/sh
echo "k3s-uninstall.sh $*" >> "$STUB_LOG"
`,
  "k3s-agent-uninstall.sh": `#!/bin/sh
echo "k3s-agent-uninstall.sh $*" >> "$STUB_LOG"
`,
};

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Stub calls made during this run, one line each. */
  readonly calls: readonly string[];
}

export class StubNode {
  readonly dir = scratchDir("k3s-stub-");
  readonly bin = path.join(this.dir, "bin");
  readonly root = path.join(this.dir, "root");
  readonly state = path.join(this.dir, "state");
  readonly log = path.join(this.dir, "calls.log");

  constructor() {
    for (const d of [this.bin, this.root, this.state]) fs.mkdirSync(d, { recursive: true });
    for (const [name, body] of Object.entries(STUBS)) {
      fs.writeFileSync(path.join(this.bin, name), body, { mode: 0o755 });
    }
  }

  /** Pretend k3s `version` is installed (and `service` running). */
  installed(version: string, service?: string): this {
    fs.writeFileSync(path.join(this.state, "k3s-version"), `${version}\n`);
    if (service) this.setState(`active-${service}`);
    return this;
  }

  setState(name: string, content = ""): this {
    fs.writeFileSync(path.join(this.state, name), content);
    return this;
  }

  hasState(name: string): boolean {
    return fs.existsSync(path.join(this.state, name));
  }

  /** Write a file under the node's root prefix (absolute node path). */
  writeFile(nodePath: string, content: string, mode = 0o644): this {
    const p = this.path(nodePath);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content, { mode });
    return this;
  }

  path(nodePath: string): string {
    return path.join(this.root, nodePath);
  }

  read(nodePath: string): string | undefined {
    const p = this.path(nodePath);
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : undefined;
  }

  /** Run a generated script with sh (dash here), as the remote side would, with `stdin`. */
  run(script: string, stdin = "", env: Record<string, string> = {}): RunResult {
    const file = path.join(this.dir, "script.sh");
    fs.writeFileSync(file, script);
    return this.exec(["sh", file], stdin, env);
  }

  /** Run a command string the way sshd would hand it to a POSIX login shell. */
  runCommandString(command: string, stdin = "", env: Record<string, string> = {}): RunResult {
    return this.exec(["sh", "-c", command], stdin, env);
  }

  private exec(argv: string[], stdin: string, env: Record<string, string>): RunResult {
    const before = fs.existsSync(this.log) ? fs.readFileSync(this.log, "utf8").length : 0;
    const r = spawnSync(argv[0], argv.slice(1), {
      input: stdin,
      encoding: "utf8",
      timeout: 10_000,
      env: {
        PATH: `${this.bin}:/usr/bin:/bin`,
        NODE_ROOT: this.root,
        STUB_LOG: this.log,
        STUB_STATE: this.state,
        GPU_WAIT: "0",
        READY_INTERVAL: "0",
        ...env,
      },
    });
    const log = fs.existsSync(this.log) ? fs.readFileSync(this.log, "utf8").slice(before) : "";
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls: log.split("\n").filter(Boolean) };
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
