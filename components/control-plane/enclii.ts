/**
 * `enclii:control-plane:Enclii`: switchyard-api and switchyard-ui wired to the `enclii`
 * database, Redis, an OAuth client registered for Enclii in the shared Janua, a Cloudflare API
 * token limited to the zone's custom hostnames (SSL and Certificates Write on the zone, with an
 * expiry), and Janua's API. Routes `api.<domain>` and `app.<domain>`.
 *
 * The control plane routes apps through Kubernetes, not Cloudflare: it writes HTTPRoutes in tenant
 * namespaces (./rbac.ts), which the router serves (docs/routing.md). Its token has no tunnel and no
 * account-wide permission: "Cloudflare Tunnel Write" is account-wide and reads every tunnel's token
 * (REFERENCE.md), and the tunnel's configuration has one writer, this program.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { JanuaConnectionArgs } from "../auth/janua-resources";
import { JanuaOAuthClient } from "../auth/janua-resources";
import { createObjects, fillPlaceholders } from "../shared/objects";
import type { ImagePin } from "../versions";
import { CONTROL_PLANE, renderControlPlane } from "./manifests";

/**
 * Permission groups of the control plane's Cloudflare token, by name (looked up at deploy time):
 * custom hostnames (Cloudflare for SaaS: `POST/GET/PATCH/DELETE /zones/{zone}/custom_hostnames`)
 * need "SSL and Certificates Write" on the zone, and nothing else. No account-level group.
 */
export const CONTROL_PLANE_PERMISSIONS = {
  zone: ["SSL and Certificates Write"],
} as const;

/**
 * When the control plane's token stops working unless `controlPlane.cloudflareTokenExpiresOn`
 * says otherwise: a pinned date, so every plan is the same and the rotation is a reviewed commit
 * (docs/control-plane.md "Cloudflare token": bump it, `pulumi up`, replace the token).
 */
export const DEFAULT_TOKEN_EXPIRY = "2027-06-30";

/** Arguments of {@link Enclii}. */
export interface EncliiArgs {
  readonly provider: k8s.Provider;
  readonly namespace: pulumi.Input<string>;
  readonly namespaceName: string;
  readonly apiImage: ImagePin;
  readonly uiImage: ImagePin;
  readonly apiReplicas: number;
  readonly uiReplicas: number;
  readonly apiHostname: string;
  readonly uiHostname: string;
  readonly janua: {
    readonly issuer: string;
    readonly internalUrl: string;
    readonly namespace: string;
    readonly connection: JanuaConnectionArgs;
    /** The Janua Deployment (ready before its API is called). */
    readonly deployment: pulumi.Resource;
  };
  readonly database: { readonly url: pulumi.Input<string> };
  readonly redis: { readonly host: string; readonly port: number; readonly password: pulumi.Input<string> };
  readonly dataNamespace: string;
  /** The cluster's Service CIDR. */
  readonly serviceCidr: string;
  readonly cloudflare: {
    readonly accountId: string;
    readonly zoneId: string;
    /** Day (`YYYY-MM-DD`, UTC) the token expires at 00:00. @default {@link DEFAULT_TOKEN_EXPIRY} */
    readonly tokenExpiresOn?: string;
  };
  /** The tunnel and its DNS: Janua must be reachable at its issuer URL before clients are registered. */
  readonly tunnelReady: pulumi.Input<pulumi.Resource>[];
  /**
   * Its database's CNPG `Cluster` (awaited until Ready) and the Redis StatefulSets (awaited until
   * every pod is ready): switchyard starts after them.
   */
  readonly dataReady: pulumi.Input<pulumi.Resource>[];
  readonly stack: string;
}

const CLIENT_ID = "@OIDC_CLIENT_ID@";

