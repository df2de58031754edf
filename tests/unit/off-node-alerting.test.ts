/**
 * What pages when the only node is gone: the Watchdog heartbeat to an external receiver (routed
 * by Alertmanager's own `amtool config routes test`) and Cloudflare's tunnel health notification.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { TUNNEL_HEALTH_ALERT_TYPE, tunnelHealthPolicyArgs } from "../../components/edge/tunnel-health";
import {
  type AlertmanagerConfigOptions,
  HEARTBEAT,
  RECEIVER_SECRET_KEYS,
  renderAlertmanagerConfig,
} from "../../components/observability/alertmanager-config";
import { parseStackConfig } from "../../stacks/config";
import { SECRET_KEYS } from "../../stacks/secrets";
import { requireBinary } from "../helpers/binaries";
import { baseProjectConfig, baseSecrets, toRawConfig } from "../helpers/config-fixtures";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary config fields
type Obj = Record<string, any>;

const options: AlertmanagerConfigOptions = {
  webhook: true,
  heartbeat: true,
  secretName: "alertmanager-receivers",
};

/**
 * The receiver amtool resolves for an alert's labels. amtool 0.25 does not know `url_file`, so the
 * files become literal URLs for the check (the routing under test does not depend on them).
 */
function route(config: Obj, labels: Record<string, string>): string {
  const copy = structuredClone(config);
  for (const r of copy.receivers as Obj[])
    for (const w of (r.webhook_configs ?? []) as Obj[]) {
      w.url = `https://hooks.example.com/${r.name}`;
      delete w.url_file;
    }
  const file = join(mkdtempSync(join(tmpdir(), "am-routes-")), "alertmanager.yml");
  writeFileSync(file, stringify(copy));
  const args = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const r = spawnSync("amtool", ["config", "routes", "test", `--config.file=${file}`, ...args], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`amtool: ${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

describe("the dead man's switch", () => {
  // kube-prometheus-stack templates/prometheus/rules-1.14/general.rules.yaml: Watchdog is
  // `vector(1)` with severity none, always firing.
  const watchdog = { alertname: "Watchdog", severity: "none", namespace: "monitoring" };

  it("routes the always-firing Watchdog to the heartbeat receiver and everything else as before (amtool)", (ctx) => {
    requireBinary("amtool", ctx);
    const config = renderAlertmanagerConfig(options);
    expect(route(config, watchdog)).toBe(HEARTBEAT.receiver);
    expect(route(config, { alertname: "InfoInhibitor", severity: "none" })).toBe("null");
    expect(
      route(config, { alertname: "PostgresBaseBackupTooOld", severity: "critical", namespace: "data" }),
    ).toBe("platform");
  });

  it("sends the Watchdog nowhere without a heartbeat URL (the check can fail)", (ctx) => {
    requireBinary("amtool", ctx);
    const config = renderAlertmanagerConfig({ ...options, heartbeat: false });
    expect(route(config, watchdog)).toBe("null");
    expect((config.receivers as Obj[]).map((r) => r.name)).toEqual(["null", "platform"]);
  });

  it("pings every 5 minutes from the mounted Secret file, never with the URL in the config", () => {
    const config = renderAlertmanagerConfig(options) as Obj;
    const heartbeat = (config.receivers as Obj[]).find((r) => r.name === HEARTBEAT.receiver) as Obj;
    expect(heartbeat.webhook_configs).toEqual([
      {
        url_file: `/etc/alertmanager/secrets/alertmanager-receivers/${RECEIVER_SECRET_KEYS.heartbeatUrl}`,
        send_resolved: false,
        max_alerts: 1,
      },
    ]);
    expect((config.route.routes as Obj[])[0]).toMatchObject({
      receiver: "heartbeat",
      group_wait: "0s",
      group_interval: "1m",
      repeat_interval: "5m",
    });
    expect(JSON.stringify(config)).not.toMatch(/hc-ping|https:\/\//);
  });

  it("requires the secret alertHeartbeatUrl when monitoring.heartbeat is on, naming the fix", () => {
    const project = { ...baseProjectConfig(), monitoring: { heartbeat: true } };
    expect(() => parseStackConfig(toRawConfig(project), "production")).toThrow(
      /pulumi config set --secret alertHeartbeatUrl/,
    );
    const secrets = { ...baseSecrets(), "enclii-infra:alertHeartbeatUrl": "https://hc-ping.com/0f1e" };
    expect(parseStackConfig(toRawConfig(project, secrets), "production").monitoring.heartbeat).toBe(true);
    expect(SECRET_KEYS.some((s) => s.key === "enclii-infra:alertHeartbeatUrl")).toBe(true);
  });
});

describe("Cloudflare's tunnel health notification", () => {
  it("is a tunnel_health_event policy filtered to the stack's own tunnel, named after it, emailed to the recipients, sorted", () => {
    const args = tunnelHealthPolicyArgs({
      accountId: "a".repeat(32),
      tunnelName: "enclii-production",
      tunnelId: "c0ffee00-1111-4222-8333-444455556666",
      emails: ["ops@enclii.dev", "admin@enclii.dev"],
    });
    expect(args).toMatchObject({
      alertType: TUNNEL_HEALTH_ALERT_TYPE,
      enabled: true,
      name: "enclii-production: Cloudflare Tunnel health",
      mechanisms: { emails: [{ id: "admin@enclii.dev" }, { id: "ops@enclii.dev" }] },
    });
    expect(TUNNEL_HEALTH_ALERT_TYPE).toBe("tunnel_health_event");
    // Unfiltered, the policy would cover every tunnel of the account (staging's too):
    // terraform-provider-cloudflare v5.22.0 notification_policy/schema.go 387-388 `tunnel_id`,
    // "Used for configuring tunnel_health_event" (@pulumi/cloudflare 6.22.1 `filters.tunnelIds`).
    expect(args.filters).toEqual({ tunnelIds: ["c0ffee00-1111-4222-8333-444455556666"] });
  });

  it("refuses a policy nobody receives, naming the config fields", () => {
    expect(() =>
      tunnelHealthPolicyArgs({ accountId: "a".repeat(32), tunnelName: "x", tunnelId: "t", emails: [] }),
    ).toThrow(/monitoring\.alertEmail\.to or access\.adminEmails/);
    // Production turns the notification on by default; without any recipient the config is refused.
    const project = baseProjectConfig();
    (project.access as Obj).adminEmails = [];
    // Monitoring itself needs admin emails (Grafana behind Access); without it this rule is the guard.
    project.monitoring = { enabled: false };
    expect(() => parseStackConfig(toRawConfig(project), "production")).toThrow(
      /monitoring\.tunnelHealthNotification.*nobody would get Cloudflare's tunnel health email/s,
    );
    project.monitoring = { enabled: false, tunnelHealthNotification: false };
    expect(parseStackConfig(toRawConfig(project), "production").monitoring.tunnelHealthNotification).toBe(
      false,
    );
  });
});
