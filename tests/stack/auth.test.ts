import { beforeAll, describe, expect, it } from "vitest";
import { generatedSecrets, mockOutputs } from "../../scripts/lib/mock-outputs";
import type { RecordedResource, Recorder } from "../helpers/mocks";
import { runStackProgram } from "../helpers/program";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;
let recorder: Recorder;

beforeAll(async () => {
  recorder = await runStackProgram("production");
});

const workloads = () =>
  recorder.resources.filter((r) => ["Deployment", "StatefulSet"].includes(String(r.rawInputs.kind)));
const deploymentIn = (namespace: string) =>
  recorder.resources.find(
    (r) =>
      r.rawInputs.kind === "Deployment" &&
      (r.rawInputs.metadata as Manifest).namespace === namespace &&
      (r.rawInputs.metadata as Manifest).name === "janua",
  ) as RecordedResource;
const envOf = (r: RecordedResource) =>
  Object.fromEntries(
    ((r.rawInputs.spec as Manifest).template.spec.containers[0].env as Manifest[]).map((e) => [
      e.name,
      e.value ?? e.valueFrom,
    ]),
  );

describe("auth and control plane in the production program", () => {
  it("puts no secret literal in any env var: secrets come through secretKeyRef", () => {
    const secrets = generatedSecrets(recorder.resources);
    const secretNamed =
      /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ENCRYPTION_KEY|DATABASE_URL|DB_URL|REDIS_URL)$/;
    for (const workload of workloads()) {
      const pod = (workload.rawInputs.spec as Manifest).template.spec;
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        for (const env of (container.env ?? []) as Manifest[]) {
          if (secretNamed.test(env.name))
            expect(env.valueFrom?.secretKeyRef, `${workload.name} ${env.name}`).toBeDefined();
          if (typeof env.value === "string") expect(secrets).not.toContain(env.value);
        }
      }
    }
  });

  it("keeps the RSA signing key in the Janua Secret only, and uses it for RS256 with its derived key id", () => {
    const key = recorder.get("tls:index/privateKey:PrivateKey", "janua-signing-key");
    expect(key.inputs).toMatchObject({ algorithm: "RSA", rsaBits: 3072 });
    const pem = String(mockOutputs(key.type, key.name, key.rawInputs).state.privateKeyPem);
    const line = pem.split("\n")[5] as string;
    const holders = recorder.resources
      .filter((r) => JSON.stringify(r.rawInputs).includes(line))
      .map((r) => r.name);
    expect(holders).toEqual(["janua-secrets"]);
    const env = envOf(deploymentIn("janua"));
    expect(env.JWT_ALGORITHM).toBe("RS256");
    expect(env.JWT_KID).toMatch(/^[0-9a-f]{16}$/);
    expect(env.JWT_PRIVATE_KEY).toEqual({ secretKeyRef: { name: "janua-secrets", key: "JWT_PRIVATE_KEY" } });
  });

  it("runs Janua on 8080 behind a Service on 80 with the documented probes", () => {
    const container = (deploymentIn("janua").rawInputs.spec as Manifest).template.spec.containers[0];
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080 }]);
    expect(container.readinessProbe.httpGet.path).toBe("/api/v1/health/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/health");
    expect(container.startupProbe.httpGet.path).toBe("/health");
    expect(container.image).not.toMatch(/:(latest|main)$/);
  });

  it("differs between the shared and the dedicated Janua only in namespace, hostname, database and Redis", () => {
    const shared = envOf(deploymentIn("janua"));
    const dedicated = envOf(deploymentIn("janua-globex"));
    const differing = Object.keys(shared).filter(
      (k) => JSON.stringify(shared[k]) !== JSON.stringify(dedicated[k]),
    );
    expect(differing.sort()).toEqual(
      [
        "API_BASE_URL",
        "BASE_URL",
        "COOKIE_DOMAIN",
        "CORS_ORIGINS",
        "DEFAULT_ORG_SLUG",
        "FRONTEND_URL",
        "JANUA_CUSTOM_DOMAIN",
        "JWT_AUDIENCE",
        "JWT_ISSUER",
        "JWT_KID",
        "ADMIN_BOOTSTRAP_EMAIL",
      ].sort(),
    );
    expect(dedicated.JANUA_CUSTOM_DOMAIN).toBe("auth-globex.enclii.dev");
    // Janua's TrustedHostMiddleware answers 400 to any Host outside its list (janua.dev names,
    // localhost, janua-api, JANUA_CUSTOM_DOMAIN; madfam-org/janua apps/api/app/main.py): the
    // kubelet probes with the pod IP and in-cluster callers use janua.<ns>.svc, so both trust all.
    expect(shared.TRUST_ALL_HOSTS).toBe("true");
    expect(dedicated.TRUST_ALL_HOSTS).toBe("true");
    expect(Object.keys(dedicated).sort()).toEqual(Object.keys(shared).sort());
    const sharedSpec = (deploymentIn("janua").rawInputs.spec as Manifest).template.spec.containers[0];
    const dedicatedSpec = (deploymentIn("janua-globex").rawInputs.spec as Manifest).template.spec
      .containers[0];
    expect({ ...dedicatedSpec, env: [] }).toEqual({ ...sharedSpec, env: [] });
    // The dedicated instance's data is its own: a CNPG cluster and Redis in janua-globex.
    const clusters = recorder.resources
      .filter((r) => r.rawInputs.kind === "Cluster")
      .map((r) => (r.rawInputs.metadata as Manifest).namespace);
    expect(clusters.sort()).toEqual(["data", "janua-globex"]);
  });

  it("registers Enclii's OAuth client once Janua runs and the tunnel serves its issuer and admin hostname", () => {
    const client = recorder.get("pulumi-nodejs:dynamic/enclii:JanuaOAuthClient", "enclii-oauth-client");
    expect(client.rawInputs.redirectUris).toEqual(["https://api.enclii.dev/v1/auth/callback"]);
    expect(client.inputs.connection).toBe("[secret]");
    expect(client.dependencies).toContain(deploymentIn("janua").urn);
    // Depending on the tunnel component means depending on its resources, the issuer's DNS record among them.
    expect(client.dependencies).toContain(
      recorder.get("cloudflare:index/dnsRecord:DnsRecord", "tunnel-dns-auth.enclii.dev").urn,
    );
    // It calls the admin hostname: its DNS record and its Access application exist first.
    expect((client.rawInputs.connection as Manifest).baseUrl).toBe("https://auth-admin.enclii.dev");
    expect(client.dependencies).toContain(
      recorder.get("cloudflare:index/dnsRecord:DnsRecord", "tunnel-dns-auth-admin.enclii.dev").urn,
    );
    expect(client.dependencies).toContain(
      recorder.get(
        "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
        "tunnel-access-auth-admin.enclii.dev-app",
      ).urn,
    );
  });

  it("routes auth, auth-<slug>, their admin hostnames, api, app and grafana through the tunnel, and every other hostname to the router", () => {
    const config = recorder.get(
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      "tunnel-config",
    );
    // Janua's denied paths (tests/stack/janua-edge.test.ts) are extra rules of the same hostnames.
    const hosts = (config.rawInputs.config as Manifest).ingresses
      .filter((i: Manifest) => i.path === undefined)
      .map((i: Manifest) => i.hostname ?? i.service);
    expect(hosts).toEqual([
      "api.enclii.dev",
      "app.enclii.dev",
      "auth-admin.enclii.dev",
      "auth-globex-admin.enclii.dev",
      "auth-globex.enclii.dev",
      "auth.enclii.dev",
      "grafana.enclii.dev",
      // SSH and the API for CI (TCP routes, components/edge/cluster-access.ts), before the catch-all.
      "ax41-fsn1-1-tunnel.enclii.dev",
      "kube-tunnel.enclii.dev",
      // Tenants' hostnames and custom domains: the router (their HTTPRoutes).
      "http://router.router.svc.cluster.local:80",
    ]);
  });

  it("scopes the control plane's Cloudflare token to the zone's custom hostnames, with an expiry and no account or tunnel permission", () => {
    const token = recorder.get("cloudflare:index/apiToken:ApiToken", "enclii-cloudflare-token");
    const policies = token.rawInputs.policies as Manifest[];
    expect(policies.map((p) => Object.keys(JSON.parse(p.resources))[0])).toEqual([
      "com.cloudflare.api.account.zone.7a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d",
    ]);
    expect(policies[0]?.permissionGroups).toHaveLength(1);
    expect(token.rawInputs.expiresOn).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    const env = JSON.stringify(recorder.ofType("kubernetes:apps/v1:Deployment").map((d) => d.rawInputs));
    expect(env).not.toContain("ENCLII_CLOUDFLARE_TUNNEL_ID");
  });
});
