/**
 * The two first-server steps that hand out access, run for real against stub k3s/kubectl: the
 * secure join token and the admin ServiceAccount token; and the pure readers of their output.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import {
  ADMIN_ACCOUNT, SERVER_TOKEN_FILE, adminAccessScript, joinTokenScript, parseAdminCredentials, parseSecureToken,
} from "../../components/cluster/access-scripts";
import { serviceAccountKubeconfig } from "../../components/cluster/kubeconfig";
import { StubNode } from "./stub-env";

const SECURE = `K10${"ab12".repeat(16)}::server:S3cr3tPassw0rd`;
const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB-fake-ca\n-----END CERTIFICATE-----\n";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";
const b64 = (s: string) => Buffer.from(s).toString("base64");

let node: StubNode;
beforeEach(() => { node = new StubNode(); });
afterEach(() => node.cleanup());

describe("secure join token (first server)", () => {
  test("prints the K10<CA hash>:: token k3s wrote, and only on stdout", () => {
    node.writeFile(SERVER_TOKEN_FILE, `${SECURE}\n`, 0o600);
    const r = node.run(joinTokenScript({ nodeName: "asuna" }));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${SECURE}\n`);
    expect(r.stderr).not.toContain("S3cr3t");
    expect(parseSecureToken(r.stdout)).toBe(SECURE);
  });

  test("a short (password-only) token is refused without echoing it", () => {
    node.writeFile(SERVER_TOKEN_FILE, "S3cr3tPassw0rd\n", 0o600);
    const r = node.run(joinTokenScript({ nodeName: "asuna" }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("does not hold a secure token (K10<CA hash>::<credentials>)");
    expect(r.stderr).not.toContain("S3cr3t");
  });

  test("no token file: waits at most TOKEN_WAIT and says where to look", () => {
    const r = node.run(joinTokenScript({ nodeName: "asuna" }), "", { TOKEN_WAIT: "0" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("/var/lib/rancher/k3s/server/token did not appear within 0s; is k3s running as a server here?");
  });

  test("parseSecureToken rejects short tokens and never puts the text in its error", () => {
    expect(() => parseSecureToken("S3cr3tPassw0rd\n")).toThrow(/no secure token/);
    expect(() => parseSecureToken(`K10${"ab".repeat(8)}::server:S3cr3t`)).toThrow(/no secure token/);
    try { parseSecureToken("S3cr3tPassw0rd"); } catch (e) { expect((e as Error).message).not.toContain("S3cr3t"); }
  });
});

describe("admin ServiceAccount with a non-expiring token (first server)", () => {
  const SECRET_STATE = `secret-${ADMIN_ACCOUNT.tokenSecret}`;

  test("applies the ServiceAccount, its cluster-admin binding and a token Secret, then prints CA and token", () => {
    node.setState(SECRET_STATE, `${b64(CA_PEM)} ${b64(JWT)}`);
    const r = node.run(adminAccessScript({ nodeName: "asuna" }));
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(fs.readFileSync(path.join(node.state, "applied.yaml"), "utf8")).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      `ServiceAccount/${ADMIN_ACCOUNT.name}`, `ClusterRoleBinding/${ADMIN_ACCOUNT.name}`, `Secret/${ADMIN_ACCOUNT.tokenSecret}`,
    ]);
    expect(docs[1].roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" });
    expect(docs[1].subjects).toEqual([{ kind: "ServiceAccount", name: ADMIN_ACCOUNT.name, namespace: "kube-system" }]);
    expect(docs[2].type).toBe("kubernetes.io/service-account-token");
    expect(docs[2].metadata.annotations).toEqual({ "kubernetes.io/service-account.name": ADMIN_ACCOUNT.name });
    expect(r.calls).toContain(`kubectl get secret ${ADMIN_ACCOUNT.tokenSecret} -n kube-system -o jsonpath={.data.ca\\.crt} {.data.token}`);

    const creds = parseAdminCredentials(r.stdout);
    expect(creds).toEqual({ caData: b64(CA_PEM), token: JWT });
    const kc = parse(serviceAccountKubeconfig({ server: "https://100.81.76.55:6443", name: "cluster", ...creds }));
    expect(kc.users).toEqual([{ name: "cluster", user: { token: JWT } }]);
    expect(kc.clusters).toEqual([{ name: "cluster", cluster: { server: "https://100.81.76.55:6443", "certificate-authority-data": b64(CA_PEM) } }]);
    expect(kc["current-context"]).toBe("cluster");
    // No client certificate: nothing in it expires.
    expect(JSON.stringify(kc)).not.toContain("client-certificate");
  });

  test("a token the controller never fills fails after TOKEN_WAIT, naming the Secret", () => {
    const r = node.run(adminAccessScript({ nodeName: "asuna" }), "", { TOKEN_WAIT: "0" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Secret kube-system/${ADMIN_ACCOUNT.tokenSecret} got no token within 0s`);
  });

  test("an API server that does not answer fails the step instead of hanging it", () => {
    node.setState("kubectl-hangs");
    const r = node.run(adminAccessScript({ nodeName: "asuna" }), "", { KUBECTL_TIMEOUT: "0.3", TOKEN_WAIT: "0" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("k3s kubectl apply did not answer within 0.3s");
    expect(r.stderr).toContain("could not create the admin ServiceAccount");
  });

  test("parseAdminCredentials refuses anything but a PEM CA and a JWT", () => {
    expect(() => parseAdminCredentials("")).toThrow(/expected/);
    expect(() => parseAdminCredentials(`${b64("not a cert")} ${b64(JWT)}`)).toThrow(/not a PEM certificate/);
    expect(() => parseAdminCredentials(`${b64(CA_PEM)} ${b64("plain")}`)).toThrow(/not a JWT/);
  });
});
