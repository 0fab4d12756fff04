// What the PatroniPostgres component writes into its Secrets, seen in-process under the SDK's mocks
// (the rendered stacks redact every Secret value).
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { unwrapSecrets } from "../../tools/lib/mock-runtime";

interface Recorded {
  type: string;
  name: string;
  inputs: any;
}
const recorded: Recorded[] = [];

beforeAll(() =>
  pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        recorded.push({ type: a.type, name: a.name, inputs: unwrapSecrets(a.inputs) });
        return { id: `${a.name}-id`, state: { ...a.inputs, result: `gen-${a.name}` } };
      },
      call: (a) => a.inputs,
    },
    "homelab",
    "unit",
    false,
  ),
);

/** Creates the component (imported after setMocks) and waits until its Secrets are registered. */
async function build(members: number, name: string): Promise<Record<string, any>> {
  recorded.length = 0;
  const { PatroniPostgres, DEFAULT_PATRONI_TIMING } = require("../../components/data/postgres");
  const pg = new PatroniPostgres(name, {
    name,
    namespace: "db",
    members,
    version: "17",
    storage: "1Gi",
    resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
    timing: DEFAULT_PATRONI_TIMING,
    dcs: { type: "kubernetes" },
  });
  await new Promise((r) => pg.superuserPassword.apply(r));
  for (let i = 0; i < 20 && !recorded.some((x) => x.inputs?.metadata?.name === `${name}-spilo`); i++) await new Promise((r) => setTimeout(r, 10));
  return Object.fromEntries(recorded.filter((x) => x.type === "kubernetes:core/v1:Secret").map((x) => [x.inputs.metadata.name, x.inputs]));
}

describe("PatroniPostgres Secrets", () => {
  it("SPILO_CONFIGURATION carries the REST API credentials: the generated password, Patroni's user", async () => {
    const secrets = await build(3, "trio");
    const spilo = YAML.parse(secrets["trio-spilo"].stringData["spilo-configuration"]);
    expect(spilo.restapi).toEqual({ authentication: { username: "patroni", password: "gen-trio-credentials-restapi-password" } });
    expect(secrets["trio-credentials"].stringData["restapi-password"]).toBe("gen-trio-credentials-restapi-password");
    // The rest is the tested Patroni configuration: timing, synchronous mode, pg_hba.
    expect(spilo.bootstrap.dcs).toMatchObject({ ttl: 20, loop_wait: 2, retry_timeout: 9, synchronous_mode: true });
    expect(spilo.postgresql.pg_hba[1]).toBe("local replication standby scram-sha-256");
  });

  it("one member: synchronous mode off, and no replicas Service (it could never have an endpoint)", async () => {
    const secrets = await build(1, "solo");
    expect(YAML.parse(secrets["solo-spilo"].stringData["spilo-configuration"]).bootstrap.dcs.synchronous_mode).toBe(false);
    expect(recorded.filter((x) => x.type === "kubernetes:core/v1:Service").map((x) => x.inputs.metadata.name).sort()).toEqual(["solo-headless", "solo-primary"]);
  });
});
