import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { Probe } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { januaSizingOptions, renderJanuaManifests } from "../../components/auth/janua-manifests";
import { controlPlaneSizingOptions, renderControlPlane } from "../../components/control-plane/manifests";
import { monitoringRequests } from "../../components/cost/capacity";
import {
  CNPG_INSTANCE_SELECTOR,
  REDIS_POD_SELECTOR,
  renderDataNetworkPolicies,
} from "../../components/data/data-network";
import { renderRedisManifests } from "../../components/data/redis-manifests";
import {
  renderDeployment as renderCloudflared,
  renderNetworkPolicies as renderCloudflaredPolicies,
} from "../../components/edge/cloudflared-manifests";
import { alertRules } from "../../components/observability/alert-rules";
import {
  type AlertmanagerConfigOptions,
  renderAlertmanagerConfig,
} from "../../components/observability/alertmanager-config";
import { dashboardPanels, renderDashboardConfigMap } from "../../components/observability/dashboard";
import { grafanaRoute, smtpPort } from "../../components/observability/monitoring";
import {
  MONITORING_PODS,
  renderMonitoringNetworkPolicies,
} from "../../components/observability/monitoring-network";
import { monitoringValues, retentionSize } from "../../components/observability/monitoring-values";
import { renderProbes } from "../../components/observability/probes";
import { renderScrapeTargets, scrapeTargets } from "../../components/observability/scrape-targets";
import { renderDefaultDeny } from "../../components/shared/namespace";
import { type Endpoint, mayConnect } from "../../components/tenancy/netpol-eval";
import { requireBinary } from "../helpers/binaries";
import { validateObject } from "../helpers/k8s-validate";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Obj = Record<string, any>;

const EMAIL = {
  to: ["ops@enclii.dev", "oncall@enclii.dev"],
  from: "alerts@enclii.dev",
  smarthost: "smtp.resend.com:587",
};

const amConfig = (o: AlertmanagerConfigOptions): Obj => renderAlertmanagerConfig(o);

/** `amtool check-config` on a rendered configuration. */
function amtool(config: Obj): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), "am-")), "alertmanager.yml");
  writeFileSync(file, stringify(config));
  const r = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`error at ${node.from} in ${expr}`);
    },
  });
  return errors;
}

