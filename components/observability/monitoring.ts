/**
 * `enclii:observability:Monitoring`: kube-prometheus-stack (pinned chart) with the platform's
 * scrape targets, alert rules, Alertmanager receivers, the platform dashboard and the monitoring
 * namespace's network policies. Grafana is published by the tunnel (route from
 * {@link grafanaRoute}), which puts it behind Cloudflare Access.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { TunnelRoute } from "../edge/routes";
import { installChart } from "../shared/chart";
import { createObjects } from "../shared/objects";
import { CHARTS } from "../versions";
import { type AlertThresholds, alertRules, renderPrometheusRule } from "./alert-rules";
import { type AlertEmail, RECEIVER_SECRET_KEYS } from "./alertmanager-config";
import { renderDashboardConfigMap } from "./dashboard";
import { renderMonitoringNetworkPolicies } from "./monitoring-network";
import { MONITORING, monitoringValues, renderGrafanaSidecarRole } from "./monitoring-values";
import { blackboxValues, type ProbeTargets, renderProbes } from "./probes";
import { renderScrapeTargets, type ScrapeTargetOptions } from "./scrape-targets";

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
  readonly provider: k8s.Provider;
  /** The `monitoring` namespace (an Output that waits for the Namespace). */
  readonly namespace: pulumi.Input<string>;
  /** Its name. @default "monitoring" */
  readonly namespaceName?: string;
  /**
   * node-exporter's own privileged namespace (an Output that waits for the Namespace: the chart
   * creates the DaemonSet there).
   */
  readonly nodeExporterNamespace: pulumi.Input<string>;
  /** Prometheus retention (`monitoring.retention`). */
  readonly retention: string;
  /** Prometheus volume (`monitoring.storageSize`). */
  readonly storageSize: string;
  readonly grafanaHostname: string;
  /** Email alerts with the SMTP password (secret `enclii-infra:alertSmtpPassword`). */
  readonly email?: AlertEmail & { readonly password: pulumi.Input<string> };
  /** Webhook URL (secret `enclii-infra:alertWebhookUrl`). */
  readonly webhookUrl?: pulumi.Input<string>;
  /**
   * Dead man's switch: the URL the always-firing Watchdog is sent to every few minutes (secret
   * `enclii-infra:alertHeartbeatUrl`, e.g. a healthchecks.io ping URL). Without it nothing pages
   * when the node running Prometheus and Alertmanager is gone.
   */
  readonly heartbeatUrl?: pulumi.Input<string>;
  /** Alert thresholds (`monitoring.backupFreshness.baseBackupHours`). */
  readonly baseBackupHours: number;
  /**
   * The other backup thresholds of `monitoring.backupFreshness` (WAL, etcd snapshots, Longhorn)
   * and whether k3s takes etcd snapshots at all (provisioned nodes).
   * @default the alert rules' defaults (15 min, 13 h, 26 h, snapshots on)
   */
  readonly backupFreshness?: Pick<
    AlertThresholds,
    "walMinutes" | "etcdSnapshotHours" | "longhornBackupHours" | "etcdSnapshots"
  >;
  /** Where the scraped services run. */
  readonly targets: Omit<ScrapeTargetOptions, "interval">;
  /** The cluster's Service CIDR. */
  readonly serviceCidr: string;
  /** What must exist first: cert-manager's readiness gate (webhook certificates), Longhorn (volumes). */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  /**
   * Namespaces created after the platform's (dedicated Janua namespaces), as Outputs that wait
   * for them: the monitors in them wait for their namespace only.
   */
  readonly namespaceRefs?: Record<string, pulumi.Input<string>>;
  /** Public hostnames probed through Cloudflare (platform and tenants' custom hostnames). */
  readonly probes: ProbeTargets;
}

/** The tunnel route of Grafana (an admin route: the tunnel puts it behind Access). */
export function grafanaRoute(hostname: string, namespace = "monitoring"): TunnelRoute {
  return {
    hostname,
    service: `http://${MONITORING.grafana}.${namespace}.svc.cluster.local:80`,
    targetPort: MONITORING.grafanaPort,
  };
}

/** The SMTP port of a `host:port` smarthost. */
export function smtpPort(smarthost: string): number {
  return Number(smarthost.slice(smarthost.lastIndexOf(":") + 1));
}

