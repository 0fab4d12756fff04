// Validates prometheus-operator objects (JSON list on stdin) with @kubernetes-models/prometheus-operator,
// which is ESM only: jest's CommonJS cannot require it, plain Node can import it. Prints a JSON list
// of errors ("Kind name: message") and exits 0; objects of unknown kinds are errors too.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(0, "utf8"));
const errors = [];
let checked = 0;
for (const m of objects) {
  const [group, version] = String(m.apiVersion).split("/");
  try {
    const mod = await import(`@kubernetes-models/prometheus-operator/${group}/${version}/${m.kind}`);
    new mod[m.kind](m).validate();
    checked++;
  } catch (e) {
    errors.push(`${m.kind} ${m.metadata?.name}: ${e.message}`);
  }
}
process.stdout.write(JSON.stringify({ checked, errors }));