describe("Alertmanager configuration", () => {
  const both: AlertmanagerConfigOptions = {
    email: EMAIL,
    webhook: true,
    secretName: "alertmanager-receivers",
  };

  it("sends to email and the webhook, reading the SMTP password and the URL from mounted files", () => {
    const config = amConfig(both);
    expect(config.global).toMatchObject({
      smtp_from: "alerts@enclii.dev",
      smtp_smarthost: "smtp.resend.com:587",
      smtp_auth_username: "alerts@enclii.dev",
      smtp_auth_password_file: "/etc/alertmanager/secrets/alertmanager-receivers/smtp-password",
      smtp_require_tls: true,
    });
    const platform = config.receivers.find((r: Obj) => r.name === config.route.receiver);
    expect(platform.email_configs).toEqual([
      { to: "ops@enclii.dev, oncall@enclii.dev", send_resolved: true },
    ]);
    expect(platform.webhook_configs[0].url_file).toBe(
      "/etc/alertmanager/secrets/alertmanager-receivers/webhook-url",
    );
    expect(JSON.stringify(config)).not.toMatch(/"(url|smtp_auth_password)"/);
  });

  it("uses the configured SMTP user when one is set", () => {
    const config = amConfig({ ...both, email: { ...EMAIL, username: "resend" } });
    expect(config.global.smtp_auth_username).toBe("resend");
  });

  it("passes amtool check-config (email; webhook with url, which amtool 0.25 knows in place of url_file)", (ctx) => {
    requireBinary("amtool", ctx);
    const email = amtool(amConfig({ ...both, webhook: false }));
    expect(email.status, email.output).toBe(0);
    const withWebhook = amConfig(both);
    const hook = withWebhook.receivers[1].webhook_configs[0];
    hook.url = "https://hooks.example.com/alerts";
    delete hook.url_file;
    const checked = amtool(withWebhook);
    expect(checked.status, checked.output).toBe(0);
    expect(checked.output).toContain("Found:");
    const none = amtool(amConfig({ webhook: false, secretName: "s" }));
    expect(none.status, none.output).toBe(0);
  });

  it("amtool rejects a route to a receiver that does not exist (the check can fail)", (ctx) => {
    requireBinary("amtool", ctx);
    const broken = amConfig({ ...both, webhook: false });
    broken.route.routes[1].receiver = "pager";
    const r = amtool(broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("pager");
  });

  it("drops the chart's Watchdog and lets a critical alert silence the same warning", () => {
    const config = amConfig(both);
    expect(config.route.routes[0]).toEqual({
      receiver: "null",
      matchers: ['alertname =~ "Watchdog|InfoInhibitor"'],
    });
    expect(config.inhibit_rules[0]).toMatchObject({ equal: ["alertname", "namespace"] });
  });
});

describe("kube-prometheus-stack values", () => {
  const values = monitoringValues({
    retention: "15d",
    storageSize: "50Gi",
    grafanaHostname: "grafana.enclii.dev",
    alerting: { email: EMAIL, webhook: false, secretName: "alertmanager-receivers" },
  }) as Obj;

  it("keeps the configured retention on a Longhorn volume of the configured size, stopping at 85 %", () => {
    const spec = values.prometheus.prometheusSpec;
    expect(spec).toMatchObject({ retention: "15d", retentionSize: "42GB", replicas: 1 });
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: "longhorn",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "50Gi" } },
    });
    expect(values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe(
      "longhorn",
    );
    expect(values.grafana.persistence).toMatchObject({ enabled: true, storageClassName: "longhorn" });
  });

  it("picks up every monitor and rule in the cluster, not only the release's", () => {
    const spec = values.prometheus.prometheusSpec;
    for (const key of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"]) {
      expect(spec[`${key}SelectorNilUsesHelmValues`], key).toBe(false);
    }
  });

  it("turns off what k3s does not expose (etcd, scheduler, controller manager, proxy) and their rules", () => {
    for (const key of ["kubeEtcd", "kubeControllerManager", "kubeScheduler", "kubeProxy"]) {
      expect(values[key], key).toEqual({ enabled: false });
    }
    expect(values.defaultRules.rules).toMatchObject({ etcd: false, kubeProxy: false });
  });

  it("gives Grafana its public URL and its admin from a Secret, never a password in the values", () => {
    expect(values.grafana["grafana.ini"].server.root_url).toBe("https://grafana.enclii.dev");
    expect(values.grafana.admin).toEqual({
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    expect(values.grafana.adminPassword).toBeUndefined();
    expect(values.grafana["grafana.ini"]["auth.anonymous"].enabled).toBe(false);
    expect(values.alertmanager.alertmanagerSpec.secrets).toEqual(["alertmanager-receivers"]);
  });

  it("sizes the volume cap from the storage size and rejects a size it cannot read", () => {
    expect(retentionSize("10Gi")).toBe("8GB");
    expect(retentionSize("2Gi")).toBe("1740MB");
    expect(() => retentionSize("lots")).toThrow("monitoring.storageSize lots");
  });

  it("requests what the capacity model counts: about 0.45 CPU and 1.5 GiB on one node", () => {
    const one = monitoringRequests(1);
    expect(one.cpu).toBeCloseTo(0.44, 2);
    expect(one.memoryGiB).toBeCloseTo(1.5, 1);
    expect(monitoringRequests(3).cpu - one.cpu).toBeCloseTo(0.04, 5);
  });

  it("routes Grafana to the chart's service and reads the SMTP port", () => {
    expect(grafanaRoute("grafana.enclii.dev")).toEqual({
      hostname: "grafana.enclii.dev",
      service: "http://grafana.monitoring.svc.cluster.local:80",
      targetPort: 3000,
    });
    expect(smtpPort("smtp.resend.com:587")).toBe(587);
  });
});

