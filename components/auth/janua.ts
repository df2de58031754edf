/**
 * `enclii:auth:Janua`: one Janua instance, shared (`auth.<domain>`) or a tenant's dedicated one
 * (`auth-<slug>.<domain>`). RS256 signing keys from `@pulumi/tls` with a key id derived from the
 * public key (a rotation changes it visibly), the other secrets from `@pulumi/random`, all in one
 * Secret the Deployment reads through secretKeyRef.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { TunnelRoute } from "../edge/routes";
import { createObjects, fillPlaceholders } from "../shared/objects";
import type { ImagePin } from "../versions";
import { JANUA, januaRoute, renderJanuaManifests } from "./janua-manifests";
import type { AccessServiceTokenArgs, JanuaConnectionArgs } from "./janua-resources";
import { januaAdminHostname } from "./janua-routes";

/** The key id of a public key: first 16 hex characters of its SHA-256. */
export function keyIdOf(publicKeyPem: string): string {
  return createHash("sha256").update(publicKeyPem.trim()).digest("hex").slice(0, 16);
}

type Obj = Record<string, unknown>;

const KEY_ID_PLACEHOLDER = "@JWT_KID@";

/** Arguments of {@link Janua}. */
export interface JanuaArgs {
  readonly provider: k8s.Provider;
  readonly namespace: pulumi.Input<string>;
  /** The namespace as a plain name, for DNS names. */
  readonly namespaceName: string;
  readonly image: ImagePin;
  readonly hostname: string;
  readonly domain: string;
  /** @default 2 */
  readonly replicas?: number;
  readonly adminEmail: string;
  readonly defaultOrgSlug: string;
  readonly features?: Record<string, boolean>;
  /** `postgresql://` URL of its database (secret). */
  readonly databaseUrl: pulumi.Input<string>;
  /** `redis://` or `redis+sentinel://` URL (secret). */
  readonly redisUrl: pulumi.Input<string>;
  /** Namespace of its database and Redis. */
  readonly dataNamespace: string;
  /**
   * Namespaces that call Janua in-cluster, by name: the control plane and, for the shared
   * instance, the tenant namespaces that use it. @default ["enclii"]
   */
  readonly clientNamespaces?: readonly string[];
  readonly resendApiKey?: pulumi.Input<string>;
  /**
   * The Access service token of its admin hostname (the tunnel's, `enclii:edge:Tunnel`
   * serviceToken): the API providers call Janua there (janua-routes.ts), since the public
   * hostname answers 404 to the admin and client-registration paths.
   */
  readonly apiAccess: AccessServiceTokenArgs;
  /**
   * Wait for these: its database's CNPG `Cluster` (awaited until Ready) and its Redis StatefulSets
   * (awaited until every pod is ready), so a first `up` on an empty node does not start Janua
   * against a database that is still in initdb.
   */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * How long the provider may wait for Janua's Deployment to become available (the deployment
 * awaiter, 10 minutes by default). It starts only once its database and Redis are ready; the rest is
 * the image pull and the schema migrations of a first start before `/api/v1/health/ready` answers.
 */
export const JANUA_TIMEOUTS = { create: "15m", update: "15m" } as const;

/** A Janua instance. */
export class Janua extends pulumi.ComponentResource {
  /** Its tunnel route. */
  public readonly route: TunnelRoute;
  /** `https://<hostname>`: the OIDC issuer. */
  public readonly issuer: string;
  public readonly jwksUrl: string;
  /** In-cluster API URL. */
  public readonly internalUrl: string;
  /** Key id of the current signing key. */
  public readonly keyId: pulumi.Output<string>;
  public readonly publicKeyPem: pulumi.Output<string>;
  /** How the API providers reach it as its admin (secret values). */
  public readonly connection: JanuaConnectionArgs;
  /** The image it runs (dedicated instances run the same). */
  public readonly image: ImagePin;
  /** The Deployment; API calls wait for it to be ready. */
  public readonly deployment!: pulumi.Resource;

