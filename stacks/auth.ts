/**
 * Composes auth and the control plane: the shared Janua on the shared database and Redis, and
 * the Enclii control plane. Dedicated Januas belong to their tenants (stacks/tenants.ts).
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { Janua } from "../components/auth/janua";
import type { AccessServiceTokenArgs } from "../components/auth/janua-resources";
import { Enclii } from "../components/control-plane/enclii";
import type { CnpgOperator } from "../components/data/cnpg-operator";
import type { Postgres } from "../components/data/postgres";
import type { Redis } from "../components/data/redis";
import type { R2Buckets } from "../components/edge/r2-buckets";
import type { Longhorn } from "../components/storage/longhorn";
import { IMAGES } from "../components/versions";
import type { StackConfig, StackSecrets } from "./config";

/** What the auth part needs from the data part. */
export interface AuthInputs {
  readonly provider: k8s.Provider;
  readonly namespaces: Record<string, pulumi.Output<string>>;
  readonly postgres: Postgres;
  readonly redis: Redis;
  readonly cnpg: CnpgOperator;
  readonly longhorn: Longhorn;
  readonly r2: R2Buckets;
}

/** A consumer's CNPG Database (its consumer list is fixed in stacks/data.ts). */
function databaseOf(postgres: Postgres, consumer: string): pulumi.Resource {
  const db = postgres.databases[consumer];
  if (!db) throw new Error(`the shared PostgreSQL has no database for ${consumer}`);
  return db;
}

/** Builds the shared Janua; `apiAccess` is the tunnel's Access service token (its admin hostname). */
export function buildJanua(
  config: StackConfig,
  secrets: StackSecrets,
  inputs: AuthInputs & { readonly apiAccess: AccessServiceTokenArgs },
) {
  const image = {
    ...IMAGES.janua,
    tag: config.janua.imageTag,
    ...(config.janua.imageDigest ? { digest: config.janua.imageDigest } : {}),
  };
  const shared = new Janua("janua", {
    provider: inputs.provider,
    namespace: inputs.namespaces.janua as pulumi.Output<string>,
    namespaceName: "janua",
    image,
    hostname: config.janua.hostname,
    domain: config.domain,
    replicas: config.janua.replicas,
    adminEmail: config.janua.adminEmail,
    defaultOrgSlug: config.janua.defaultOrgSlug,
    features: config.janua.features,
    databaseUrl: (inputs.postgres.connections.janua as { url: pulumi.Output<string> }).url,
    redisUrl: inputs.redis.connections.janua.url,
    dataNamespace: "data",
    // The control plane; each tenant that signs in with it adds its own allow (tenant stamps).
    clientNamespaces: ["enclii"],
    resendApiKey: secrets.resendApiKey,
    apiAccess: inputs.apiAccess,
    // The shared database Ready and Redis ready before Janua starts.
    dependsOn: [inputs.postgres.cluster, databaseOf(inputs.postgres, "janua"), ...inputs.redis.statefulSets],
  });
  return shared;
}

/** Builds the control plane once the tunnel serves Janua's issuer. */
export function buildControlPlane(
  config: StackConfig,
  inputs: AuthInputs & { janua: Janua; tunnelReady: pulumi.Resource[] },
): Enclii {
  const redis = inputs.redis.connections.enclii;
  return new Enclii("enclii", {
    provider: inputs.provider,
    namespace: inputs.namespaces.enclii as pulumi.Output<string>,
    namespaceName: "enclii",
    apiImage: { ...IMAGES.switchyardApi, tag: config.controlPlane.imageTag },
    uiImage: { ...IMAGES.switchyardUi, tag: config.controlPlane.imageTag },
    apiReplicas: config.controlPlane.apiReplicas,
    uiReplicas: config.controlPlane.uiReplicas,
    apiHostname: config.controlPlane.apiHostname,
    uiHostname: config.controlPlane.uiHostname,
    janua: {
      issuer: inputs.janua.issuer,
      internalUrl: inputs.janua.internalUrl,
      namespace: "janua",
      connection: inputs.janua.connection,
      deployment: inputs.janua.deployment,
    },
    database: { url: (inputs.postgres.connections.enclii as { url: pulumi.Output<string> }).url },
    redis: { host: redis.host, port: redis.port, password: redis.password },
    dataNamespace: "data",
    serviceCidr: config.k3s.serviceCidr,
    cloudflare: {
      accountId: config.cloudflare.accountId,
      zoneId: config.cloudflare.zoneId,
      ...(config.controlPlane.cloudflareTokenExpiresOn
        ? { tokenExpiresOn: config.controlPlane.cloudflareTokenExpiresOn }
        : {}),
    },
    tunnelReady: inputs.tunnelReady,
    dataReady: [inputs.postgres.cluster, databaseOf(inputs.postgres, "enclii"), ...inputs.redis.statefulSets],
    stack: config.stack,
  });
}
