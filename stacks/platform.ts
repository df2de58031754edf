/**
 * Wires the components together from the stack configuration. Holds no resource details:
 * every resource is created inside a component.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Namespaces } from "../components/k3s/namespaces";
import { platformNamespaces } from "../components/k3s/platform-namespaces";
import { UpgradeController } from "../components/k3s/upgrade-controller";
import { buildControlPlane, buildJanua } from "./auth";
import type { StackConfig, StackSecrets } from "./config";
import { buildData } from "./data";
import { buildEdge, buildR2, clusterAccess, etcdS3Options } from "./edge";
import { buildMonitoring } from "./monitoring";
import { buildCluster, type NodeOutput } from "./nodes";
import { buildTenants, platformRoutes } from "./tenants";

/** What the platform exposes as stack outputs. */
export interface Platform {
  readonly nodes: NodeOutput[];
  readonly apiEndpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Output<string>>;
  readonly tunnel: { readonly id: pulumi.Output<string>; readonly hostnames: string[] };
  readonly r2: Record<string, unknown>;
  readonly customHostnames: unknown[];
  readonly postgres: Record<string, unknown>;
  readonly redis: Record<string, unknown>;
  readonly auth: Record<string, unknown>;
  readonly tenants: Record<string, unknown>;
  readonly monitoring: Record<string, unknown>;
  readonly clusterAccess: Record<string, unknown>;
}

/** A connection as the outputs show it: no password, no URL that embeds one. */
function withoutCredentials<T extends { password: unknown; url: unknown }>(
  connections: Record<string, T>,
): Record<string, Omit<T, "password" | "url">> {
  return Object.fromEntries(
    Object.entries(connections).map(([consumer, { password: _password, url: _url, ...rest }]) => [
      consumer,
      rest,
    ]),
  );
}

/** Builds the platform for one stack. */
export function buildPlatform(config: StackConfig, secrets: StackSecrets): Platform {
  const namespaceOptions = {
    monitoring: config.monitoring.enabled,
    managedUpgrades: config.k3s.upgrades.enabled,
  };
  // Namespaces the platform runs privileged pods in are exempt from the cluster-wide default.
  const exemptions = platformNamespaces(namespaceOptions)
    .filter((ns) => ns.podSecurity !== "restricted")
    .map((ns) => ns.name);
  const r2 = buildR2(config);
  const cluster = buildCluster(config, secrets, exemptions, etcdS3Options(r2));
  const namespaces = new Namespaces("platform", {
    provider: cluster.provider,
    environment: config.environment,
    ...namespaceOptions,
  });
  const upgradeNamespace = namespaces.names["system-upgrade"];
  if (cluster.provisioned && upgradeNamespace) {
    new UpgradeController("upgrades", {
      provider: cluster.provider,
      namespace: upgradeNamespace,
      version: config.k3s.version,
      concurrency: config.k3s.upgrades.concurrency,
      serviceCidr: config.k3s.serviceCidr,
    });
  }
  const data = buildData(config, { provider: cluster.provider, namespaces: namespaces.names, r2 });
  const authInputs = { provider: cluster.provider, namespaces: namespaces.names, r2, ...data };
  // Every hostname the platform serves; the tunnel validates them all.
  const cloudflareNamespace = namespaces.names["cloudflare-tunnel"] as pulumi.Output<string>;
  const ciAccess = clusterAccess(config, cluster.nodes, cluster.provisioned);
  const edge = buildEdge(config, {
    provider: cluster.provider,
    namespace: cloudflareNamespace,
    routerNamespace: namespaces.names.router as pulumi.Output<string>,
    routes: platformRoutes(config),
    clusterAccess: ciAccess,
  });
  // The program's own Janua API calls go to the admin hostnames, behind Access with this token.
  const apiAccess = edge.tunnel.serviceToken;
  if (apiAccess === undefined)
    throw new Error("enclii:edge:Tunnel has no Access service token for Janua's admin hostnames");
  const janua = buildJanua(config, secrets, { ...authInputs, apiAccess });
  const controlPlane = buildControlPlane(config, {
    ...authInputs,
    janua,
    tunnelReady: [edge.tunnel],
  });
  const tenants = buildTenants(config, {
    ...authInputs,
    janua,
    nodeIps: cluster.nodeAddresses,
    tunnelReady: [edge.tunnel],
    routerReady: edge.router.ready,
    apiAccess,
  });
  const monitoring = buildMonitoring(config, secrets, {
    provider: cluster.provider,
    namespaces: namespaces.names,
    dependsOn: [data.certManager.ready, data.longhorn.chart],
    tenants,
    tunnel: { name: edge.tunnel.tunnelName, id: edge.tunnel.tunnelId },
  });
  return {
    tunnel: { id: edge.tunnel.tunnelId, hostnames: edge.tunnel.hostnames },
    r2: {
      endpoint: r2.endpoint,
      region: "auto",
      buckets: r2.specs.map((b) => ({
        key: b.key,
        name: b.name,
        prefixes: Object.keys(b.prefixes),
        toolRetained: Object.keys(b.toolRetained ?? {}),
        ...(b.lockDays !== undefined ? { lockDays: b.lockDays } : {}),
      })),
      consumers: r2.credentials,
    },
    customHostnames: edge.saas.instructions,
    // Where each consumer connects and which in-cluster Secret holds its password; the
    // passwords themselves are read by the workloads from those Secrets, never from outputs.
    postgres: withoutCredentials(data.postgres.connections),
    redis: { mode: config.redis.mode, connections: withoutCredentials(data.redis.connections) },
    auth: {
      issuer: janua.issuer,
      jwksUrl: janua.jwksUrl,
      keyId: janua.keyId,
      adminEmail: config.janua.adminEmail,
      adminPassword: janua.connection.adminPassword,
      controlPlane: {
        api: `https://${config.controlPlane.apiHostname}`,
        ui: `https://${config.controlPlane.uiHostname}`,
        oauthClientId: controlPlane.oauthClientId,
      },
    },
    tenants: Object.fromEntries(
      tenants.map((t, i) => {
        const spec = config.tenants[i] as StackConfig["tenants"][number];
        return [
          spec.slug,
          {
            tier: spec.tier,
            auth: spec.auth,
            namespace: t.namespace,
            hostnames: t.hostnames,
            issuer: t.issuer,
            oauthClientId: t.oauthClientId,
          },
        ];
      }),
    ),
    clusterAccess: {
      apiHostname: config.k3s.apiHostname,
      hosts: ciAccess.map(({ name, tunnelHostname, loopback, port }) => ({
        name,
        tunnelHostname,
        loopback,
        port,
      })),
      ...(edge.tunnel.serviceToken
        ? {
            serviceTokenId: edge.tunnel.serviceToken.clientId,
            serviceTokenSecret: edge.tunnel.serviceToken.clientSecret,
          }
        : {}),
    },
    monitoring: monitoring
      ? {
          grafanaUrl: monitoring.grafanaUrl,
          grafanaAdminPassword: monitoring.grafanaAdminPassword,
          access: edge.tunnel.accessApplications.map((a) => ({ hostname: a.hostname, aud: a.aud })),
          receivers: [
            ...(config.monitoring.alertEmail ? ["email"] : []),
            ...(config.monitoring.webhook ? ["webhook"] : []),
          ],
        }
      : { enabled: false },
    nodes: cluster.nodes,
    apiEndpoint: cluster.apiEndpoint,
    kubeconfig: cluster.kubeconfig,
    namespaces: namespaces.names,
  };
}
