/**
 * The secure config keys a stack reads. One table, used by the loader (which keys are required
 * for this config), the offline plan (which keys get placeholders) and the README.
 */
import type { ParsedStackConfig } from "./config-schema";

/** A secure configuration key; never part of an `enclii-infra:` object, never committed. */
export interface SecretKey {
  /** Full key, e.g. `enclii-infra:robotPassword` or `hcloud:token`. */
  readonly key: string;
  /** What it is and where to get it. */
  readonly description: string;
  /** Whether this stack's config needs it. */
  readonly requiredWhen: (cfg: ParsedStackConfig) => boolean;
  /** When it is required, in words (for the README). */
  readonly when: string;
}

const always = () => true;

export const SECRET_KEYS: readonly SecretKey[] = [
  {
    key: "cloudflare:apiToken",
    when: "always",
    description:
      "Cloudflare API token with Zone DNS/Settings/SSL edit, Account Cloudflare Tunnel edit, Access: Apps and Policies edit, Access: Service Tokens edit, Notifications edit (tunnel health alert), R2 edit and API Tokens edit",
    requiredWhen: always,
  },
  {
    key: "hcloud:token",
    when: "a node has `kind: cloud`",
    description: "hcloud project API token (read & write), Cloud Console > Security > API tokens",
    requiredWhen: (cfg) => cfg.nodes.some((n) => n.kind === "cloud"),
  },
  {
    key: "enclii-infra:robotUser",
    when: "a node has `kind: dedicated`",
    description: "Robot webservice user (Robot > Settings > Webservice and app settings)",
    requiredWhen: (cfg) => cfg.nodes.some((n) => n.kind === "dedicated"),
  },
  {
    key: "enclii-infra:robotPassword",
    when: "a node has `kind: dedicated`",
    description: "Robot webservice password",
    requiredWhen: (cfg) => cfg.nodes.some((n) => n.kind === "dedicated"),
  },
  {
    key: "enclii-infra:sshPrivateKey",
    when: "a node is provisioned (`dedicated` or `cloud`)",
    description: "OpenSSH private key matching access.sshPublicKeys[0]; used to bootstrap k3s over SSH",
    requiredWhen: (cfg) => cfg.nodes.some((n) => n.kind !== "existing"),
  },
  {
    key: "enclii-infra:kubeconfig",
    when: "the nodes are `kind: existing`",
    description: "kubeconfig of an existing cluster (k3d, kind, any k3s) used instead of provisioning nodes",
    requiredWhen: (cfg) => cfg.nodes.length > 0 && cfg.nodes.every((n) => n.kind === "existing"),
  },
  {
    key: "enclii-infra:resendApiKey",
    when: "optional",
    description: "Resend API key for Janua's transactional email (optional)",
    requiredWhen: () => false,
  },
  {
    key: "enclii-infra:alertWebhookUrl",
    when: "`monitoring.webhook: true`",
    description: "Alertmanager webhook URL (Slack, Discord, ntfy...) when monitoring.webhook is true",
    requiredWhen: (cfg) => cfg.monitoring.enabled && cfg.monitoring.webhook,
  },
  {
    key: "enclii-infra:alertHeartbeatUrl",
    when: "`monitoring.heartbeat: true`",
    description:
      "Dead man's switch URL the always-firing Watchdog is sent to every 5 min (e.g. a healthchecks.io ping URL)",
    requiredWhen: (cfg) => cfg.monitoring.enabled && cfg.monitoring.heartbeat,
  },
  {
    key: "enclii-infra:alertSmtpPassword",
    when: "`monitoring.alertEmail` is set",
    description: "SMTP password for monitoring.alertEmail.smarthost",
    requiredWhen: (cfg) => cfg.monitoring.enabled && cfg.monitoring.alertEmail !== undefined,
  },
];

/** The `enclii-infra:` keys that are secrets, without the namespace (`robotPassword`, ...). */
export const PROJECT_SECRET_NAMES: readonly string[] = SECRET_KEYS.filter((s) =>
  s.key.startsWith("enclii-infra:"),
).map((s) => s.key.slice("enclii-infra:".length));

/** The `pulumi config set --secret` command that fixes a missing secret. */
export function setSecretCommand(key: string): string {
  const short = key.startsWith("enclii-infra:") ? key.slice("enclii-infra:".length) : key;
  return `pulumi config set --secret ${short} <value>`;
}
