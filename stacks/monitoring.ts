/**
 * Composes the monitoring stack from the stack config: kube-prometheus-stack with the platform's
 * scrape targets, alert rules and receivers. Grafana's route is in the tunnel's route table
 * (stacks/tenants.ts), behind Cloudflare Access.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { isAdminRoute } from "../components/edge/routes";
import { TunnelHealthNotification } from "../components/edge/tunnel-health";
import { Monitoring } from "../components/observability/monitoring";
import type { ProbeTargets } from "../components/observability/probes";
import type { Tenant } from "../components/tenancy/tenant";
import type { StackConfig, StackSecrets } from "./config";
import { dedicatedJanuaNamespaces } from "./data";
import { platformRoutes } from "./tenants";

/**
 * The public hostnames the blackbox exporter probes: the platform's own public routes (issuers,
 * API, UI) and the tenants' custom hostnames. Tenant subdomains answer whatever the tenant
 * deploys (a 502 before the first deploy), and admin routes answer Access's login: not probed.
 */
export function probeTargets(config: StackConfig): ProbeTargets {
  const custom = config.tenants.flatMap((t) => t.domains);
  const tenantHostnames = new Set([...custom, ...config.tenants.map((t) => `${t.slug}.${config.domain}`)]);
  const platform = platformRoutes(config)
    .filter((r) => !isAdminRoute(r) && !tenantHostnames.has(r.hostname))
    .map((r) => r.hostname);
  return { platform, custom };
}

/** Builds the monitoring stack, or nothing when `monitoring.enabled` is false. */
export function buildMonitoring(
  config: StackConfig,
  secrets: StackSecrets,
  inputs: {
    provider: k8s.Provider;
    namespaces: Record<string, pulumi.Output<string>>;
    /** cert-manager's readiness gate (webhook certificates) and the Longhorn chart. */
    dependsOn: pulumi.Resource[];
    /** Tenants (their dedicated Janua namespaces hold monitors). */
    tenants: Tenant[];
    /** The stack's tunnel (stacks/edge.ts): Cloudflare's tunnel health policy watches it only. */
    tunnel: { name: string; id: pulumi.Output<string> };
  },
): Monitoring | undefined {
  const m = config.monitoring;
  // From Cloudflare's edge, not the cluster: it still arrives when the node is gone.
  if (m.tunnelHealthNotification) {
    new TunnelHealthNotification("tunnel-health", {
      accountId: config.cloudflare.accountId,
      tunnelName: inputs.tunnel.name,
      tunnelId: inputs.tunnel.id,
      emails: m.alertEmail?.to ?? config.access.adminEmails,
    });
  }
  if (!m.enabled) return undefined;
  const dedicated = dedicatedJanuaNamespaces(config);
  const email = m.alertEmail;
  return new Monitoring("monitoring", {
    provider: inputs.provider,
    namespace: inputs.namespaces.monitoring as pulumi.Output<string>,
    nodeExporterNamespace: inputs.namespaces["monitoring-node"] as pulumi.Output<string>,
    retention: m.retention,
    storageSize: m.storageSize,
    grafanaHostname: m.grafanaHostname,
    email: email && secrets.alertSmtpPassword ? { ...email, password: secrets.alertSmtpPassword } : undefined,
    webhookUrl: m.webhook ? secrets.alertWebhookUrl : undefined,
    heartbeatUrl: m.heartbeat ? secrets.alertHeartbeatUrl : undefined,
    baseBackupHours: m.backupFreshness.baseBackupHours,
    backupFreshness: {
      walMinutes: m.backupFreshness.walMinutes,
      etcdSnapshotHours: m.backupFreshness.etcdSnapshotHours,
      longhornBackupHours: m.backupFreshness.longhornBackupHours,
      // k3s snapshots etcd to R2 only on nodes the program installs (stacks/nodes.ts).
      etcdSnapshots: config.nodes.some((n) => n.kind !== "existing"),
    },
    targets: {
      tunnelNamespace: "cloudflare-tunnel",
      januaNamespaces: ["janua", ...dedicated],
      controlPlaneNamespace: "enclii",
      dataNamespaces: ["data", ...dedicated],
      longhornNamespace: "longhorn-system",
      certManagerNamespace: "cert-manager",
    },
    serviceCidr: config.k3s.serviceCidr,
    probes: probeTargets(config),
    dependsOn: inputs.dependsOn,
    namespaceRefs: Object.fromEntries(
      inputs.tenants.flatMap((t) =>
        t.dedicatedNamespace ? [[t.dedicatedNamespace.name, t.dedicatedNamespace.ref]] : [],
      ),
    ),
  });
}
