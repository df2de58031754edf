import { describe, expect, it } from "vitest";
import { accessApplicationArgs, accessPolicyArgs } from "../../components/edge/access";
import {
  CLOUDFLARED,
  renderDeployment,
  renderNetworkPolicies,
  renderPodDisruptionBudget,
} from "../../components/edge/cloudflared-manifests";
import {
  bucketPolicyResources,
  bucketSpecs,
  consumerSpecs,
  lifecycleRules,
  lockRules,
  R2_PERMISSION_GROUPS,
  r2Endpoint,
  tokenGrants,
} from "../../components/edge/r2-plan";
import {
  CATCH_ALL,
  isAdminRoute,
  parseServiceUrl,
  renderIngress,
  validateRoutes,
  withAccessChecks,
} from "../../components/edge/routes";
import { customHostnameArgs, validateCustomDomains } from "../../components/edge/saas-hostnames";
import { renderZoneSettings } from "../../components/edge/zone-settings";
import { parseStackConfig } from "../../stacks/config";
import { customDomains } from "../../stacks/edge";
import { baseProjectConfig, toRawConfig } from "../helpers/config-fixtures";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;
const zone = { zone: "enclii.dev" };

describe("tunnel route table", () => {
  const routes = [
    { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80", targetPort: 8080 },
    { hostname: "api.enclii.dev", service: "http://switchyard-api.enclii.svc.cluster.local:80" },
  ];

  it("sorts routes by hostname and ends with the 404 catch-all", () => {
    expect(renderIngress(routes, zone)).toEqual([
      { hostname: "api.enclii.dev", service: "http://switchyard-api.enclii.svc.cluster.local:80" },
      { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80" },
      CATCH_ALL,
    ]);
    expect(renderIngress([], zone)).toEqual([{ service: "http_status:404" }]);
  });

  it("rejects a hostname declared twice, naming both services", () => {
    expect(
      validateRoutes(
        [...routes, { hostname: "api.enclii.dev", service: "http://x.y.svc.cluster.local:80" }],
        zone,
      ),
    ).toEqual([
      "route api.enclii.dev: declared twice (http://switchyard-api.enclii.svc.cluster.local:80 and http://x.y.svc.cluster.local:80); each hostname has one service",
    ]);
  });

  it("rejects a hostname outside the zone unless it is a custom hostname", () => {
    const outside = [
      { hostname: "app.acme.example", service: "http://web.tenant-acme.svc.cluster.local:80" },
    ];
    expect(() => renderIngress(outside, zone)).toThrow(
      "route app.acme.example: outside the zone enclii.dev and not a custom hostname of it",
    );
    expect(renderIngress(outside, { ...zone, customHostnames: ["app.acme.example"] })).toHaveLength(2);
  });

  it("rejects a service that is not an in-cluster URL", () => {
    expect(validateRoutes([{ hostname: "x.enclii.dev", service: "http://10.0.0.5:80" }], zone)[0]).toContain(
      "must be http(s)://<service>.<namespace>.svc.cluster.local:<port>",
    );
    expect(parseServiceUrl("http://janua.janua.svc.cluster.local:80")).toEqual({
      name: "janua",
      namespace: "janua",
      port: 80,
    });
  });
});

describe("cloudflared manifests", () => {
  const options = {
    namespace: "cloudflare-tunnel",
    replicas: 2,
    routes: [
      { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80", targetPort: 8080 },
    ],
  };
  const deployment = renderDeployment(options) as Manifest;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it("runs a pinned image with metrics on :2000 and the token from the Secret", () => {
    expect(container.image).toMatch(/^cloudflare\/cloudflared:\d{4}\.\d+\.\d+$/);
    expect(container.args).toEqual(["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "run"]);
    expect(container.env).toEqual([
      { name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: CLOUDFLARED.tokenSecret, key: "token" } } },
    ]);
  });

  it("passes the checklist: probes on /ready (not identical), restricted context, requests and limits, spread", () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: "/ready", port: 2000 });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: 2000 });
    expect(container.livenessProbe).not.toEqual(container.readinessProbe);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext.runAsUser).toBe(65532);
    expect(pod.topologySpreadConstraints[0].topologyKey).toBe("kubernetes.io/hostname");
    expect(deployment.spec.replicas).toBe(2);
  });

  it("refuses fewer than 2 replicas", () => {
    expect(() => renderDeployment({ ...options, replicas: 1 })).toThrow(
      "cloudflared runs at least 2 replicas (got 1)",
    );
  });

  it("keeps one replica through drains", () => {
    expect((renderPodDisruptionBudget("cloudflare-tunnel") as Manifest).spec.minAvailable).toBe(1);
  });

  it("allows egress to the Cloudflare edge (not private ranges) and to routed pods on their pod port", () => {
    const policies = renderNetworkPolicies(options) as Manifest[];
    const edge = policies.find((p) => p.metadata.name === "cloudflared-egress-edge");
    expect(edge?.spec.egress[0].ports).toEqual([
      { protocol: "TCP", port: 7844 },
      { protocol: "UDP", port: 7844 },
      { protocol: "TCP", port: 443 },
    ]);
    expect(edge?.spec.egress[0].to[0].ipBlock.except).toContain("10.0.0.0/8");
    const services = policies.find((p) => p.metadata.name === "cloudflared-egress-services");
    expect(services?.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "janua" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
  });
});

