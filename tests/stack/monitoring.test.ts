import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_NAMESPACES, parseServiceUrl } from "../../components/edge/routes";
import { alertRules } from "../../components/observability/alert-rules";
import { CHARTS } from "../../components/versions";
import { POLICIES } from "../../policies/policy-list";
import type { RecordedResource, Recorder } from "../helpers/mocks";
import { runStackProgram } from "../helpers/program";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Obj = Record<string, any>;
let recorder: Recorder;

beforeAll(async () => {
  recorder = await runStackProgram("production");
});

const ofKind = (kind: string) => recorder.resources.filter((r) => r.rawInputs.kind === kind);
const ACCESS_APP = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const TUNNEL_CONFIG = "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig";

describe("monitoring in the production program", () => {
  it("installs the pinned kube-prometheus-stack with the stack's retention and storage on Longhorn", () => {
    const chart = recorder.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack",
    ) as { inputs: Obj };
    expect(chart.inputs).toMatchObject({
      version: CHARTS.kubePrometheusStack.version,
      repositoryOpts: { repo: CHARTS.kubePrometheusStack.repository },
      namespace: "monitoring",
    });
    const spec = chart.inputs.values.prometheus.prometheusSpec;
    expect(spec.retention).toBe("15d");
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("50Gi");
    expect(chart.inputs.values.alertmanager.config.receivers[1].email_configs[0].to).toBe("ops@enclii.dev");
  });

  it("deploys every alert rule with the configured backup age", () => {
    const [rule] = ofKind("PrometheusRule") as [RecordedResource];
    const deployed = (rule.rawInputs.spec as Obj).groups[0].rules.map((r: Obj) => r.alert);
    expect(deployed).toEqual(alertRules({ baseBackupHours: 26 }).map((r) => r.alert));
    expect(JSON.stringify(rule.rawInputs)).toContain("> 93600");
  });

  it("scrapes cloudflared, both Januas, switchyard-api, both PostgreSQL clusters and Redis, Longhorn, cert-manager", () => {
    const monitors = [...ofKind("ServiceMonitor"), ...ofKind("PodMonitor")].map(
      (r) => `${(r.rawInputs.metadata as Obj).namespace}/${(r.rawInputs.metadata as Obj).name}`,
    );
    expect(monitors.sort()).toEqual(
      [
        "cloudflare-tunnel/cloudflared",
        "janua/janua",
        "janua-globex/janua",
        "enclii/switchyard-api",
        "data/cnpg",
        "data/redis",
        "janua-globex/cnpg",
        "janua-globex/redis",
        "longhorn-system/longhorn",
        "cert-manager/cert-manager",
      ].sort(),
    );
  });

  it("a monitor in a dedicated Janua namespace waits for that namespace, not for every tenant", () => {
    const monitor = ofKind("ServiceMonitor").find(
      (r) => (r.rawInputs.metadata as Obj).namespace === "janua-globex",
    ) as RecordedResource;
    const namespace = recorder.resources.find(
      (r) => r.type === "kubernetes:core/v1:Namespace" && r.name === "janua-globex-namespace",
    ) as RecordedResource;
    expect(monitor.dependencies).toContain(namespace.urn);
    expect(monitor.dependencies.some((d) => d.includes("tenant-acme"))).toBe(false);
  });

  it("probes the public platform hostnames and the tenants' custom hostnames, not admin or tenant subdomains", () => {
    const probes = Object.fromEntries(
      ofKind("Probe").map((r) => [
        (r.rawInputs.metadata as Obj).name,
        (r.rawInputs.spec as Obj).targets.staticConfig.static,
      ]),
    );
    expect(probes).toEqual({
      "platform-hostnames": [
        "https://api.enclii.dev/",
        "https://app.enclii.dev/",
        "https://auth-globex.enclii.dev/",
        "https://auth.enclii.dev/",
      ],
      "custom-hostnames": [
        "https://app.acme.example/",
        "https://portal.globex.example/",
        "https://www.acme.example/",
      ],
    });
    const blackbox = recorder.resources.find((r) => r.inputs.chart === "prometheus-blackbox-exporter");
    expect(blackbox?.inputs.version).toBe(CHARTS.blackboxExporter.version);
  });

  it("keeps the receivers' credentials in a Secret marked secret, never in the chart values", () => {
    const secret = recorder.resources.find(
      (r) =>
        r.type === "kubernetes:core/v1:Secret" &&
        (r.rawInputs.metadata as Obj).name === "alertmanager-receivers",
    );
    const raw = JSON.stringify(secret?.rawInputs.stringData);
    expect(raw).toContain("smtp-password");
    expect(JSON.stringify(secret?.inputs)).toContain("[secret]");
    expect(JSON.stringify(secret?.inputs)).not.toContain(
      String(((secret as RecordedResource).rawInputs.stringData as Obj)["smtp-password"]),
    );
    const chart = recorder.resources.find((r) => r.inputs.chart === "kube-prometheus-stack");
    expect(JSON.stringify(chart?.inputs)).not.toContain("placeholder");
  });

  it("puts Grafana behind a Cloudflare Access application that admits the configured admins", () => {
    const app = recorder.get(ACCESS_APP, "tunnel-access-grafana.enclii.dev-app");
    expect(app.inputs).toMatchObject({
      type: "self_hosted",
      domain: "grafana.enclii.dev",
      destinations: [{ type: "public", uri: "grafana.enclii.dev" }],
    });
    const policy = recorder.get(
      "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
      "tunnel-access-grafana.enclii.dev-policy",
    );
    expect(policy.inputs).toMatchObject({
      decision: "allow",
      includes: [{ email: { email: "ops@enclii.dev" } }],
    });
    // The tunnel publishes the route only after Access protects it.
    const config = recorder.get(TUNNEL_CONFIG, "tunnel-config");
    expect(config.dependencies).toContain(app.urn);
  });

  it("exposes no admin UI without Access: every route into an admin namespace has an Access application", () => {
    const config = recorder.get(TUNNEL_CONFIG, "tunnel-config");
    const adminRoutes = (config.inputs.config as Obj).ingresses.filter((i: Obj) => {
      const target = i.hostname ? parseServiceUrl(String(i.service)) : undefined;
      return target !== undefined && ADMIN_NAMESPACES.includes(target.namespace);
    });
    expect(adminRoutes.map((i: Obj) => i.hostname)).toEqual(["grafana.enclii.dev"]);
    const policy = POLICIES.find(
      (p) => p.name === "cloudflare-tunnel-require-access-for-admin",
    ) as StackValidationPolicy;
    const asPolicyResources = (list: typeof recorder.resources) =>
      list.map(
        (r) =>
          ({
            type: r.type,
            props: r.inputs,
            urn: r.urn,
            name: r.name,
            opts: {},
          }) as unknown as PolicyResource,
      );
    const violations = (list: typeof recorder.resources) => {
      const messages: string[] = [];
      (policy.validateStack as (a: unknown, report: (m: string) => void) => void)(
        { resources: asPolicyResources(list), getConfig: () => ({}) },
        (m) => messages.push(m),
      );
      return messages;
    };
    expect(violations(recorder.resources)).toEqual([]);
    // The same plan without its Access applications is refused: Grafana, and every SSH/API route.
    const tcp = (config.inputs.config as Obj).ingresses.filter((i: Obj) =>
      /^(ssh|tcp):\/\//.test(String(i.service)),
    );
    expect(tcp.length).toBeGreaterThan(0);
    expect(violations(recorder.resources.filter((r) => r.type !== ACCESS_APP))).toEqual([
      "tunnel route grafana.enclii.dev -> http://grafana.monitoring.svc.cluster.local:80 reaches an admin namespace without a Cloudflare Access application",
      ...tcp.map(
        (i: Obj) =>
          `tunnel route ${i.hostname} -> ${i.service} is a raw TCP/SSH route without a Cloudflare Access application`,
      ),
    ]);
  });

  it("lets cloudflared reach Grafana's pods and exports Grafana's URL with its admin password as a secret", () => {
    const egress = ofKind("NetworkPolicy").find(
      (r) => (r.rawInputs.metadata as Obj).name === "cloudflared-egress-services",
    );
    expect(JSON.stringify(egress?.rawInputs)).toContain('"monitoring"');
    const password = recorder.resources.find((r) => r.name === "monitoring-grafana-admin-password");
    expect(password?.type).toBe("random:index/randomPassword:RandomPassword");
    const grafanaAdmin = recorder.resources.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && (r.rawInputs.metadata as Obj).name === "grafana-admin",
    );
    const adminPassword = String(
      ((grafanaAdmin as RecordedResource).rawInputs.stringData as Obj)["admin-password"],
    );
    expect(adminPassword).toHaveLength(32);
    expect(JSON.stringify(grafanaAdmin?.inputs)).not.toContain(adminPassword);
  });
});
