// The generated Alertmanager configuration, checked by amtool (Debian's prometheus-alertmanager),
// with and without a receiver; amtool's route test shows where an alert goes.
import YAML from "yaml";
import { alertmanagerConfig } from "../../components/observability";
import { run, workDir } from "./tools";

const URL = "https://ntfy.example.net/homelab-alerts";

describe("Alertmanager config (amtool)", () => {
  it("amtool check-config accepts the config with a webhook receiver", async () => {
    const r = await run("amtool", ["check-config", "am.yaml"], workDir({ "am.yaml": YAML.stringify(alertmanagerConfig({ webhookUrl: URL })) }));
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  it("amtool check-config accepts the config without one", async () => {
    const r = await run("amtool", ["check-config", "am.yaml"], workDir({ "am.yaml": YAML.stringify(alertmanagerConfig({})) }));
    expect(r.code).toBe(0);
  });

  it("an alert is routed to the webhook, the Watchdog heartbeat to nobody", async () => {
    const dir = workDir({ "am.yaml": YAML.stringify(alertmanagerConfig({ webhookUrl: URL })) });
    const alert = await run("amtool", ["config", "routes", "test", "--config.file=am.yaml", "alertname=NodeMemoryHigh", "severity=warning"], dir);
    expect(alert.stdout.trim()).toBe("webhook");
    const watchdog = await run("amtool", ["config", "routes", "test", "--config.file=am.yaml", "alertname=Watchdog"], dir);
    expect(watchdog.stdout.trim()).toBe("null");
  });

  it("without a receiver every alert goes to the null receiver", async () => {
    const dir = workDir({ "am.yaml": YAML.stringify(alertmanagerConfig({})) });
    const r = await run("amtool", ["config", "routes", "test", "--config.file=am.yaml", "alertname=NodeMemoryHigh"], dir);
    expect(r.stdout.trim()).toBe("null");
  });

  it("amtool refuses a broken config (the check can fail)", async () => {
    const broken = { ...alertmanagerConfig({ webhookUrl: URL }), route: { receiver: "nobody-by-this-name" } };
    const r = await run("amtool", ["check-config", "am.yaml"], workDir({ "am.yaml": YAML.stringify(broken) }));
    expect(r.code).not.toBe(0);
  });
});