/** The monitoring stack. */
export class Monitoring extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  public readonly grafanaUrl: string;
  /** Grafana's `admin` password (behind Access; for the first login and emergencies). */
  public readonly grafanaAdminPassword: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:observability:Monitoring", name, {}, opts);
    const nsName = args.namespaceName ?? "monitoring";
    const base = { parent: this, provider: args.provider };
    const secretMeta = (secretName: string) => ({
      name: secretName,
      namespace: args.namespace,
      labels: { "app.kubernetes.io/name": secretName, "app.kubernetes.io/managed-by": "pulumi" },
    });

    const receivers = new k8s.core.v1.Secret(
      `${name}-receivers`,
      {
        metadata: secretMeta(MONITORING.receiversSecret),
        type: "Opaque",
        stringData: pulumi.secret({
          ...(args.email ? { [RECEIVER_SECRET_KEYS.smtpPassword]: args.email.password } : {}),
          ...(args.webhookUrl ? { [RECEIVER_SECRET_KEYS.webhookUrl]: args.webhookUrl } : {}),
          ...(args.heartbeatUrl ? { [RECEIVER_SECRET_KEYS.heartbeatUrl]: args.heartbeatUrl } : {}),
        }),
      },
      base,
    );
    const password = new random.RandomPassword(
      `${name}-grafana-admin-password`,
      { length: 32, special: false },
      { parent: this },
    );
    this.grafanaAdminPassword = pulumi.secret(password.result);
    const grafanaAdmin = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: secretMeta(MONITORING.grafanaAdminSecret),
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": password.result },
      },
      base,
    );

    // Before the chart: Grafana's sidecars list ConfigMaps at start (the chart binds this Role).
    const [grafanaRole] = createObjects(name, [renderGrafanaSidecarRole(nsName)], base, args.namespace);
    const values = monitoringValues({
      namespace: nsName,
      retention: args.retention,
      storageSize: args.storageSize,
      grafanaHostname: args.grafanaHostname,
      alerting: {
        email: args.email
          ? {
              to: args.email.to,
              from: args.email.from,
              smarthost: args.email.smarthost,
              username: args.email.username,
            }
          : undefined,
        webhook: args.webhookUrl !== undefined,
        heartbeat: args.heartbeatUrl !== undefined,
        secretName: MONITORING.receiversSecret,
      },
    });
    const nodeExporter = values["prometheus-node-exporter"] as Record<string, unknown>;
    const chartValues = {
      ...values,
      // The Output, so the chart waits for the namespace (the pure values carry its name).
      "prometheus-node-exporter": { ...nodeExporter, namespaceOverride: args.nodeExporterNamespace },
    };
    this.chart = installChart(name, CHARTS.kubePrometheusStack, args.namespace, chartValues, {
      ...base,
      dependsOn: [receivers, grafanaAdmin, grafanaRole as pulumi.Resource, ...args.dependsOn],
    });
    this.grafanaUrl = `https://${args.grafanaHostname}`;
    const blackbox = installChart(
      `${name}-blackbox`,
      CHARTS.blackboxExporter,
      args.namespace,
      blackboxValues(),
      {
        ...base,
        dependsOn: [this.chart],
      },
    );

    // Monitoring CRDs come with the chart.
    const afterChart = { ...base, dependsOn: [this.chart] };
    createObjects(
      name,
      [
        renderPrometheusRule(
          alertRules({
            baseBackupHours: args.baseBackupHours,
            ...args.backupFreshness,
            // Every data namespace holds a CloudNativePG cluster whose backup metrics must exist.
            postgresNamespaces: args.targets.dataNamespaces,
          }),
          nsName,
        ),
        renderDashboardConfigMap(nsName, { baseBackupHours: args.baseBackupHours }),
      ],
      afterChart,
      args.namespace,
    );
    createObjects(
      name,
      renderProbes(nsName, args.probes),
      { ...base, dependsOn: [this.chart, blackbox] },
      args.namespace,
    );
    for (const monitor of renderScrapeTargets(args.targets)) {
      const meta = monitor.metadata as { name: string; namespace: string };
      createObjects(`${name}-${meta.namespace}`, [monitor], afterChart, args.namespaceRefs?.[meta.namespace]);
    }
    createObjects(
      name,
      renderMonitoringNetworkPolicies({
        namespace: nsName,
        tunnelNamespace: args.targets.tunnelNamespace,
        serviceCidr: args.serviceCidr,
        smtpPort: args.email ? smtpPort(args.email.smarthost) : undefined,
      }),
      base,
      args.namespace,
    );
    this.registerOutputs({ grafanaUrl: this.grafanaUrl });
  }
}