describe("scrape targets", () => {
  const options = {
    tunnelNamespace: "cloudflare-tunnel",
    januaNamespaces: ["janua", "janua-globex"],
    controlPlaneNamespace: "enclii",
    dataNamespaces: ["data", "janua-globex"],
    longhornNamespace: "longhorn-system",
    certManagerNamespace: "cert-manager",
  };
  const monitors = renderScrapeTargets(options) as Obj[];

  it("cover cloudflared, Janua (shared and dedicated), switchyard-api, CloudNativePG, Redis, Longhorn and cert-manager", () => {
    expect(monitors.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      "PodMonitor cloudflare-tunnel/cloudflared",
      "ServiceMonitor janua/janua",
      "ServiceMonitor janua-globex/janua",
      "ServiceMonitor enclii/switchyard-api",
      "PodMonitor data/cnpg",
      "PodMonitor data/redis",
      "PodMonitor janua-globex/cnpg",
      "PodMonitor janua-globex/redis",
      "ServiceMonitor longhorn-system/longhorn",
      "ServiceMonitor cert-manager/cert-manager",
    ]);
  });

  it("validate against the prometheus-operator schemas", () => {
    for (const m of monitors) {
      const model = m.kind === "PodMonitor" ? new PodMonitor(m as never) : new ServiceMonitor(m as never);
      expect(() => model.validate(), `${m.kind} ${m.metadata.name}`).not.toThrow();
    }
  });

  it("send Janua's metrics token from the Secret in Janua's own namespace", () => {
    for (const m of monitors.filter((x) => x.metadata.name === "janua")) {
      expect(m.spec.endpoints[0].authorization).toEqual({
        type: "Bearer",
        credentials: { name: "janua-secrets", key: "METRICS_TOKEN" },
      });
    }
  });

  /** Labels and named ports of what the platform's own renderers produce, by scrape job. */
  const rendered = (): Record<string, { labels: Obj; ports: string[] }> => {
    const cloudflared = renderCloudflared({ namespace: "cloudflare-tunnel", replicas: 2, routes: [] }) as Obj;
    const janua = renderJanuaManifests(januaSizingOptions()).find((o) => o.kind === "Service") as Obj;
    const controlPlane = renderControlPlane(controlPlaneSizingOptions()) as Obj[];
    const api = controlPlane.find((o) => o.kind === "Service" && o.metadata.name === "switchyard-api") as Obj;
    const redis = renderRedisManifests({
      namespace: "data",
      mode: "standalone",
      storageSize: "1Gi",
      resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
      exporter: true,
    }).find((o) => o.kind === "StatefulSet") as Obj;
    const podPorts = (w: Obj) =>
      w.spec.template.spec.containers.flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => p.name));
    return {
      cloudflared: { labels: cloudflared.spec.template.metadata.labels, ports: podPorts(cloudflared) },
      janua: { labels: janua.metadata.labels, ports: janua.spec.ports.map((p: Obj) => p.name) },
      "switchyard-api": { labels: api.metadata.labels, ports: api.spec.ports.map((p: Obj) => p.name) },
      redis: { labels: redis.spec.template.metadata.labels, ports: podPorts(redis) },
    };
  };

  it("select the pods or Services the platform renders, on a port they name", () => {
    const targets = rendered();
    for (const t of scrapeTargets(options).filter((x) => x.job in targets)) {
      const r = targets[t.job] as { labels: Obj; ports: string[] };
      for (const [k, v] of Object.entries(t.selector)) expect(r.labels[k], `${t.job} label ${k}`).toBe(v);
      expect(r.ports, t.job).toContain(t.port);
    }
  });

  it("Redis runs its exporter only when asked, as the monitor user with its password from the Secret", () => {
    const base = {
      namespace: "data",
      mode: "sentinel" as const,
      storageSize: "1Gi",
      resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
    };
    const containers = (exporter: boolean) =>
      (renderRedisManifests({ ...base, exporter }) as Obj[])
        .filter((o) => o.kind === "StatefulSet")
        .map((s) => s.spec.template.spec.containers.map((c: Obj) => c.name).join(","));
    expect(containers(false)).toEqual(["redis", "sentinel"]);
    expect(containers(true)).toEqual(["redis,exporter", "sentinel"]);
    const sts = (renderRedisManifests({ ...base, exporter: true }) as Obj[])[0] as Obj;
    const exporter = sts.spec.template.spec.containers[1];
    expect(exporter.image).toBe("oliver006/redis_exporter:v1.91.1");
    expect(exporter.env.find((e: Obj) => e.name === "REDIS_USER").value).toBe("monitor");
    expect(exporter.env.find((e: Obj) => e.name === "REDIS_PASSWORD").valueFrom.secretKeyRef).toEqual({
      name: "redis-auth",
      key: "monitor",
    });
  });
});

