/**
 * Shell scripts the k3s bootstrap runs over SSH, rendered by pure functions so they can be
 * checked with shellcheck. Each one is idempotent: `pulumi up` may run it again at any time.
 */
import { stringify } from "yaml";
import { K3S_PATHS, serviceEnvFile } from "./k3s-config";
import { INSTALLED_VERSION_LABEL, installedVersionLabelValue } from "./upgrade-plans";

/** The unit k3s runs as for a role. */
export const k3sService = (role: "server" | "agent") => (role === "server" ? "k3s" : "k3s-agent");

function heredoc(path: string, content: string): string {
  return [`cat > "${path}.new" <<'ENCLII_EOF'`, content.trimEnd(), "ENCLII_EOF"].join("\n");
}

/**
 * Writes the k3s files that hold no secret: config.yaml, and on servers the admission
 * configuration, EventRateLimit's configuration and the audit policy. Everything is in clear, so
 * the plan shows each flag. A file is only replaced when it changed; k3s is restarted by the
 * install command, whose `triggers` hold this script (see `Cluster`).
 */
export function renderWriteConfigScript(options: {
  readonly role: "server" | "agent";
  /** The rendered config.yaml. */
  readonly config: string;
  readonly podSecurityConfig: string;
  readonly eventRateLimitConfig: string;
  readonly auditPolicy: string;
}): string {
  const lines = [
    "#!/usr/bin/env bash",
    "# Writes the k3s configuration (no secrets). Rendered by enclii-infra; safe to run again.",
    "set -euo pipefail",
    "umask 077",
    "install -d -m 0700 /etc/rancher/k3s",
    "replace() {",
    '  if ! cmp -s "$1.new" "$1"; then mv "$1.new" "$1"; chmod 0600 "$1"; echo "$1 changed"; else rm -f "$1.new"; fi',
    "}",
    heredoc(K3S_PATHS.config, options.config),
    `replace "${K3S_PATHS.config}"`,
  ];
  if (options.role === "server") {
    lines.push(
      heredoc(K3S_PATHS.podSecurity, options.podSecurityConfig),
      `replace "${K3S_PATHS.podSecurity}"`,
      heredoc(K3S_PATHS.eventRateLimit, options.eventRateLimitConfig),
      `replace "${K3S_PATHS.eventRateLimit}"`,
      heredoc(K3S_PATHS.auditPolicy, options.auditPolicy),
      `replace "${K3S_PATHS.auditPolicy}"`,
      `install -d -m 0700 "$(dirname ${K3S_PATHS.auditLog})"`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

/**
 * Writes the files that hold secrets: the join token (`token-file`) and the service environment
 * with the etcd S3 keys. Both arrive base64-encoded so no value can break the script; the whole
 * script is passed as a secret on stdin.
 */
export function renderWriteSecretsScript(options: {
  readonly role: "server" | "agent";
  readonly token: string;
  /** The rendered service environment (may be empty). */
  readonly serviceEnv: string;
}): string {
  const b64 = (path: string, content: string) => [
    `base64 -d > "${path}.new" <<'ENCLII_EOF'`,
    Buffer.from(content).toString("base64"),
    "ENCLII_EOF",
    `replace "${path}"`,
  ];
  return [
    "#!/usr/bin/env bash",
    "# Writes the k3s join token and service environment. Rendered by enclii-infra; safe to run again.",
    "set -euo pipefail",
    "umask 077",
    // `install -d -m` also changes an existing directory's mode: only k3s's own directory gets
    // one; /etc/default (0755, read by other services) always exists and is left as it is.
    "install -d -m 0700 /etc/rancher/k3s",
    "replace() {",
    '  if ! cmp -s "$1.new" "$1"; then mv "$1.new" "$1"; chmod 0600 "$1"; else rm -f "$1.new"; fi',
    "}",
    ...b64(K3S_PATHS.token, options.token),
    ...b64(serviceEnvFile(options.role), options.serviceEnv),
    "",
  ].join("\n");
}

/** URL of the k3s install script at the release's own tag (not the moving get.k3s.io). */
export function installScriptUrl(version: string): string {
  return `https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh`;
}

/**
 * How the install command runs its script: `create` restarts an installed k3s (pulumi-command
 * runs `create` when the command is replaced, i.e. when its triggers, the configuration, changed);
 * `update` only makes sure it runs (an update means another input, such as the connection,
 * changed). Both read the same stdin, so the mode is an environment variable.
 */
export const INSTALL_COMMANDS = {
  create: "ENCLII_WHEN_INSTALLED=restart bash -s",
  update: "ENCLII_WHEN_INSTALLED=ensure-running bash -s",
} as const;

/** The config drop-in that labels a node with the release it was installed with. */
export const INSTALLED_VERSION_DROP_IN = "/etc/rancher/k3s/config.yaml.d/50-enclii-installed-version.yaml";

/**
 * Installs k3s at `version` unless it is installed already: later version changes go through
 * the system-upgrade-controller Plans, never through a reinstall. An installed node restarts k3s
 * or only makes sure it runs, by `ENCLII_WHEN_INSTALLED` (see {@link INSTALL_COMMANDS}).
 *
 * Before the first install it writes {@link INSTALLED_VERSION_DROP_IN}: `node-label+` appends
 * {@link INSTALLED_VERSION_LABEL} to config.yaml's labels (k3s "Multiple config files"). It is
 * written only here, so it keeps the install-time release for good; k3s re-applies it at each
 * start, and the Plans skip a node whose label is their target (no job, no cordon on a node
 * that just joined).
 */
export function renderInstallScript(options: {
  readonly version: string;
  readonly role: "server" | "agent";
}): string {
  const service = k3sService(options.role);
  return [
    "#!/usr/bin/env bash",
    "# Installs k3s once; upgrades are done by system-upgrade-controller Plans. Rendered by enclii-infra.",
    "set -euo pipefail",
    "if command -v k3s >/dev/null 2>&1; then",
    `  echo "k3s already installed ($(k3s --version | head -n 1)); upgrades go through the upgrade Plans"`,
    '  if [ "${ENCLII_WHEN_INSTALLED:-ensure-running}" = restart ]; then',
    `    systemctl enable ${service}`,
    `    systemctl restart ${service}`,
    `    echo "k3s configuration changed: ${service} restarted"`,
    "  else",
    `    systemctl enable --now ${service}`,
    "  fi",
    "  exit 0",
    "fi",
    "# The release this node is installed with, once: the upgrade Plans skip nodes installed at their target.",
    "install -d -m 0700 /etc/rancher/k3s/config.yaml.d",
    `cat > "${INSTALLED_VERSION_DROP_IN}" <<'ENCLII_EOF'`,
    "node-label+:",
    `  - "${INSTALLED_VERSION_LABEL}=${installedVersionLabelValue(options.version)}"`,
    "ENCLII_EOF",
    "installer=$(mktemp)",
    "trap 'rm -f \"$installer\"' EXIT",
    `curl -sfL --retry 5 --retry-delay 5 -o "$installer" "${installScriptUrl(options.version)}"`,
    `INSTALL_K3S_VERSION="${options.version}" INSTALL_K3S_EXEC="${options.role}" sh "$installer"`,
    `systemctl is-active --quiet ${service}`,
    "",
  ].join("\n");
}

/** Waits until the API server answers /readyz with ok, or fails with a message after the timeout. */
export function renderReadinessScript(options: {
  readonly nodeName: string;
  readonly timeoutSeconds: number;
}): string {
  return [
    "#!/usr/bin/env bash",
    "# Waits for the Kubernetes API to be ready. Rendered by enclii-infra.",
    "set -euo pipefail",
    `deadline=$(( $(date +%s) + ${options.timeoutSeconds} ))`,
    'until [ "$(k3s kubectl get --raw=/readyz 2>/dev/null || true)" = "ok" ]; do',
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    echo "k3s API on ${options.nodeName} not ready after ${options.timeoutSeconds} s; see journalctl -u k3s on the node" >&2`,
    "    exit 1",
    "  fi",
    "  sleep 5",
    "done",
    'echo "k3s API ready"',
    "",
  ].join("\n");
}

/** The ServiceAccount the Kubernetes provider authenticates as. */
export const DEPLOYER = {
  namespace: "kube-system",
  name: "enclii-infra",
  secret: "enclii-infra-token",
} as const;

/**
 * Creates (idempotently, with the k3s kubectl on the server) a ServiceAccount bound to
 * cluster-admin and a non-expiring `kubernetes.io/service-account-token` Secret for it, waits
 * until the token controller filled it, and prints `{"token": ..., "ca": ...}` (the token and the
 * cluster CA, base64 as in a kubeconfig). Unlike k3s.yaml's client certificate (365 days) the
 * token does not expire; the CA is k3s's server CA (10 years).
 */
export function renderDeployerTokenScript(options: { readonly timeoutSeconds?: number } = {}): string {
  const d = DEPLOYER;
  const get = (field: string) =>
    `k3s kubectl -n ${d.namespace} get secret ${d.secret} -o jsonpath='{.data.${field}}'`;
  return [
    "#!/usr/bin/env bash",
    "# The deploy ServiceAccount and its token. Rendered by enclii-infra; safe to run again.",
    "set -euo pipefail",
    "k3s kubectl apply -f - >/dev/null <<'ENCLII_EOF'",
    "apiVersion: v1",
    "kind: ServiceAccount",
    `metadata: {name: ${d.name}, namespace: ${d.namespace}}`,
    "---",
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `  name: ${d.secret}`,
    `  namespace: ${d.namespace}`,
    `  annotations: {kubernetes.io/service-account.name: ${d.name}}`,
    "type: kubernetes.io/service-account-token",
    "---",
    "apiVersion: rbac.authorization.k8s.io/v1",
    "kind: ClusterRoleBinding",
    `metadata: {name: ${d.name}}`,
    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}",
    `subjects: [{kind: ServiceAccount, name: ${d.name}, namespace: ${d.namespace}}]`,
    "ENCLII_EOF",
    `deadline=$(( $(date +%s) + ${options.timeoutSeconds ?? 120} ))`,
    `until token=$(${get("token")}) && [ -n "$token" ]; do`,
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    echo "the token controller did not fill ${d.namespace}/${d.secret}" >&2`,
    "    exit 1",
    "  fi",
    "  sleep 2",
    "done",
    `ca=$(${get("ca\\.crt")})`,
    `printf '{"token":"%s","ca":"%s"}\\n' "$(printf '%s' "$token" | base64 -d)" "$ca"`,
    "",
  ].join("\n");
}

/**
 * The kubeconfig the Kubernetes provider uses: the deploy ServiceAccount's token against
 * `https://<apiHostname>:6443`. The server is a stable DNS name in tls-san, never an address, so
 * a node address change never changes the active cluster (which would replace the provider:
 * pulumi-kubernetes provider/pkg/provider/provider.go DiffConfig). @throws on malformed output
 */
export function deployerKubeconfig(options: {
  /** The stdout of {@link renderDeployerTokenScript}. */
  readonly tokenJson: string;
  readonly apiHostname: string;
  readonly contextName: string;
}): string {
  let parsed: { token?: unknown; ca?: unknown };
  try {
    parsed = JSON.parse(options.tokenJson) as typeof parsed;
  } catch {
    throw new Error("the deploy token command printed no JSON; see its stderr on the node");
  }
  if (
    typeof parsed.token !== "string" ||
    parsed.token === "" ||
    typeof parsed.ca !== "string" ||
    parsed.ca === ""
  ) {
    throw new Error("the deploy token command printed no token or CA");
  }
  const name = options.contextName;
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name,
          cluster: { server: `https://${options.apiHostname}:6443`, "certificate-authority-data": parsed.ca },
        },
      ],
      users: [{ name, user: { token: parsed.token } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      "current-context": name,
    },
    { lineWidth: 0 },
  );
}
