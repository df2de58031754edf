/**
 * `enclii:tenancy:Tenant`: one tenant stamp. Namespace `tenant-<slug>` (PodSecurity
 * `restricted`), quota and limit range from its tier, network isolation, its auth (an
 * organization and OAuth client in the shared Janua, or a dedicated Janua), and a Secret with
 * the OIDC settings its apps use. Tenants never depend on each other.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DedicatedJanua, type DedicatedJanuaArgs } from "../auth/dedicated-janua";
import { JANUA } from "../auth/janua-manifests";
import { type JanuaConnectionArgs, JanuaOAuthClient, JanuaOrganization } from "../auth/janua-resources";
import { januaRoutes } from "../auth/janua-routes";
import { CONTROL_PLANE } from "../control-plane/manifests";
import type { TunnelRoute } from "../edge/routes";
import { selectorLabels } from "../shared/labels";
import { createObjects } from "../shared/objects";
import {
  type ClusterRanges,
  renderTenant,
  renderTenantPlatformAllows,
  type TenantManifestOptions,
  tenantNamespace,
} from "./tenant-manifests";

/** Where the control plane and the shared Janua run. */
const CONTROL_PLANE_NAMESPACE = "enclii";
const SHARED_JANUA_NAMESPACE = "janua";

import type { TierName } from "./tiers";

/** A tenant as the stack config describes it. */
export interface TenantSpec {
  readonly slug: string;
  readonly tier: TierName;
  readonly auth: "shared" | "dedicated";
  readonly domains: readonly string[];
  readonly displayName?: string;
  readonly billingEmail?: string;
}

/** The hostname a dedicated tenant's Janua serves. */
export const dedicatedAuthHostname = (slug: string, domain: string) => `auth-${slug}.${domain}`;

/** A tenant's hostnames: `<slug>.<domain>` and each custom domain (its default HTTPRoute serves them). */
export function tenantHostnames(t: Pick<TenantSpec, "slug" | "domains">, domain: string): string[] {
  return [`${t.slug}.${domain}`, ...t.domains];
}

/**
 * The tunnel routes a tenant still adds: its dedicated Janua (public, without the admin paths, and
 * its admin hostname for operators: janua-routes.ts). Its own hostnames are not tunnel routes: the
 * tunnel's catch-all sends them to the router, and the tenant's HTTPRoute claims them.
 */
export function tenantRoutes(t: TenantSpec, domain: string): TunnelRoute[] {
  return t.auth === "dedicated" ? januaRoutes(dedicatedAuthHostname(t.slug, domain), `janua-${t.slug}`) : [];
}

const isEgressPolicy = (o: Record<string, unknown>) =>
  o.kind === "NetworkPolicy" && (o.metadata as { name?: string }).name === "allow-egress";

/** The OAuth redirect URIs of a tenant's apps. */
export function tenantRedirectUris(t: TenantSpec, domain: string): string[] {
  return [`${t.slug}.${domain}`, ...t.domains].map((h) => `https://${h}/auth/callback`);
}

/** Arguments of {@link Tenant}. */
export interface TenantArgs {
  readonly provider: k8s.Provider;
  readonly tenant: TenantSpec;
  readonly domain: string;
  readonly environment: string;
  /** Ranges a tenant never reaches; node addresses may be provider outputs (cloud servers). */
  readonly ranges: Omit<ClusterRanges, "nodeIps"> & { readonly nodeIps: readonly pulumi.Input<string>[] };
  /** The shared Janua (its API is used for `auth: shared`). */
  readonly sharedJanua: {
    readonly issuer: string;
    readonly connection: JanuaConnectionArgs;
    readonly deployment: pulumi.Resource;
  };
  /** What a dedicated Janua needs besides the tenant (image, backups, charts). */
  readonly dedicated: Omit<
    DedicatedJanuaArgs,
    "provider" | "slug" | "domain" | "environment" | "adminEmail" | "serviceCidr"
  >;
  /** Admin of a dedicated Janua when the tenant names no billing email. */
  readonly adminEmail: string;
  /** The control plane's and the shared Janua's namespaces (Outputs that wait for them). */
  readonly platformNamespaces: {
    readonly controlPlane: pulumi.Input<string>;
    readonly janua: pulumi.Input<string>;
  };
  /** The tunnel: Janua must answer at its issuer before clients are registered. */
  readonly tunnelReady: pulumi.Input<pulumi.Resource>[];
  /**
   * The router: the Gateway API CRDs and the hostname admission policy exist before the tenant's
   * HTTPRoute, so the route is created at all and checked when it is. @default []
   */
  readonly routerReady?: pulumi.Input<pulumi.Resource>[];
}

