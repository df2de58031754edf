/**
 * The Alertmanager configuration: where alerts go (email and/or a webhook from the stack
 * config), how they are grouped, and which are silenced by design. Pure. Credentials never appear
 * in it: the SMTP password, the webhook URL and the heartbeat URL are files from a Secret the
 * operator mounts at `/etc/alertmanager/secrets/<secret>/<key>` (`alertmanagerSpec.secrets`).
 *
 * The dead man's switch: kube-prometheus-stack's `Watchdog` rule is `vector(1)` and always fires
 * (templates/prometheus/rules-1.14/general.rules.yaml). With a heartbeat URL it is sent there every
 * {@link HEARTBEAT.repeatInterval}; the service behind the URL (healthchecks.io, Dead Man's Snitch,
 * Cronitor, ...) pages when the pings stop: when Prometheus, Alertmanager or the node they run on
 * is gone, which nothing inside the cluster can report.
 */

/** Where the Secret with the receivers' credentials is mounted in the Alertmanager pod. */
export function secretPath(secretName: string, key: string): string {
  return `/etc/alertmanager/secrets/${secretName}/${key}`;
}

/** Keys of the receivers' Secret. */
export const RECEIVER_SECRET_KEYS = {
  smtpPassword: "smtp-password",
  webhookUrl: "webhook-url",
  heartbeatUrl: "heartbeat-url",
} as const;

/**
 * The heartbeat route's timing. Alertmanager re-sends a firing group after `repeatInterval`,
 * checked every `groupInterval` (dispatch/dispatch.go): one ping every ~5 min. Set the check's
 * period to 5 min and its grace to 10 min, so a dead node pages within 15 min.
 */
export const HEARTBEAT = { receiver: "heartbeat", groupInterval: "1m", repeatInterval: "5m" } as const;

/** Email receiver (`monitoring.alertEmail`). */
export interface AlertEmail {
  readonly to: readonly string[];
  readonly from: string;
  /** `host:port` of the SMTP relay (STARTTLS required). */
  readonly smarthost: string;
  /** SMTP user. @default the `from` address */
  readonly username?: string;
}

/** Options of {@link renderAlertmanagerConfig}. */
export interface AlertmanagerConfigOptions {
  readonly email?: AlertEmail;
  /** Send to the webhook URL stored in the Secret. */
  readonly webhook: boolean;
  /** Send the always-firing Watchdog to the heartbeat URL stored in the Secret. @default false */
  readonly heartbeat?: boolean;
  /** Name of the Secret holding the credentials. */
  readonly secretName: string;
}

type Obj = Record<string, unknown>;

/** The receiver every alert goes to unless a route says otherwise. */
export const DEFAULT_RECEIVER = "platform";

/**
 * The configuration (`alertmanager.config` of kube-prometheus-stack). Alerts group by alert name
 * and namespace; critical alerts repeat hourly, warnings every 12 h; a critical alert silences the
 * warning of the same name and namespace; the chart's always-firing `Watchdog` goes to the
 * heartbeat receiver when there is one (else nowhere, like `InfoInhibitor`).
 */
export function renderAlertmanagerConfig(o: AlertmanagerConfigOptions): Obj {
  const receiver: Obj = { name: DEFAULT_RECEIVER };
  const global: Obj = { resolve_timeout: "5m" };
  if (o.email) {
    Object.assign(global, {
      smtp_from: o.email.from,
      smtp_smarthost: o.email.smarthost,
      smtp_auth_username: o.email.username ?? o.email.from,
      smtp_auth_password_file: secretPath(o.secretName, RECEIVER_SECRET_KEYS.smtpPassword),
      smtp_require_tls: true,
    });
    receiver.email_configs = [{ to: o.email.to.join(", "), send_resolved: true }];
  }
  if (o.webhook) {
    receiver.webhook_configs = [
      {
        url_file: secretPath(o.secretName, RECEIVER_SECRET_KEYS.webhookUrl),
        send_resolved: true,
        max_alerts: 20,
      },
    ];
  }
  return {
    global,
    route: {
      receiver: DEFAULT_RECEIVER,
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: [
        ...(o.heartbeat
          ? [
              {
                receiver: HEARTBEAT.receiver,
                matchers: ['alertname = "Watchdog"'],
                group_wait: "0s",
                group_interval: HEARTBEAT.groupInterval,
                repeat_interval: HEARTBEAT.repeatInterval,
              },
            ]
          : []),
        { receiver: "null", matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] },
        { receiver: DEFAULT_RECEIVER, matchers: ['severity = "critical"'], repeat_interval: "1h" },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity = "critical"'],
        target_matchers: ['severity = "warning"'],
        equal: ["alertname", "namespace"],
      },
      // The chart's InfoInhibitor: info alerts only matter while something else fires.
      {
        source_matchers: ['alertname = "InfoInhibitor"'],
        target_matchers: ['severity = "info"'],
        equal: ["namespace"],
      },
    ],
    receivers: [
      { name: "null" },
      receiver,
      ...(o.heartbeat
        ? [
            {
              name: HEARTBEAT.receiver,
              // The Watchdog never resolves; one ping per repeat.
              webhook_configs: [
                {
                  url_file: secretPath(o.secretName, RECEIVER_SECRET_KEYS.heartbeatUrl),
                  send_resolved: false,
                  max_alerts: 1,
                },
              ],
            },
          ]
        : []),
    ],
  };
}

/** Whether the configuration sends alerts anywhere (for the plan summary and the runbook). */
export function hasReceivers(o: AlertmanagerConfigOptions): boolean {
  return o.email !== undefined || o.webhook;
}
