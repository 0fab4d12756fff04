// Runs a program the way the Pulumi CLI's Node.js language host does — @pulumi/pulumi's own
// cmd/run `run()`, which registers ts-node as PULUMI_NODEJS_TYPESCRIPT / PULUMI_NODEJS_TSCONFIG_PATH
// say and requires the program — but under the SDK's mocks instead of an engine.
// usage: node pulumi-run.js <program dir>; env STACK, CONFIG (JSON {config, secretKeys}).
// Prints {"resources": n} and exits 0, or prints the error and exits 1.
"use strict";
const Module = require("node:module");
const path = require("node:path");
const dir = path.resolve(process.argv[2]);
const from = (m) => require(require.resolve(m, { paths: [dir] }));
const pulumi = from("@pulumi/pulumi");
// run.js requires cmd/run/index.js only for an exit-code constant; index.js itself is the real
// entry point (it would connect to an engine on load): stand it in with that constant.
const index = require.resolve("@pulumi/pulumi/cmd/run/index.js", { paths: [dir] });
const stub = new Module(index);
stub.filename = index;
stub.loaded = true;
stub.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };
require.cache[index] = stub;
const { run } = from("@pulumi/pulumi/cmd/run/run.js");

let resources = 0;
pulumi.runtime.setMocks(
  {
    newResource(a) {
      resources++;
      return { id: `${a.name}-id`, state: a.inputs };
    },
    call(a) {
      return a.inputs;
    },
  },
  "homelab",
  process.env.STACK || "dev",
  true,
  "organization",
);
if (process.env.CONFIG) {
  const c = JSON.parse(process.env.CONFIG);
  pulumi.runtime.setAllConfig(c.config, c.secretKeys);
}
run({ _: ["."], pwd: dir }, () => undefined, () => undefined, () => false).then(
  () => console.log(JSON.stringify({ resources })),
  (e) => {
    console.error(e && e.message ? e.message : String(e));
    process.exit(1);
  },
);
