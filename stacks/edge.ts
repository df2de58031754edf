/**
 * Composes the Cloudflare side from the stack config: R2 buckets and credentials, zone
 * hardening, the tunnel with the platform's routes, and the tenants' custom hostnames.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ClusterAccessHost, clusterAccessHosts } from "../components/edge/cluster-access";
import { R2Buckets } from "../components/edge/r2-buckets";
import { Router } from "../components/edge/router";
import { ROUTER } from "../components/edge/router-values";
import type { TunnelRoute } from "../components/edge/routes";
import { type CustomDomain, SaasHostnames } from "../components/edge/saas-hostnames";
import { Tunnel } from "../components/edge/tunnel";
import { ZoneSettings } from "../components/edge/zone-settings";
import type { ClusterEtcdS3 } from "../components/k3s/cluster";
import type { StackConfig } from "./config";
import { dedicatedJanuaNamespaces } from "./data";

/** Builds the R2 buckets (needed before the cluster: etcd snapshots go there). */
export function buildR2(config: StackConfig): R2Buckets {
  const b = config.backups;
  return new R2Buckets("r2", {
    accountId: config.cloudflare.accountId,
    bucketPrefix: config.cloudflare.r2.bucketPrefix,
    jurisdiction: config.cloudflare.r2.jurisdiction,
    retention: {
      etcd: b.etcdRetentionDays,
      audit: b.auditRetentionDays,
      artifacts: b.artifactsRetentionDays,
      infrequentAccessAfter: b.infrequentAccessAfterDays,
    },
    tenantClusters: dedicatedJanuaNamespaces(config),
    protect: config.protect,
  });
}

/**
 * k3s's etcd-s3 settings from the etcd consumer's credentials: the settings in clear (they go
 * into config.yaml, visible in the plan), the keys secret (the k3s service environment).
 */
export function etcdS3Options(r2: R2Buckets): ClusterEtcdS3 {
  const etcd = r2.credentials.etcd;
  return {
    endpoint: etcd.endpoint.replace(/^https:\/\//, ""),
    bucket: etcd.bucket,
    folder: etcd.prefix.replace(/\/$/, ""),
    region: etcd.region,
    accessKey: pulumi.secret(etcd.accessKeyId),
    secretKey: pulumi.secret(etcd.secretAccessKey),
  };
}

/**
 * The tenants' custom domains. `custom_metadata` (the slug and the tenant's own keys) only when
 * `cloudflare.customMetadata` is on: Cloudflare for SaaS rejects it on zones where the account
 * team has not enabled it.
 */
export function customDomains(config: StackConfig): CustomDomain[] {
  return config.tenants.flatMap((t) =>
    t.domains.map((hostname) => ({
      hostname,
      tenant: t.slug,
      ...(config.cloudflare.customMetadata ? { metadata: { ...t.customMetadata, tenant: t.slug } } : {}),
    })),
  );
}

/**
 * The tunnel routes CI reaches SSH and the API through, for nodes this program provisions (an
 * existing cluster is reached however its owner arranged). A node's address is the one k3s uses
 * (`node-ip`): the private one, else the dedicated server's configured IPv4. The routes follow
 * `config.nodes` order, as `npm run cluster:access` (scripts/cluster-access.ts) derives the
 * loopbacks from the config alone: the cluster lists its nodes in another order (dedicated first).
 */
export function clusterAccess(
  config: StackConfig,
  nodes: readonly { name: string; role: string; privateIp: string | null }[],
  provisioned: boolean,
): ClusterAccessHost[] {
  if (!provisioned) return [];
  const addresses = new Map(
    config.nodes.map((n) => [n.name, n.kind === "dedicated" ? n.ipv4 : undefined] as const),
  );
  const byName = new Map(nodes.map((n) => [n.name, n] as const));
  // The API name's A record points at the cluster's first server (stacks/nodes.ts); so does its route.
  const apiServer = nodes.find((n) => n.role === "server")?.name;
  return clusterAccessHosts({
    domain: config.domain,
    apiHostname: config.k3s.apiHostname,
    ...(apiServer !== undefined ? { apiServer } : {}),
    nodes: config.nodes.map((c) => {
      const n = byName.get(c.name);
      return {
        name: c.name,
        role: c.role === "server" ? "server" : "agent",
        address: n?.privateIp ?? addresses.get(c.name) ?? "",
      };
    }),
  });
}

/** The tunnel and the zone's TLS and SaaS settings. */
export function buildEdge(
  config: StackConfig,
  options: {
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    /** The `router` namespace. */
    routerNamespace: pulumi.Input<string>;
    routes: readonly TunnelRoute[];
    /** SSH and API routes for CI ({@link clusterAccess}). @default [] */
    clusterAccess?: readonly ClusterAccessHost[];
  },
) {
  new ZoneSettings("zone", {
    zoneId: config.cloudflare.zoneId,
    minTlsVersion: config.cloudflare.minTlsVersion,
    hsts: config.cloudflare.hsts,
  });
  const domains = customDomains(config);
  const router = new Router("router", {
    provider: options.provider,
    namespace: options.routerNamespace,
    clusterCidr: config.k3s.clusterCidr,
    serviceCidr: config.k3s.serviceCidr,
    ...(config.monitoring.enabled ? { monitoringNamespace: "monitoring" } : {}),
  });
  const tunnel = new Tunnel("tunnel", {
    accountId: config.cloudflare.accountId,
    zoneId: config.cloudflare.zoneId,
    zone: config.domain,
    tunnelName: `enclii-${config.stack}`,
    routes: options.routes,
    customHostnames: domains.map((d) => d.hostname),
    provider: options.provider,
    namespace: options.namespace,
    replicas: config.cloudflare.tunnelReplicas,
    adminEmails: config.access.adminEmails,
    environment: config.environment,
    ...(config.cloudflare.accessTeamName ? { accessTeamName: config.cloudflare.accessTeamName } : {}),
    tcpRoutes: (options.clusterAccess ?? []).map((h) => ({
      hostname: h.tunnelHostname,
      service: h.service,
      address: h.address,
      port: h.port,
    })),
    fallback: { service: router.serviceUrl, namespace: ROUTER.namespace, port: ROUTER.webPort },
  });
  const saas = new SaasHostnames("saas", {
    zoneId: config.cloudflare.zoneId,
    zone: config.domain,
    fallbackOrigin: config.cloudflare.fallbackOrigin,
    tunnelTarget: tunnel.cnameTarget,
    domains,
    validation: config.cloudflare.customHostnameValidation,
    minTlsVersion: config.cloudflare.minTlsVersion,
  });
  return { tunnel, saas, router };
}