describe("R2 layout", () => {
  const days = { etcd: 30, audit: 90, artifacts: 180, infrequentAccessAfter: 30 };
  const specs = bucketSpecs("enclii-production", days, ["janua-globex"]);
  const spec = (key: string) => specs.find((s) => s.key === key) as (typeof specs)[number];
  const consumers = consumerSpecs(["janua-globex"]);
  const ageRules = (key: string) =>
    lifecycleRules(spec(key), 30).filter((r) => r.deleteObjectsTransition !== undefined);

  // R2 tokens scope to buckets, not prefixes (developers.cloudflare.com/r2/api/tokens: "Object
  // Read & Write ... in specific buckets"): only a bucket per consumer keeps a leaked key to its own.
  it("gives every backup consumer a bucket of its own, a dedicated tenant's database included", () => {
    expect(specs.map((s) => s.name)).toEqual([
      "enclii-production-etcd",
      "enclii-production-cnpg",
      "enclii-production-longhorn",
      "enclii-production-cnpg-janua-globex",
      "enclii-production-artifacts",
      "enclii-production-audit-archive",
    ]);
    expect(consumers.map((c) => [c.name, c.bucket, c.prefix])).toEqual([
      ["etcd", "etcd", "etcd/"],
      ["cnpg", "cnpg", "cnpg/"],
      ["longhorn", "longhorn", "longhorn/"],
      ["cnpg-janua-globex", "cnpg-janua-globex", "cnpg/"],
      ["artifacts", "artifacts", "builds/"],
      ["audit", "audit", "audit/"],
    ]);
  });

  it("scopes each consumer's token policy to exactly its own bucket and nothing else", () => {
    const grants = tokenGrants("acc", "eu", specs, consumers);
    expect(grants).toHaveLength(specs.length);
    for (const grant of grants) {
      const own = spec(consumers.find((c) => c.name === grant.consumer)?.bucket as string).name;
      expect(grant.bucket).toBe(own);
      expect(Object.keys(JSON.parse(grant.policy.resources))).toEqual([
        `com.cloudflare.edge.r2.bucket.acc_eu_${own}`,
      ]);
      expect(grant.policy.permissionGroups.map((g) => g.id)).toEqual([
        R2_PERMISSION_GROUPS.itemRead,
        R2_PERMISSION_GROUPS.itemWrite,
      ]);
    }
    expect(new Set(grants.map((g) => g.bucket)).size).toBe(grants.length);
  });

  // longhorn/website PR #1010: "any retention policy directly on the backup store is strictly
  // prohibited" (backups are incremental; old blocks are referenced by newer backups).
  it("puts no age-based deletion on the Longhorn bucket, only the multipart abort", () => {
    expect(ageRules("longhorn")).toEqual([]);
    expect(lifecycleRules(spec("longhorn"), 30)).toEqual([
      {
        id: "abort-incomplete-multipart",
        enabled: true,
        conditions: { prefix: "" },
        abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * 86_400 } },
      },
    ]);
  });

  // barman-cloud needs its *.history files and the base backup before the recovery window; its
  // ObjectStore retentionPolicy prunes, an age rule could take what a recovery still needs.
  it("leaves the CNPG archives (shared and each tenant's) to barman-cloud's own retention", () => {
    expect(ageRules("cnpg")).toEqual([]);
    expect(ageRules("cnpg-janua-globex")).toEqual([]);
    expect(spec("cnpg").toolRetained).toEqual({ "cnpg/": expect.stringContaining("barman-cloud") });
  });

  it("ages out etcd snapshots, artifacts and the audit archive by their retention", () => {
    expect(
      ageRules("etcd").map((r) => [r.conditions.prefix, r.deleteObjectsTransition?.condition.maxAge]),
    ).toEqual([["etcd/", 30 * 86_400]]);
    expect(ageRules("audit")[0]?.deleteObjectsTransition?.condition.maxAge).toBe(90 * 86_400);
  });

  // The audit token's "Object Read & Write" includes deletes (R2 has no write-only permission);
  // a bucket lock refuses deletes and overwrites, lifecycle ones included, until the age
  // (developers.cloudflare.com/r2/buckets/bucket-locks).
  it("locks the whole audit archive for its retention, since its token could delete", () => {
    expect(lockRules(spec("audit"))).toEqual([
      { id: "retain-90d", enabled: true, prefix: "", condition: { type: "Age", maxAgeSeconds: 90 * 86_400 } },
    ]);
    expect(specs.filter((s) => lockRules(s).length > 0).map((s) => s.key)).toEqual(["audit"]);
  });

  it("moves to Infrequent Access only where objects stay the 30 days IA bills for", () => {
    const rules = lifecycleRules(spec("etcd"), 30);
    expect(rules.find((r) => r.id === "expire-etcd")?.storageClassTransitions).toBeUndefined();
    const audit = lifecycleRules(spec("audit"), 30);
    expect(audit[0]?.storageClassTransitions).toEqual([
      { condition: { type: "Age", maxAge: 30 * 86_400 }, storageClass: "InfrequentAccess" },
    ]);
    expect(lifecycleRules(spec("audit"), 0)[0]?.storageClassTransitions).toBeUndefined();
  });

  it("scopes a token to exactly one bucket and uses the EU endpoint for the EU jurisdiction", () => {
    expect(JSON.parse(bucketPolicyResources("acc", "eu", "b"))).toEqual({
      "com.cloudflare.edge.r2.bucket.acc_eu_b": "*",
    });
    expect(r2Endpoint("acc", "eu")).toBe("https://acc.eu.r2.cloudflarestorage.com");
    expect(r2Endpoint("acc", "default")).toBe("https://acc.r2.cloudflarestorage.com");
  });
});