/** The token's inputs: the zone's custom hostname permission only, and its expiry. Pure. */
export function controlPlaneTokenArgs(
  o: { readonly stack: string; readonly zoneId: string; readonly expiresOn?: string },
  zonePermissionGroups: pulumi.Input<{ id: string }[]>,
): cloudflare.ApiTokenArgs {
  const day = o.expiresOn ?? DEFAULT_TOKEN_EXPIRY;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    throw new Error(
      `controlPlane.cloudflareTokenExpiresOn: must be a date YYYY-MM-DD (got ${JSON.stringify(day)})`,
    );
  return {
    name: `enclii-${o.stack}-control-plane`,
    policies: [
      {
        effect: "allow",
        permissionGroups: zonePermissionGroups,
        resources: JSON.stringify({ [`com.cloudflare.api.account.zone.${o.zoneId}`]: "*" }),
      },
    ],
    expiresOn: `${day}T00:00:00Z`,
  };
}

/** The control plane. */
export class Enclii extends pulumi.ComponentResource {
  public readonly oauthClientId: pulumi.Output<string>;

  constructor(name: string, args: EncliiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:control-plane:Enclii", name, {}, opts);
    const parent = { parent: this };
    const client = new JanuaOAuthClient(
      `${name}-oauth-client`,
      {
        connection: args.janua.connection,
        clientKey: `enclii-control-plane-${args.stack}`,
        name: "Enclii",
        description: "Enclii control plane (switchyard)",
        redirectUris: [`https://${args.apiHostname}/v1/auth/callback`],
        allowedScopes: ["openid", "profile", "email"],
      },
      { ...parent, dependsOn: [args.janua.deployment, ...args.tunnelReady] },
    );
    this.oauthClientId = client.clientId;

    const groups = cloudflare.getApiTokenPermissionGroupsListOutput({}, parent);
    const idsOf = (names: readonly string[]) =>
      groups.results.apply((results) =>
        names.map((n) => {
          const found = results.find((g) => g.name === n);
          if (!found) throw new Error(`Cloudflare permission group "${n}" not found; Cloudflare renamed it?`);
          return { id: found.id };
        }),
      );
    const token = new cloudflare.ApiToken(
      `${name}-cloudflare-token`,
      controlPlaneTokenArgs(
        { stack: args.stack, zoneId: args.cloudflare.zoneId, expiresOn: args.cloudflare.tokenExpiresOn },
        idsOf(CONTROL_PLANE_PERMISSIONS.zone),
      ),
      { ...parent, additionalSecretOutputs: ["value"] },
    );

    const base = { parent: this, provider: args.provider };
    const secret = new k8s.core.v1.Secret(
      `${name}-api-secret`,
      {
        metadata: { name: CONTROL_PLANE.secret, namespace: args.namespace },
        type: "Opaque",
        stringData: {
          ENCLII_DATABASE_URL: args.database.url,
          ENCLII_REDIS_PASSWORD: args.redis.password,
          ENCLII_OIDC_CLIENT_SECRET: client.clientSecret,
          ENCLII_CLOUDFLARE_API_TOKEN: token.value,
        },
      },
      base,
    );
    const rendered = renderControlPlane({
      namespace: args.namespaceName,
      apiImage: args.apiImage,
      uiImage: args.uiImage,
      apiReplicas: args.apiReplicas,
      uiReplicas: args.uiReplicas,
      apiHostname: args.apiHostname,
      uiHostname: args.uiHostname,
      januaIssuer: args.janua.issuer,
      januaInternalUrl: args.janua.internalUrl,
      oidcClientId: CLIENT_ID,
      redisHost: args.redis.host,
      redisPort: args.redis.port,
      cloudflare: { accountId: args.cloudflare.accountId, zoneId: args.cloudflare.zoneId },
      dataNamespace: args.dataNamespace,
      januaNamespace: args.janua.namespace,
      serviceCidr: args.serviceCidr,
    }).map((o) => fillPlaceholders(o, { [CLIENT_ID]: client.clientId }) as Record<string, unknown>);
    createObjects(name, rendered, { ...base, dependsOn: [secret, ...args.dataReady] }, args.namespace);
    this.registerOutputs({ oauthClientId: this.oauthClientId });
  }
}