describe("hostname probes", () => {
  const probes = renderProbes("monitoring", {
    platform: ["auth.enclii.dev", "api.enclii.dev"],
    custom: ["www.acme.example"],
  }) as Obj[];

  it("probe platform hostnames strictly and custom hostnames for being active, through the exporter's Service", () => {
    expect(
      probes.map((p) => [p.metadata.name, p.spec.module, p.spec.targets.staticConfig.labels.probe_kind]),
    ).toEqual([
      ["platform-hostnames", "https_public", "platform"],
      ["custom-hostnames", "https_active", "custom"],
    ]);
    expect(probes[0]?.spec.targets.staticConfig.static).toEqual([
      "https://api.enclii.dev/",
      "https://auth.enclii.dev/",
    ]);
    expect(probes[0]?.spec.prober.url).toBe("blackbox-exporter.monitoring.svc.cluster.local:9115");
    for (const p of probes) expect(() => new Probe(p as never).validate()).not.toThrow();
  });

  it("leave out a kind with nothing to probe", () => {
    expect(renderProbes("monitoring", { platform: ["a.example"], custom: [] })).toHaveLength(1);
  });

  it("alert on exactly the labels the probes set", () => {
    const rules = alertRules({ baseBackupHours: 26 });
    expect(rules.find((r) => r.alert === "PublicHostnameDown")?.expr).toContain('probe_kind="platform"');
    expect(rules.find((r) => r.alert === "CustomHostnameNotActive")?.expr).toContain('probe_kind="custom"');
  });
});

describe("the platform dashboard", () => {
  it("every panel query is valid PromQL and the thresholds are the alerts'", () => {
    const panels = dashboardPanels({ baseBackupHours: 26 });
    for (const p of panels) for (const q of p.queries) expect(promqlErrors(q.expr), p.title).toEqual([]);
    expect(panels.find((p) => p.title === "Newest base backup age")?.red).toBe(26 * 3600);
    const rules = alertRules({ baseBackupHours: 26 });
    const backupRule = rules.find((r) => r.alert === "PostgresBaseBackupTooOld")?.expr ?? "";
    const backupPanel = panels.find((p) => p.title === "Newest base backup age")?.queries[0]?.expr ?? "";
    expect(backupRule.startsWith(backupPanel)).toBe(true);
  });

  it("ships as a ConfigMap the Grafana sidecar loads, with dashboard JSON Grafana can read", () => {
    const cm = renderDashboardConfigMap("monitoring", { baseBackupHours: 26 }) as Obj;
    expect(cm.metadata.labels.grafana_dashboard).toBe("1");
    const dashboard = JSON.parse(cm.data["enclii-platform.json"]);
    expect(dashboard).toMatchObject({ uid: "enclii-platform", title: "Enclii platform", schemaVersion: 39 });
    const ids = dashboard.panels.map((p: Obj) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.panels.every((p: Obj) => p.targets.length > 0 && p.gridPos.w === 12)).toBe(true);
  });
});

