import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  mockOutputs,
  outputValue,
  type Recorder,
  SECRET,
  settle,
  startComponentMocks,
} from "../helpers/mocks";

let recorder: Recorder;
let cnpgSecret: string;
let cnpgSecretIsSecret: boolean;
let tunnelWithoutAdmins: () => unknown;
let tunnelWithoutTeam: () => unknown;

beforeAll(async () => {
  recorder = await startComponentMocks();
  const pulumi = await import("@pulumi/pulumi");
  const k8s = await import("@pulumi/kubernetes");
  const { R2Buckets } = await import("../../components/edge/r2-buckets");
  const { Tunnel } = await import("../../components/edge/tunnel");
  const { SaasHostnames } = await import("../../components/edge/saas-hostnames");
  const provider = new k8s.Provider("k3s", { kubeconfig: pulumi.secret("apiVersion: v1") });
  const r2 = new R2Buckets("r2", {
    accountId: "0123456789abcdef0123456789abcdef",
    bucketPrefix: "enclii-production",
    jurisdiction: "eu",
    retention: { etcd: 30, audit: 90, artifacts: 180, infrequentAccessAfter: 30 },
    tenantClusters: ["janua-globex"],
    protect: true,
  });
  const tunnel = new Tunnel("tunnel", {
    accountId: "0123456789abcdef0123456789abcdef",
    zoneId: "fedcba9876543210fedcba9876543210",
    zone: "enclii.dev",
    tunnelName: "enclii-production",
    routes: [
      { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80", targetPort: 8080 },
      { hostname: "app.acme.example", service: "http://web.tenant-acme.svc.cluster.local:80" },
    ],
    customHostnames: ["app.acme.example"],
    provider,
    namespace: "cloudflare-tunnel",
  });
  new SaasHostnames("saas", {
    zoneId: "fedcba9876543210fedcba9876543210",
    zone: "enclii.dev",
    fallbackOrigin: "origin.enclii.dev",
    tunnelTarget: tunnel.cnameTarget,
    domains: [{ hostname: "app.acme.example", tenant: "acme" }],
  });
  new Tunnel("admin", {
    accountId: "0123456789abcdef0123456789abcdef",
    zoneId: "fedcba9876543210fedcba9876543210",
    zone: "enclii.dev",
    tunnelName: "enclii-admin",
    routes: [
      { hostname: "grafana.enclii.dev", service: "http://grafana.monitoring.svc.cluster.local:80" },
      { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80" },
    ],
    provider,
    namespace: "cloudflare-tunnel",
    adminEmails: ["ops@enclii.dev"],
    accessTeamName: "enclii",
  });
  tunnelWithoutTeam = () =>
    new Tunnel("noteam", {
      accountId: "0123456789abcdef0123456789abcdef",
      zoneId: "fedcba9876543210fedcba9876543210",
      zone: "enclii.dev",
      tunnelName: "enclii-noteam",
      routes: [{ hostname: "grafana.enclii.dev", service: "http://grafana.monitoring.svc.cluster.local:80" }],
      provider,
      namespace: "cloudflare-tunnel",
      adminEmails: ["ops@enclii.dev"],
    });
  tunnelWithoutAdmins = () =>
    new Tunnel("bare", {
      accountId: "0123456789abcdef0123456789abcdef",
      zoneId: "fedcba9876543210fedcba9876543210",
      zone: "enclii.dev",
      tunnelName: "enclii-staging",
      routes: [{ hostname: "grafana.enclii.dev", service: "http://grafana.monitoring.svc.cluster.local:80" }],
      provider,
      namespace: "cloudflare-tunnel",
    });
  cnpgSecret = await outputValue(r2.credentials.cnpg.secretAccessKey);
  cnpgSecretIsSecret = await pulumi.isSecret(r2.credentials.cnpg.secretAccessKey);
  await settle();
});

describe("enclii:edge:R2Buckets", () => {
  it("creates protected EU buckets, one per consumer, each with lifecycle rules", () => {
    const buckets = recorder.ofType("cloudflare:index/r2Bucket:R2Bucket");
    expect(buckets.map((b) => b.inputs.name)).toEqual(
      ["etcd", "cnpg", "longhorn", "cnpg-janua-globex", "artifacts", "audit-archive"].map(
        (b) => `enclii-production-${b}`,
      ),
    );
    for (const b of buckets) expect(b).toMatchObject({ protect: true, inputs: { jurisdiction: "eu" } });
    expect(recorder.ofType("cloudflare:index/r2BucketLifecycle:R2BucketLifecycle")).toHaveLength(6);
  });

  it("locks the audit archive for its retention, protected, in its jurisdiction", () => {
    const [lock, ...others] = recorder.ofType("cloudflare:index/r2BucketLock:R2BucketLock");
    expect(others).toEqual([]);
    expect(lock).toMatchObject({
      name: "r2-audit-lock",
      protect: true,
      inputs: {
        bucketName: "enclii-production-audit-archive",
        jurisdiction: "eu",
        rules: [{ enabled: true, prefix: "", condition: { type: "Age", maxAgeSeconds: 90 * 86_400 } }],
      },
    });
  });

  it("gives each consumer a token scoped to exactly its one bucket", () => {
    const tokens = recorder.ofType("cloudflare:index/apiToken:ApiToken");
    expect(tokens.map((t) => t.name).sort()).toEqual(
      ["artifacts", "audit", "cnpg", "cnpg-janua-globex", "etcd", "longhorn"]
        .map((c) => `r2-${c}-token`)
        .sort(),
    );
    for (const token of tokens) {
      const [policy] = token.inputs.policies as { resources: string }[];
      const scopes = Object.keys(JSON.parse(String(policy?.resources)));
      expect(scopes).toHaveLength(1);
      expect(scopes[0]).toMatch(
        /^com\.cloudflare\.edge\.r2\.bucket\.0123456789abcdef0123456789abcdef_eu_enclii-production-/,
      );
      expect(scopes[0]).not.toContain("*");
    }
  });

  it("derives the S3 secret as the SHA-256 of the token value and keeps it secret", () => {
    const token = recorder.get("cloudflare:index/apiToken:ApiToken", "r2-cnpg-token");
    // The mock token value is derived from the resource; recompute what R2 expects.
    const value = String(mockOutputs(token.type, token.name, token.rawInputs).state.value);
    expect(cnpgSecret).toBe(createHash("sha256").update(value).digest("hex"));
    expect(cnpgSecretIsSecret).toBe(true);
  });
});

describe("enclii:edge:Tunnel", () => {
  it("is remotely managed with a random secret", () => {
    const tunnel = recorder.get(
      "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
      "tunnel-tunnel",
    );
    expect(tunnel.inputs).toMatchObject({
      configSrc: "cloudflare",
      tunnelSecret: SECRET,
      name: "enclii-production",
    });
  });

  it("routes each hostname and ends with the catch-all", () => {
    const config = recorder.get(
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      "tunnel-config",
    );
    const ingresses = (config.inputs.config as { ingresses: { hostname?: string; service: string }[] })
      .ingresses;
    expect(ingresses.map((i) => i.hostname ?? i.service)).toEqual([
      "app.acme.example",
      "auth.enclii.dev",
      "http_status:404",
    ]);
  });

  it("creates a proxied CNAME to the tunnel for zone hostnames only (tenants own their DNS)", () => {
    const records = recorder
      .ofType("cloudflare:index/dnsRecord:DnsRecord")
      .filter((r) => r.parent?.endsWith("tunnel"));
    expect(records.map((r) => r.inputs.name)).toEqual(["auth.enclii.dev"]);
    const tunnelId = recorder.get(
      "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
      "tunnel-tunnel",
    );
    void tunnelId;
    expect(records[0]?.inputs).toMatchObject({ type: "CNAME", proxied: true, ttl: 1 });
    expect(String(records[0]?.inputs.content)).toMatch(/^[0-9a-f-]{36}\.cfargotunnel\.com$/);
  });

  it("stores the tunnel token only in a Secret and runs 2 cloudflared replicas that read it", () => {
    const secret = recorder.get("kubernetes:core/v1:Secret", "tunnel-token");
    expect(secret.inputs.stringData).toBe(SECRET);
    const deployment = recorder.get("kubernetes:apps/v1:Deployment", "tunnel-cloudflared");
    expect((deployment.inputs.spec as { replicas: number }).replicas).toBe(2);
    expect(deployment.dependencies).toContain(secret.urn);
    expect(JSON.stringify(deployment.inputs)).not.toContain("eyJ");
  });

  it("adds a PodDisruptionBudget and egress policies for the edge and the routed namespaces", () => {
    const ofTunnel = (type: string) => recorder.ofType(type).filter((r) => r.name.startsWith("tunnel-"));
    expect(ofTunnel("kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(1);
    const names = ofTunnel("kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
      (p) => (p.inputs.metadata as { name: string }).name,
    );
    expect(names.sort()).toEqual([
      "cloudflared-egress-edge",
      "cloudflared-egress-services",
      "cloudflared-metrics",
    ]);
  });
});

describe("enclii:edge:Tunnel admin routes", () => {
  it("refuses to publish a route into an admin namespace when nobody may pass Access", () => {
    expect(tunnelWithoutAdmins).toThrow(
      "enclii:edge:Tunnel bare: routes grafana.enclii.dev lead to admin namespaces (monitoring, longhorn-system, cert-manager, cnpg-system, system-upgrade, kube-system) and need Cloudflare Access: set adminEmails (access.adminEmails)",
    );
  });

  it("creates no Access application for public routes", () => {
    expect(
      recorder.resources.filter((r) => r.type.includes("zeroTrustAccess") && !r.name.startsWith("admin-")),
    ).toEqual([]);
  });

  // cloudflared ingress/middleware/jwtvalidator.go: with originRequest.access.required cloudflared
  // itself refuses requests without the application's Access JWT, whatever DNS or the edge say.
  it("has cloudflared check the Access token of the admin route with the application's aud and the team", () => {
    const app = recorder.get(
      "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
      "admin-access-grafana.enclii.dev-app",
    );
    const aud = String(mockOutputs(app.type, app.name, app.rawInputs).state.aud);
    const config = recorder.get(
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      "admin-config",
    );
    const ingresses = (
      config.inputs.config as { ingresses: { hostname?: string; originRequest?: unknown }[] }
    ).ingresses;
    expect(ingresses.find((i) => i.hostname === "grafana.enclii.dev")?.originRequest).toEqual({
      access: { required: true, teamName: "enclii", audTags: [aud] },
    });
    expect(ingresses.find((i) => i.hostname === "auth.enclii.dev")?.originRequest).toBeUndefined();
    expect(config.dependencies).toContain(app.urn);
  });

  it("refuses an admin route when cloudflared has no team name to check Access tokens against", () => {
    expect(tunnelWithoutTeam).toThrow(
      "enclii:edge:Tunnel noteam: routes grafana.enclii.dev are behind Cloudflare Access and cloudflared must check its token: set accessTeamName (cloudflare.accessTeamName)",
    );
  });
});

describe("enclii:edge:SaasHostnames", () => {
  it("creates the fallback origin as a proxied record to the tunnel before the custom hostnames", () => {
    const record = recorder.get("cloudflare:index/dnsRecord:DnsRecord", "saas-fallback-origin-dns");
    expect(record.inputs).toMatchObject({ name: "origin.enclii.dev", proxied: true, type: "CNAME" });
    const fallback = recorder.get(
      "cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin",
      "saas-fallback-origin",
    );
    expect(fallback.dependencies).toContain(record.urn);
    const hostname = recorder.get("cloudflare:index/customHostname:CustomHostname", "saas-app.acme.example");
    expect(hostname.inputs.ssl).toEqual({ method: "http", type: "dv", settings: { minTlsVersion: "1.2" } });
    expect(hostname.dependencies).toContain(fallback.urn);
  });
});
