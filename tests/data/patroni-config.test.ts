import {
  DEFAULT_DISCOVERY_POLL_SECONDS,
  DEFAULT_PATRONI_TIMING,
  PATRONI_TIMING_MINIMUMS,
  PatroniTiming,
  failoverWindowSeconds,
  patroniConfig,
  pgHbaRules,
  validateDcs,
  validatePatroniArgs,
  validatePatroniTiming,
} from "../../components/data/postgres/patroni-config";

const P = "data.postgres.patroni";

describe("validatePatroniTiming", () => {
  test.each<[string, PatroniTiming]>([
    ["the default", DEFAULT_PATRONI_TIMING],
    ["Patroni's own default", { ttl: 30, loopWait: 10, retryTimeout: 10 }],
    ["the minimums", { ttl: 20, loopWait: 1, retryTimeout: 3 }],
    ["the rule met exactly", { ttl: 24, loopWait: 4, retryTimeout: 10 }],
  ])("accepts %s", (_name, t) => {
    expect(validatePatroniTiming(t, P)).toEqual([]);
  });

  test.each<[string, unknown, string, RegExp]>([
    ["ttl below Patroni's floor", { ttl: 10, loopWait: 2, retryTimeout: 3 }, `${P}.ttl`, /minimum of 20.*silently/],
    ["loop_wait 0", { ttl: 20, loopWait: 0, retryTimeout: 3 }, `${P}.loopWait`, /loop_wait=0 is below Patroni's minimum of 1/],
    ["retry_timeout 2", { ttl: 20, loopWait: 2, retryTimeout: 2 }, `${P}.retryTimeout`, /minimum of 3/],
    ["a fractional ttl", { ttl: 20.5, loopWait: 2, retryTimeout: 3 }, `${P}.ttl`, /whole number of seconds/],
    ["a string loop_wait", { ttl: 20, loopWait: "2", retryTimeout: 3 }, `${P}.loopWait`, /whole number.*"2"/],
    ["a missing retry_timeout", { ttl: 20, loopWait: 2 }, `${P}.retryTimeout`, /whole number.*undefined/],
    ["NaN", { ttl: NaN, loopWait: 2, retryTimeout: 3 }, `${P}.ttl`, /whole number/],
    [
      "loop_wait + 2*retry_timeout > ttl",
      { ttl: 20, loopWait: 3, retryTimeout: 9 },
      P,
      /loop_wait \+ 2\*retry_timeout <= ttl.*3 \+ 2\*9 = 21 > 20.*\nfix: raise ttl to 21 or lower retryTimeout to 8/s,
    ],
  ])("rejects %s, naming the path", (_name, t, path, message) => {
    const problems = validatePatroniTiming(t as PatroniTiming, P);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe(path);
    expect(`${problems[0].message}\nfix: ${problems[0].fix}`).toMatch(message);
  });

  test("reports every problem at once", () => {
    const problems = validatePatroniTiming({ ttl: 5, loopWait: 0, retryTimeout: 1 }, P);
    expect(problems.map((p) => p.path)).toEqual([`${P}.ttl`, `${P}.loopWait`, `${P}.retryTimeout`]);
  });

  test("rejects a non-object", () => {
    expect(validatePatroniTiming(null as unknown as PatroniTiming, P)).toEqual([{ path: P, message: expect.any(String), fix: expect.any(String) }]);
  });

  test("the default uses the largest retry_timeout the rule allows and respects the minimums", () => {
    const t = DEFAULT_PATRONI_TIMING;
    expect(t.loopWait + 2 * t.retryTimeout).toBe(t.ttl);
    expect(t.ttl).toBeGreaterThanOrEqual(PATRONI_TIMING_MINIMUMS.ttl);
  });

  test("failover window follows ttl, loop_wait, retry_timeout and the sidecar poll", () => {
    expect(DEFAULT_DISCOVERY_POLL_SECONDS).toBe(2);
    expect(failoverWindowSeconds(DEFAULT_PATRONI_TIMING)).toEqual({ min: 18, max: 33 });
    expect(failoverWindowSeconds({ ttl: 30, loopWait: 10, retryTimeout: 10 }, 5)).toEqual({ min: 20, max: 55 });
    expect(failoverWindowSeconds({ ttl: 30, loopWait: 10, retryTimeout: 7 }, 3)).toEqual({ min: 20, max: 50 });
  });
});

describe("validateDcs", () => {
  test.each<[string, unknown]>([
    ["kubernetes", { type: "kubernetes" }],
    ["etcd3 with names, IPv4 and IPv6", { type: "etcd3", hosts: ["etcd-0.etcd.db.svc:2379", "10.0.0.1:2379", "[fd00::1]:2379"] }],
  ])("accepts %s", (_name, dcs) => {
    expect(validateDcs(dcs, `${P}.dcs`)).toEqual([]);
  });

  test.each(["etcd", "etcd2", "etcdv2", "etcd-v2", "v2", "ETCD"])("rejects the etcd v2 API (%s) and says how to fix it", (type) => {
    const problems = validateDcs({ type, hosts: ["etcd-0:2379"] }, `${P}.dcs`);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe(`${P}.dcs.type`);
    expect(problems[0].message).toMatch(/Patroni must use the etcd v3 API/);
    expect(problems[0].message).toContain('"etcd3:"');
    expect(problems[0].fix).toContain('{type: "etcd3", hosts: ["etcd-0:2379", ...]}');
  });

  test.each<[string, unknown, string, RegExp]>([
    ["etcd3 without hosts", { type: "etcd3" }, `${P}.dcs.hosts`, /must list the etcd members/],
    ["etcd3 with no hosts", { type: "etcd3", hosts: [] }, `${P}.dcs.hosts`, /must list/],
    ["a URL instead of host:port", { type: "etcd3", hosts: ["http://etcd:2379"] }, `${P}.dcs.hosts[0]`, /URL scheme/],
    ["a host without port", { type: "etcd3", hosts: ["etcd"] }, `${P}.dcs.hosts[0]`, /must be "host:port"/],
    ["a port out of range", { type: "etcd3", hosts: ["etcd:99999"] }, `${P}.dcs.hosts[0]`, /port must be 1–65535/],
    ["a bad host name", { type: "etcd3", hosts: ["et_cd:2379"] }, `${P}.dcs.hosts[0]`, /not a valid host name/],
    ["an unbracketed IPv6", { type: "etcd3", hosts: ["fd00::1:2379"] }, `${P}.dcs.hosts[0]`, /brackets/],
    ["a non-string host", { type: "etcd3", hosts: [2379] }, `${P}.dcs.hosts[0]`, /"host:port" string/],
    ["a duplicate host", { type: "etcd3", hosts: ["a:2379", "a:2379"] }, `${P}.dcs.hosts[1]`, /listed twice/],
    ["an unknown etcd3 key", { type: "etcd3", hosts: ["a:2379"], protocol: "https" }, `${P}.dcs.protocol`, /only hosts/],
    ["hosts on kubernetes", { type: "kubernetes", hosts: ["a:2379"] }, `${P}.dcs.hosts`, /not a setting of the kubernetes DCS.*etcd3/s],
    ["consul", { type: "consul" }, `${P}.dcs.type`, /unsupported DCS "consul"/],
    ["a missing type", {}, `${P}.dcs.type`, /unsupported DCS undefined/],
    ["a string", "kubernetes", `${P}.dcs`, /must be \{type: "kubernetes"\}/],
    ["null", null, `${P}.dcs`, /must be/],
  ])("rejects %s, naming the path", (_name, dcs, path, message) => {
    const problems = validateDcs(dcs, `${P}.dcs`);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe(path);
    expect(`${problems[0].message}\nfix: ${problems[0].fix}`).toMatch(message);
  });
});

describe("pgHbaRules", () => {
  test("default: peer on the socket, SCRAM everywhere else, explicit reject last", () => {
    expect(pgHbaRules()).toEqual([
      "local all all peer",
      "local replication standby scram-sha-256",
      "host all all 127.0.0.1/32 scram-sha-256",
      "host all all ::1/128 scram-sha-256",
      "host replication standby 10.42.0.0/16 scram-sha-256",
      "host all all 10.42.0.0/16 scram-sha-256",
      "host all all 0.0.0.0/0 reject",
      "host all all ::/0 reject",
      "host replication all 0.0.0.0/0 reject",
      "host replication all ::/0 reject",
    ]);
  });

  test("the replication user may connect over the local socket, before any reject (local all all never matches replication)", () => {
    for (const [args, line] of [
      [{}, "local replication standby scram-sha-256"],
      [{ replicationUser: "repl" }, "local replication repl scram-sha-256"],
      [{ localMethod: "trust" as const }, "local replication standby trust"],
    ] as const) {
      const rules = pgHbaRules(args);
      const at = rules.indexOf(line);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(rules.findIndex((r) => r.endsWith(" reject"))).toBeGreaterThan(at);
    }
  });

  test("custom networks and role; no host rule ever trusts or uses md5", () => {
    const rules = pgHbaRules({ clientCidrs: ["10.42.0.0/16", "100.64.0.0/10"], replicationCidrs: ["10.42.0.0/16"], replicationUser: "repl" });
    expect(rules).toContain("host replication repl 10.42.0.0/16 scram-sha-256");
    expect(rules).toContain("host all all 100.64.0.0/10 scram-sha-256");
    expect(rules).not.toContain("host replication repl 100.64.0.0/10 scram-sha-256");
    for (const r of rules.filter((l) => l.startsWith("host"))) expect(r).toMatch(/ (scram-sha-256|reject)$/);
  });
});

describe("validatePatroniArgs", () => {
  test.each<[string, object, string, RegExp]>([
    ["zero members", { members: 0 }, `${P}.members`, /whole number >= 1/],
    ["an open-to-all CIDR", { members: 3, pgHba: { clientCidrs: ["0.0.0.0/0"] } }, `${P}.pgHba.clientCidrs[0]`, /every address/],
    ["a malformed CIDR", { members: 3, pgHba: { replicationCidrs: ["10.42.0.0"] } }, `${P}.pgHba.replicationCidrs[0]`, /not a CIDR/],
    ["a bad role name", { members: 3, pgHba: { replicationUser: "Repl; drop" } }, `${P}.pgHba.replicationUser`, /role name/],
    ["synchronous_commit off in sync mode", { members: 3, parameters: { synchronous_commit: "off" } }, `${P}.parameters.synchronous_commit`, /can lose them/],
    ["a Patroni-owned parameter", { members: 3, parameters: { listen_addresses: "*" } }, `${P}.parameters.listen_addresses`, /managed by Patroni/],
    ["strict sync with one member", { members: 1, synchronousModeStrict: true }, `${P}.synchronousModeStrict`, /blocks every write/],
    ["bad timing", { members: 3, timing: { ttl: 10, loopWait: 2, retryTimeout: 3 } }, `${P}.timing.ttl`, /minimum of 20/],
    ["an etcd v2 DCS", { members: 3, dcs: { type: "etcd" } }, `${P}.dcs.type`, /etcd v3 API/],
    ["a short REST API password", { members: 3, restApi: { username: "patroni", password: "short" } }, `${P}.restApi.password`, /at least 16/],
    ["a REST API user with a colon", { members: 3, restApi: { username: "a:b", password: "x".repeat(32) } }, `${P}.restApi.username`, /letters, digits/],
  ])("rejects %s", (_name, args, path, message) => {
    const problems = validatePatroniArgs(args as never, P);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe(path);
    expect(problems[0].message).toMatch(message);
  });

  test("synchronous_commit off is allowed when synchronous mode is off", () => {
    expect(validatePatroniArgs({ members: 1, parameters: { synchronous_commit: "off" } }, P)).toEqual([]);
  });
});

describe("patroniConfig", () => {
  test("defaults for three members: our timing, synchronous mode, Kubernetes DCS on ConfigMaps", () => {
    const c = patroniConfig({ members: 3 });
    expect(c).toEqual({
      bootstrap: {
        dcs: {
          ttl: 20,
          loop_wait: 2,
          retry_timeout: 9,
          maximum_lag_on_failover: 1048576,
          synchronous_mode: true,
          synchronous_mode_strict: false,
          synchronous_node_count: 1,
          failsafe_mode: true,
          postgresql: {
            use_pg_rewind: true,
            use_slots: true,
            parameters: { password_encryption: "scram-sha-256", max_connections: 100 },
          },
        },
      },
      postgresql: { pg_hba: pgHbaRules() },
      kubernetes: { use_endpoints: false },
    });
    // A plain object: what YAML/JSON serialisation gives back is the same.
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  test.each([
    [1, false],
    [2, true],
    [3, true],
  ])("members %i → synchronous_mode %s by default", (members, sync) => {
    expect(patroniConfig({ members }).bootstrap.dcs.synchronous_mode).toBe(sync);
  });

  test("explicit choices win", () => {
    const c = patroniConfig({
      members: 3,
      synchronousMode: false,
      failsafeMode: false,
      timing: { ttl: 30, loopWait: 10, retryTimeout: 10 },
      dcs: { type: "etcd3", hosts: ["127.0.0.1:2379"] },
      parameters: { max_connections: 200, work_mem: "8MB" },
      pgHba: { clientCidrs: ["127.0.0.0/8"] },
    });
    expect(c.bootstrap.dcs).toMatchObject({ ttl: 30, loop_wait: 10, retry_timeout: 10, synchronous_mode: false, failsafe_mode: false });
    expect(c.bootstrap.dcs.postgresql.parameters).toEqual({ password_encryption: "scram-sha-256", max_connections: 200, work_mem: "8MB" });
    expect(c.etcd3).toEqual({ hosts: ["127.0.0.1:2379"] });
    expect(c.kubernetes).toBeUndefined();
    expect(c.postgresql.pg_hba).toContain("host replication standby 127.0.0.0/8 scram-sha-256");
  });

  test("REST API credentials become Patroni's restapi.authentication; without them there is no restapi section", () => {
    const restApi = { username: "patroni", password: "p".repeat(32) };
    expect(patroniConfig({ members: 3, restApi }).restapi).toEqual({ authentication: restApi });
    expect(patroniConfig({ members: 3 }).restapi).toBeUndefined();
  });

  test("strict synchronous mode only with synchronous mode", () => {
    expect(patroniConfig({ members: 3, synchronousModeStrict: true }).bootstrap.dcs.synchronous_mode_strict).toBe(true);
  });

  test("refuses invalid args, listing every problem", () => {
    expect(() =>
      patroniConfig({ members: 3, timing: { ttl: 10, loopWait: 2, retryTimeout: 3 }, dcs: { type: "etcd" } as never }),
    ).toThrow(/patroni\.timing\.ttl: .*minimum of 20[\s\S]*patroni\.dcs\.type: .*etcd v3 API/);
  });
});