describe("network paths of monitoring and the data namespaces", () => {
  const janua = renderJanuaManifests(januaSizingOptions()) as Obj[];
  const routes = [
    { hostname: "auth.example.com", service: "http://janua.janua.svc.cluster.local:80", targetPort: 8080 },
    grafanaRoute("grafana.example.com"),
  ];
  const policies = [
    ...["monitoring", "data", "janua", "cloudflare-tunnel", "tenant-acme"].map((ns) => renderDefaultDeny(ns)),
    ...renderMonitoringNetworkPolicies({
      namespace: "monitoring",
      tunnelNamespace: "cloudflare-tunnel",
      serviceCidr: "10.43.0.0/16",
      smtpPort: 587,
    }),
    ...renderDataNetworkPolicies({
      namespace: "data",
      clientNamespaces: ["janua", "enclii"],
      serviceCidr: "10.43.0.0/16",
      monitoringNamespace: "monitoring",
    }),
    ...janua.filter((o) => o.kind === "NetworkPolicy"),
    ...renderCloudflaredPolicies({ namespace: "cloudflare-tunnel", replicas: 2, routes }),
  ] as Obj[];
  const pod = (namespace: string, labels: Obj = {}): Endpoint => ({
    kind: "pod",
    namespace,
    namespaceLabels: { "kubernetes.io/metadata.name": namespace },
    labels,
  });
  const prometheus = pod("monitoring", MONITORING_PODS.prometheus);
  const grafana = pod("monitoring", MONITORING_PODS.grafana);
  const alertmanager = pod("monitoring", MONITORING_PODS.alertmanager);
  const cloudflared = pod("cloudflare-tunnel", {
    "app.kubernetes.io/name": "cloudflared",
    "app.kubernetes.io/instance": "cloudflared",
  });
  const januaPod = pod("janua", { "app.kubernetes.io/name": "janua", "app.kubernetes.io/instance": "janua" });
  const postgres = pod("data", { ...CNPG_INSTANCE_SELECTOR, "cnpg.io/cluster": "postgres" });
  const redis = pod("data", { ...REDIS_POD_SELECTOR, "app.kubernetes.io/name": "redis" });
  const tenant = pod("tenant-acme", { app: "web" });
  const operator = pod("cnpg-system", { "app.kubernetes.io/name": "cloudnative-pg" });
  const internet: Endpoint = { kind: "ip", ip: "104.18.1.1" };
  const node: Endpoint = { kind: "ip", ip: "203.0.113.10" };

  it("every policy validates against the Kubernetes schemas", () => {
    for (const policy of policies)
      expect(validateObject(policy as never, undefined), policy.metadata.name).toEqual([]);
  });

  it("Prometheus scrapes cloudflared, Janua, PostgreSQL, Redis and the nodes", () => {
    expect(mayConnect(policies, prometheus, cloudflared, 2000)).toBe(true);
    expect(mayConnect(policies, prometheus, januaPod, 8080)).toBe(true);
    expect(mayConnect(policies, prometheus, postgres, 9187)).toBe(true);
    expect(mayConnect(policies, prometheus, redis, 9121)).toBe(true);
    expect(mayConnect(policies, prometheus, node, 9100)).toBe(true);
    expect(mayConnect(policies, prometheus, node, 10250)).toBe(true);
    // Only the metrics ports: not the database itself.
    expect(mayConnect(policies, prometheus, postgres, 5432)).toBe(false);
    expect(mayConnect(policies, prometheus, redis, 6379)).toBe(false);
  });

  it("Grafana is reachable from cloudflared only, and Grafana itself cannot reach the internet", () => {
    expect(mayConnect(policies, cloudflared, grafana, 3000)).toBe(true);
    expect(mayConnect(policies, tenant, grafana, 3000)).toBe(false);
    expect(mayConnect(policies, januaPod, grafana, 3000)).toBe(false);
    expect(mayConnect(policies, grafana, prometheus, 9090)).toBe(true);
    expect(mayConnect(policies, grafana, internet, 443)).toBe(false);
  });

  it("the blackbox exporter reaches Cloudflare's edge on 443 only", () => {
    const blackbox = pod("monitoring", MONITORING_PODS.blackbox);
    expect(mayConnect(policies, blackbox, internet, 443)).toBe(true);
    expect(mayConnect(policies, blackbox, internet, 22)).toBe(false);
    expect(mayConnect(policies, blackbox, postgres, 5432)).toBe(false);
    expect(mayConnect(policies, prometheus, blackbox, 9115)).toBe(true);
  });

  it("Alertmanager reaches the SMTP relay and webhooks; Prometheus reaches Alertmanager", () => {
    expect(mayConnect(policies, alertmanager, internet, 587)).toBe(true);
    expect(mayConnect(policies, alertmanager, internet, 443)).toBe(true);
    expect(mayConnect(policies, alertmanager, internet, 25)).toBe(false);
    expect(mayConnect(policies, prometheus, alertmanager, 9093)).toBe(true);
  });

  it("the data namespace serves its clients, the operator and R2 and nobody else", () => {
    expect(mayConnect(policies, januaPod, postgres, 5432)).toBe(true);
    expect(mayConnect(policies, januaPod, redis, 6379)).toBe(true);
    expect(mayConnect(policies, tenant, postgres, 5432)).toBe(false);
    expect(mayConnect(policies, tenant, redis, 6379)).toBe(false);
    expect(mayConnect(policies, operator, postgres, 8000)).toBe(true);
    expect(mayConnect(policies, postgres, internet, 443)).toBe(true);
    expect(mayConnect(policies, postgres, node, 6443)).toBe(true);
    expect(mayConnect(policies, postgres, { kind: "ip", ip: "10.43.0.1" }, 443)).toBe(true);
    expect(mayConnect(policies, redis, internet, 443)).toBe(false);
    expect(mayConnect(policies, postgres, pod("data", { ...CNPG_INSTANCE_SELECTOR }), 5432)).toBe(true);
    // The recovery job of a cluster bootstrapping from R2 reaches R2 and the API server.
    const recoveryJob = pod("data", { "cnpg.io/cluster": "postgres", "cnpg.io/jobRole": "full-recovery" });
    expect(mayConnect(policies, recoveryJob, internet, 443)).toBe(true);
    expect(mayConnect(policies, recoveryJob, node, 6443)).toBe(true);
  });
});