  constructor(name: string, args: JanuaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:auth:Janua", name, {}, opts);
    const parent = { parent: this };
    const signing = new tls.PrivateKey(`${name}-signing-key`, { algorithm: "RSA", rsaBits: 3072 }, parent);
    const secretKey = new random.RandomPassword(`${name}-secret-key`, { length: 64, special: false }, parent);
    // Fernet-style key: 32 random bytes, base64.
    const fieldKey = new random.RandomBytes(`${name}-field-encryption-key`, { length: 32 }, parent);
    const internalKey = new random.RandomPassword(
      `${name}-internal-api-key`,
      { length: 48, special: false },
      parent,
    );
    const adminPassword = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: true, overrideSpecial: "-_.~" },
      parent,
    );
    const metricsToken = new random.RandomPassword(
      `${name}-metrics-token`,
      { length: 40, special: false },
      parent,
    );

    this.keyId = signing.publicKeyPem.apply(keyIdOf);
    this.publicKeyPem = signing.publicKeyPem;
    this.issuer = `https://${args.hostname}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
    this.internalUrl = `http://${JANUA.name}.${args.namespaceName}.svc.cluster.local`;
    this.route = januaRoute(args.hostname, args.namespaceName);
    this.image = args.image;
    this.connection = {
      baseUrl: `https://${januaAdminHostname(args.hostname)}`,
      accessToken: {
        clientId: args.apiAccess.clientId,
        clientSecret: pulumi.secret(args.apiAccess.clientSecret),
      },
      // Marked secret here, not only by the provider: the values travel into outputs and state.
      internalApiKey: pulumi.secret(internalKey.result),
      adminEmail: args.adminEmail,
      adminPassword: pulumi.secret(adminPassword.result),
    };

    const base = { parent: this, provider: args.provider };
    const secret = new k8s.core.v1.Secret(
      `${name}-secrets`,
      {
        metadata: {
          name: JANUA.secret,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/name": JANUA.name },
        },
        type: "Opaque",
        stringData: {
          DATABASE_URL: args.databaseUrl,
          REDIS_URL: args.redisUrl,
          JWT_PRIVATE_KEY: signing.privateKeyPem,
          JWT_PUBLIC_KEY: signing.publicKeyPem,
          SECRET_KEY: secretKey.result,
          FIELD_ENCRYPTION_KEY: fieldKey.base64,
          INTERNAL_API_KEY: internalKey.result,
          ADMIN_BOOTSTRAP_PASSWORD: adminPassword.result,
          METRICS_TOKEN: metricsToken.result,
          ...(args.resendApiKey ? { RESEND_API_KEY: args.resendApiKey } : {}),
        },
      },
      base,
    );
    const rendered = renderJanuaManifests({
      namespace: args.namespaceName,
      image: args.image,
      hostname: args.hostname,
      domain: args.domain,
      replicas: args.replicas ?? 2,
      adminEmail: args.adminEmail,
      defaultOrgSlug: args.defaultOrgSlug,
      jwtKid: KEY_ID_PLACEHOLDER,
      features: args.features ?? {},
      email: args.resendApiKey !== undefined,
      clientNamespaces: args.clientNamespaces ?? ["enclii"],
      dataNamespace: args.dataNamespace,
    });
    // The key id is known once the key exists: put the Output where the renderer left the placeholder.
    const deployment = fillPlaceholders(
      rendered.find((o) => o.kind === "Deployment"),
      {
        [KEY_ID_PLACEHOLDER]: this.keyId,
      },
    ) as Obj;
    [this.deployment] = createObjects(
      name,
      [deployment],
      { ...base, dependsOn: [secret, ...(args.dependsOn ?? [])], customTimeouts: JANUA_TIMEOUTS },
      args.namespace,
    );
    createObjects(
      name,
      rendered.filter((o) => o.kind !== "Deployment"),
      base,
      args.namespace,
    );
    this.registerOutputs({ issuer: this.issuer, jwksUrl: this.jwksUrl, keyId: this.keyId });
  }
}