/** One tenant. */
export class Tenant extends pulumi.ComponentResource {
  public readonly namespace: string;
  public readonly issuer: string;
  public readonly oauthClientId: pulumi.Output<string>;
  public readonly hostnames: string[];
  /** The dedicated Janua's namespace: its name and an Output that waits for it. */
  public readonly dedicatedNamespace?: { readonly name: string; readonly ref: pulumi.Output<string> };

  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:tenancy:Tenant", name, {}, opts);
    const t = args.tenant;
    this.namespace = tenantNamespace(t.slug);
    this.hostnames = tenantHostnames(t, args.domain);
    const base = { parent: this, provider: args.provider };
    const options = (nodeIps: readonly string[]): TenantManifestOptions => ({
      slug: t.slug,
      tier: t.tier,
      environment: args.environment,
      hostnames: this.hostnames,
      ranges: { ...args.ranges, nodeIps },
      controlPlane: {
        namespace: CONTROL_PLANE_NAMESPACE,
        port: CONTROL_PLANE.api.port,
        podLabels: selectorLabels({ name: CONTROL_PLANE.api.name }),
      },
      janua: {
        namespace: t.auth === "dedicated" ? `janua-${t.slug}` : SHARED_JANUA_NAMESPACE,
        port: JANUA.port,
        podLabels: selectorLabels({ name: JANUA.name }),
        shared: t.auth !== "dedicated",
      },
    });
    const render = (nodeIps: readonly string[]) => renderTenant(options(nodeIps));
    // The egress policy excepts every node address as the providers resolve it (a cloud
    // server's IPs are known only after it exists); the rest renders from config alone.
    const egressSpec = pulumi
      .all([...args.ranges.nodeIps])
      // An address a provider reports as empty (a server without IPv6) excepts nothing.
      .apply(
        (ips) => render(ips.filter((ip) => ip !== "")).find(isEgressPolicy)?.spec as Record<string, unknown>,
      );
    const [namespace, ...rest] = render([]).map((o) => (isEgressPolicy(o) ? { ...o, spec: egressSpec } : o));
    const [ns] = createObjects(name, [namespace as Record<string, unknown>], base);
    const isRoute = (o: Record<string, unknown>) => o.kind === "HTTPRoute";
    createObjects(
      name,
      rest.filter((o) => !isRoute(o)),
      { ...base, dependsOn: [ns as pulumi.Resource] },
    );
    createObjects(name, rest.filter(isRoute), {
      ...base,
      dependsOn: [ns as pulumi.Resource, ...(args.routerReady ?? [])],
    });
    // Its allows in the platform namespaces wait for those namespaces (their names as Outputs).
    for (const allow of renderTenantPlatformAllows(options([]))) {
      const target = (allow.metadata as { namespace: string }).namespace;
      const namespaceRef =
        target === CONTROL_PLANE_NAMESPACE
          ? args.platformNamespaces.controlPlane
          : args.platformNamespaces.janua;
      createObjects(name, [allow], base, namespaceRef);
    }

    let janua: { issuer: string; connection: JanuaConnectionArgs; deployment: pulumi.Resource };
    let organizationId: pulumi.Input<string> | undefined;
    if (t.auth === "dedicated") {
      const dedicated = new DedicatedJanua(
        `janua-${t.slug}`,
        {
          ...args.dedicated,
          provider: args.provider,
          slug: t.slug,
          domain: args.domain,
          environment: args.environment,
          adminEmail: t.billingEmail ?? args.adminEmail,
          serviceCidr: args.ranges.serviceCidr,
        },
        // Earlier versions created the dedicated Janua at the top level.
        { parent: this, aliases: [{ parent: pulumi.rootStackResource }] },
      );
      this.dedicatedNamespace = { name: dedicated.namespaceName, ref: dedicated.namespace };
      janua = {
        issuer: dedicated.janua.issuer,
        connection: dedicated.janua.connection,
        deployment: dedicated.janua.deployment,
      };
    } else {
      janua = args.sharedJanua;
      const org = new JanuaOrganization(
        `${name}-organization`,
        {
          connection: janua.connection,
          name: t.displayName ?? t.slug,
          slug: t.slug,
          billingEmail: t.billingEmail,
        },
        { parent: this, dependsOn: [janua.deployment, ...args.tunnelReady] },
      );
      organizationId = org.organizationId;
    }
    this.issuer = janua.issuer;
    const client = new JanuaOAuthClient(
      `${name}-oauth-client`,
      {
        connection: janua.connection,
        clientKey: `tenant-${t.slug}`,
        name: t.displayName ?? t.slug,
        redirectUris: tenantRedirectUris(t, args.domain),
        ...(organizationId ? { organizationId } : {}),
      },
      { parent: this, dependsOn: [janua.deployment, ...args.tunnelReady] },
    );
    this.oauthClientId = client.clientId;
    new k8s.core.v1.Secret(
      `${name}-oidc`,
      {
        metadata: { name: "oidc", namespace: this.namespace, labels: { "enclii.dev/tenant": t.slug } },
        type: "Opaque",
        stringData: {
          OIDC_ISSUER: janua.issuer,
          OIDC_CLIENT_ID: client.clientId,
          OIDC_CLIENT_SECRET: client.clientSecret,
          OIDC_JWKS_URL: `${janua.issuer}/.well-known/jwks.json`,
        },
      },
      { ...base, dependsOn: [ns as pulumi.Resource] },
    );
    this.registerOutputs({
      namespace: this.namespace,
      issuer: this.issuer,
      oauthClientId: this.oauthClientId,
    });
  }
}
