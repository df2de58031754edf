/**
 * Shell scripts the k3s bootstrap runs over SSH, rendered by pure functions so they can be
 * checked with shellcheck. Each one is idempotent: `pulumi up` may run it again at any time.
 */
import { K3S_PATHS } from "./k3s-config";

/** The unit k3s runs as for a role. */
export const k3sService = (role: "server" | "agent") => (role === "server" ? "k3s" : "k3s-agent");

function heredoc(path: string, content: string): string {
  return [`cat > "${path}.new" <<'ENCLII_EOF'`, content.trimEnd(), "ENCLII_EOF"].join("\n");
}

/**
 * Writes the k3s files. config.yaml holds the join token, so it is embedded base64-encoded and
 * the whole script is passed as a secret on stdin. A file is only replaced when it changed, and
 * a running k3s is restarted only then, so re-running is a no-op.
 */
export function renderWriteConfigScript(options: {
  readonly role: "server" | "agent";
  /** The rendered config.yaml (secret). */
  readonly config: string;
  readonly podSecurityConfig: string;
  readonly auditPolicy: string;
}): string {
  const lines = [
    "#!/usr/bin/env bash",
    "# Writes the k3s configuration; restarts k3s only when a file changed. Rendered by enclii-infra.",
    "set -euo pipefail",
    "umask 077",
    "install -d -m 0700 /etc/rancher/k3s",
    "changed=0",
    "replace() {",
    '  if ! cmp -s "$1.new" "$1"; then mv "$1.new" "$1"; chmod 0600 "$1"; changed=1; else rm -f "$1.new"; fi',
    "}",
    `base64 -d > "${K3S_PATHS.config}.new" <<'ENCLII_EOF'`,
    Buffer.from(options.config).toString("base64"),
    "ENCLII_EOF",
    `replace "${K3S_PATHS.config}"`,
  ];
  if (options.role === "server") {
    lines.push(
      heredoc(K3S_PATHS.podSecurity, options.podSecurityConfig),
      `replace "${K3S_PATHS.podSecurity}"`,
    );
    lines.push(heredoc(K3S_PATHS.auditPolicy, options.auditPolicy), `replace "${K3S_PATHS.auditPolicy}"`);
    lines.push(`install -d -m 0700 "$(dirname ${K3S_PATHS.auditLog})"`);
  }
  const service = k3sService(options.role);
  lines.push(
    `if [ "$changed" = 1 ] && systemctl is-active --quiet ${service}; then`,
    `  systemctl restart ${service}`,
    `  echo "k3s configuration changed: ${service} restarted"`,
    "fi",
    "",
  );
  return lines.join("\n");
}

/** URL of the k3s install script at the release's own tag (not the moving get.k3s.io). */
export function installScriptUrl(version: string): string {
  return `https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh`;
}

/**
 * Installs k3s at `version` unless it is installed already: later version changes go through
 * the system-upgrade-controller Plans, never through a reinstall.
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
    `  systemctl enable --now ${service}`,
    "  exit 0",
    "fi",
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

/** Points a k3s kubeconfig at `host` instead of 127.0.0.1 and names its context. */
export function rewriteKubeconfig(kubeconfig: string, host: string, contextName: string): string {
  if (!kubeconfig.includes("https://127.0.0.1:6443")) {
    throw new Error("the kubeconfig read from the node does not point at https://127.0.0.1:6443");
  }
  return kubeconfig
    .replace("https://127.0.0.1:6443", `https://${host}:6443`)
    .replace(/^(\s*(?:name|cluster|user|current-context):\s*)default$/gm, `$1${contextName}`);
}