describe("zone settings and custom hostnames", () => {
  it("forces HTTPS, TLS 1.2+, TLS 1.3 and HSTS", () => {
    const settings = renderZoneSettings({
      minTlsVersion: "1.2",
      hsts: { enabled: true, maxAgeSeconds: 31_536_000, includeSubdomains: true, preload: false },
    });
    expect(Object.fromEntries(settings.map((s) => [s.settingId, s.value]))).toMatchObject({
      always_use_https: "on",
      min_tls_version: "1.2",
      tls_1_3: "on",
      ssl: "strict",
      security_header: {
        strict_transport_security: { enabled: true, max_age: 31_536_000, include_subdomains: true },
      },
    });
  });

  it("refuses HSTS preload without includeSubdomains and a year of max-age", () => {
    expect(() =>
      renderZoneSettings({
        minTlsVersion: "1.2",
        hsts: { enabled: true, maxAgeSeconds: 300, includeSubdomains: false, preload: true },
      }),
    ).toThrow("hsts.preload needs includeSubdomains");
  });

  it("rejects a custom hostname inside the zone or listed twice", () => {
    expect(
      validateCustomDomains(
        [
          { hostname: "a.enclii.dev", tenant: "x" },
          { hostname: "b.example", tenant: "x" },
          { hostname: "b.example", tenant: "y" },
        ],
        "enclii.dev",
      ),
    ).toEqual([
      "custom hostname a.enclii.dev: inside the zone enclii.dev; serve it with a tunnel route instead",
      "custom hostname b.example: listed twice",
    ]);
  });
});

describe("Cloudflare for SaaS custom metadata", () => {
  const config = (customMetadata: boolean) => {
    const project = baseProjectConfig() as Record<string, Record<string, unknown>> & {
      tenants: Record<string, unknown>[];
    };
    project.cloudflare = { ...project.cloudflare, customMetadata };
    if (customMetadata) (project.tenants[0] as Record<string, unknown>).customMetadata = { plan: "growth" };
    return parseStackConfig(toRawConfig(project), "test");
  };

  // REFERENCE.md ("How the real systems behave"): custom_metadata needs the account team to enable
  // it; on an ordinary zone a custom hostname carrying it is rejected.
  it("sends no custom_metadata unless cloudflare.customMetadata is on", () => {
    const domains = customDomains(config(false));
    expect(domains).toEqual([{ hostname: "app.acme.example", tenant: "acme" }]);
    const args = customHostnameArgs("zone", domains[0] as (typeof domains)[number]);
    expect(args).not.toHaveProperty("customMetadata");
    expect(args).toEqual({
      zoneId: "zone",
      hostname: "app.acme.example",
      ssl: { method: "http", type: "dv", settings: { minTlsVersion: "1.2" } },
    });
  });

  it("sends the tenant slug and the tenant's own metadata once the flag is on", () => {
    const [domain] = customDomains(config(true));
    expect(customHostnameArgs("zone", domain as NonNullable<typeof domain>).customMetadata).toEqual({
      plan: "growth",
      tenant: "acme",
    });
  });
});

describe("cloudflared checks the Access token itself", () => {
  const routes = [
    { hostname: "grafana.enclii.dev", service: "http://grafana.monitoring.svc.cluster.local:80" },
    {
      hostname: "longhorn.enclii.dev",
      service: "http://longhorn-frontend.longhorn-system.svc.cluster.local:80",
    },
    { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80" },
  ];
  const auds: Record<string, string> = {
    "grafana.enclii.dev": "aud-grafana",
    "longhorn.enclii.dev": "aud-longhorn",
  };
  const rules = withAccessChecks(renderIngress(routes, zone), "enclii", (h) => auds[h]);

  // cloudflared config/configuration.go AccessConfig {required, teamName, audTag} and
  // ingress/ingress.go: with required, the JWT validator (ingress/middleware/jwtvalidator.go)
  // answers 403 without a Cf-Access-Jwt-Assertion from <teamName>.cloudflareaccess.com for audTag.
  // @pulumi/cloudflare 6.22 names the list `audTags`.
  it("gives every Access-protected rule originRequest.access with its application's aud and the team", () => {
    for (const rule of rules.filter((r) => r.hostname && auds[r.hostname])) {
      expect(rule.originRequest).toEqual({
        access: { required: true, teamName: "enclii", audTags: [auds[rule.hostname as string]] },
      });
    }
    expect(rules.filter((r) => r.originRequest).map((r) => r.hostname)).toEqual([
      "grafana.enclii.dev",
      "longhorn.enclii.dev",
    ]);
  });

  it("leaves public routes and the catch-all without an Access check", () => {
    expect(rules.find((r) => r.hostname === "auth.enclii.dev")).toEqual({
      hostname: "auth.enclii.dev",
      service: "http://janua.janua.svc.cluster.local:80",
    });
    expect(rules.at(-1)).toEqual(CATCH_ALL);
  });
});

describe("Cloudflare Access for admin routes", () => {
  const args = {
    accountId: "0123456789abcdef0123456789abcdef",
    hostname: "grafana.enclii.dev",
    displayName: "grafana (production)",
    allowedEmails: ["ops@enclii.dev", "cto@enclii.dev"],
  };

  it("allows exactly the listed emails, sorted, for a 12 h session", () => {
    expect(accessPolicyArgs(args)).toEqual({
      accountId: args.accountId,
      name: "grafana (production): admins",
      decision: "allow",
      includes: [{ email: { email: "cto@enclii.dev" } }, { email: { email: "ops@enclii.dev" } }],
      sessionDuration: "12h",
    });
  });

  it("covers the hostname as a self-hosted application with the policy attached", () => {
    expect(accessApplicationArgs(args, "policy-id")).toMatchObject({
      type: "self_hosted",
      domain: "grafana.enclii.dev",
      destinations: [{ type: "public", uri: "grafana.enclii.dev" }],
      policies: [{ id: "policy-id", precedence: 1 }],
      httpOnlyCookieAttribute: true,
    });
  });

  it("refuses an application nobody could pass", () => {
    expect(() => accessPolicyArgs({ ...args, allowedEmails: [] })).toThrow(
      "Access application grafana.enclii.dev: allowedEmails is empty; list the admins in access.adminEmails",
    );
  });

  it("treats routes into admin namespaces as admin routes", () => {
    expect(isAdminRoute({ service: "http://grafana.monitoring.svc.cluster.local:80" })).toBe(true);
    expect(isAdminRoute({ service: "http://longhorn-frontend.longhorn-system.svc:80" })).toBe(true);
    expect(isAdminRoute({ service: "http://janua.janua.svc.cluster.local:80" })).toBe(false);
    expect(isAdminRoute({ service: "http_status:404" })).toBe(false);
  });
});
