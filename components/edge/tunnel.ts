/**
 * `enclii:edge:Tunnel`: the only way into the cluster. A remotely-managed Cloudflare Tunnel, its
 * ingress configuration from the platform's route table, a proxied CNAME per hostname, and
 * cloudflared running in the cluster with the tunnel token.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AccessApplication } from "./access";
import {
  renderDeployment,
  renderNetworkPolicies,
  renderPodDisruptionBudget,
  renderTokenSecret,
  validateCloudflaredOptions,
} from "./cloudflared-manifests";
import {
  ADMIN_NAMESPACES,
  cloudflaredIngressProblems,
  isAdminRoute,
  renderIngress,
  type TcpRoute,
  type TunnelRoute,
  validateRoutes,
  withAccessChecks,
  withFallback,
  withTcpRoutes,
} from "./routes";

/** Arguments of {@link Tunnel}. */
export interface TunnelArgs {
  readonly accountId: string;
  readonly zoneId: string;
  /** The zone's apex domain; every DNS route must lie inside it. */
  readonly zone: string;
  /** Tunnel name in Cloudflare, e.g. `enclii-production`. */
  readonly tunnelName: string;
  /** The route table other components return. */
  readonly routes: readonly TunnelRoute[];
  /**
   * Custom hostnames (Cloudflare for SaaS) that may appear in routes although they are outside
   * the zone; they get an ingress rule but no DNS record (the tenant owns their DNS). @default []
   */
  readonly customHostnames?: readonly string[];
  readonly provider: k8s.Provider;
  /** The `cloudflare-tunnel` namespace. */
  readonly namespace: pulumi.Input<string>;
  /** cloudflared replicas. @default 2 */
  readonly replicas?: number;
  /**
   * Who may pass Cloudflare Access on admin routes (services in {@link ADMIN_NAMESPACES}). Every
   * admin route gets an Access application that exists before the tunnel publishes the route.
   */
  readonly adminEmails?: readonly string[];
  /** Label of the Access applications, e.g. `production`. @default the tunnel name */
  readonly environment?: string;
  /**
   * Zero Trust team name (`<team>.cloudflareaccess.com`). Every route with an Access application
   * gets `originRequest.access` with it, so cloudflared itself rejects requests without that
   * application's token. Required when any route is behind Access.
   */
  readonly accessTeamName?: string;
  /**
   * Raw TCP routes to the nodes (SSH and the Kubernetes API, see `cluster-access.ts`), each
   * behind an Access application that admits only the tunnel's Access service token and
   * `adminEmails`; cloudflared's egress allows exactly these addresses and ports. @default []
   */
  readonly tcpRoutes?: readonly (TcpRoute & { readonly address: string; readonly port: number })[];
  /**
   * Where every hostname without a rule of its own goes: the router (components/edge/router.ts),
   * as the last, catch-all rule, with a proxied wildcard record `*.<zone>` so any name of the zone
   * reaches the tunnel, and Cloudflare for SaaS hostnames arrive through the fallback origin.
   * `namespace` and `port` (the router pods' port) open cloudflared's egress to it.
   * @default none: the catch-all answers 404 and only routed hostnames get a record
   */
  readonly fallback?: { readonly service: string; readonly namespace: string; readonly port: number };
}

type Obj = Record<string, unknown>;

/** The tunnel and its cloudflared. */
export class Tunnel extends pulumi.ComponentResource {
  public readonly tunnelId: pulumi.Output<string>;
  /** The tunnel's name in the account (`TunnelArgs.tunnelName`). */
  public readonly tunnelName: string;
  /** `<tunnel id>.cfargotunnel.com`: the CNAME target of every routed hostname. */
  public readonly cnameTarget: pulumi.Output<string>;
  /** Routed hostnames, sorted. */
  public readonly hostnames: string[];
  /** One Access application per admin route and per TCP route. */
  public readonly accessApplications: AccessApplication[];
  /**
   * The Access service token CI and the program's own Janua API calls authenticate with, when there
   * are TCP routes or operator routes (`access: "operators"`).
   */
  public readonly serviceToken?: { clientId: pulumi.Output<string>; clientSecret: pulumi.Output<string> };

  constructor(name: string, args: TunnelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:Tunnel", name, {}, opts);
    const replicas = args.replicas ?? 2;
    const validation = { zone: args.zone, customHostnames: args.customHostnames };
    const problems = [
      ...validateRoutes(args.routes, validation),
      ...validateCloudflaredOptions({ namespace: "cloudflare-tunnel", replicas, routes: args.routes }),
    ];
    const adminRoutes = args.routes.filter(isAdminRoute);
    // Operator routes admit the service token, so the admins' emails are optional there.
    const operatorRoutes = adminRoutes.filter((r) => r.access === "operators");
    const emailRoutes = adminRoutes.filter((r) => r.access !== "operators");
    if (emailRoutes.length > 0 && (args.adminEmails ?? []).length === 0) {
      problems.push(
        `routes ${emailRoutes.map((r) => r.hostname).join(", ")} lead to admin namespaces (${ADMIN_NAMESPACES.join(", ")}) and need Cloudflare Access: set adminEmails (access.adminEmails)`,
      );
    }
    if (adminRoutes.length > 0 && !args.accessTeamName) {
      problems.push(
        `routes ${adminRoutes.map((r) => r.hostname).join(", ")} are behind Cloudflare Access and cloudflared must check its token: set accessTeamName (cloudflare.accessTeamName)`,
      );
    }
    const tcpRoutes = args.tcpRoutes ?? [];
    const routed = new Set(args.routes.map((r) => r.hostname));
    for (const route of tcpRoutes) {
      if (routed.has(route.hostname) || !route.hostname.endsWith(`.${args.zone}`))
        problems.push(`TCP route ${route.hostname}: must be a new hostname inside ${args.zone}`);
    }
    if (tcpRoutes.length > 0 && !args.accessTeamName) {
      problems.push(
        `TCP routes ${tcpRoutes.map((r) => r.hostname).join(", ")} are behind Cloudflare Access and cloudflared must check its token: set accessTeamName (cloudflare.accessTeamName)`,
      );
    }
    if (problems.length > 0) throw new Error(`enclii:edge:Tunnel ${name}: ${problems.join("; ")}`);
    const routed404 = withTcpRoutes(renderIngress(args.routes, validation), tcpRoutes);
    const plainIngresses = args.fallback ? withFallback(routed404, args.fallback.service) : routed404;
    const invalid = cloudflaredIngressProblems(plainIngresses);
    if (invalid.length > 0)
      throw new Error(`enclii:edge:Tunnel ${name}: cloudflared would refuse: ${invalid.join("; ")}`);
    this.hostnames = plainIngresses.flatMap((i) => (i.hostname ? [i.hostname] : []));

    const secret = new random.RandomBytes(`${name}-secret`, { length: 32 }, { parent: this });
    const tunnel = new cloudflare.ZeroTrustTunnelCloudflared(
      `${name}-tunnel`,
      {
        accountId: args.accountId,
        name: args.tunnelName,
        configSrc: "cloudflare",
        tunnelSecret: secret.base64,
      },
      // Cloudflare refuses a second tunnel of the same name in an account, so a replacement
      // (`--replace` of the tunnel, a new accountId or configSrc: the only replace-on fields,
      // terraform-provider-cloudflare internal/services/zero_trust_tunnel_cloudflared/schema.go)
      // must delete the old tunnel first. A new tunnel secret is an in-place PATCH (no
      // RequiresReplace on tunnel_secret; resource.go Update): docs/runbooks/secret-rotation.md.
      { parent: this, deleteBeforeReplace: true },
    );
    this.tunnelId = tunnel.id;
    this.tunnelName = args.tunnelName;
    this.cnameTarget = pulumi.interpolate`${tunnel.id}.cfargotunnel.com`;
    // Access first: an admin hostname is never published without it.
    const accessFor = (hostname: string, serviceTokenId?: pulumi.Input<string>) =>
      new AccessApplication(
        `${name}-access-${hostname}`,
        {
          accountId: args.accountId,
          hostname,
          displayName: `${hostname.split(".")[0]} (${args.environment ?? args.tunnelName})`,
          allowedEmails: args.adminEmails ?? [],
          ...(serviceTokenId !== undefined ? { serviceTokenId } : {}),
        },
        { parent: this },
      );
    this.accessApplications = emailRoutes.map((route) => accessFor(route.hostname));
    // SSH and the API for CI, and the operator routes (Janua's admin hostnames, which the
    // program's own API calls use): only the service token (non_identity) and the admins pass.
    if (tcpRoutes.length > 0 || operatorRoutes.length > 0) {
      const token = new cloudflare.ZeroTrustAccessServiceToken(
        `${name}-ci-token`,
        { accountId: args.accountId, name: `${args.tunnelName} CI`, duration: "8760h" },
        { parent: this, additionalSecretOutputs: ["clientSecret"] },
      );
      this.serviceToken = { clientId: token.clientId, clientSecret: pulumi.secret(token.clientSecret) };
      for (const route of [...operatorRoutes, ...tcpRoutes]) {
        this.accessApplications.push(accessFor(route.hostname, token.id));
      }
    }
    // Every Access-protected route: cloudflared checks the token too, so Access holds even when
    // a DNS record or the tunnel config is changed outside this program.
    const audByHostname = new Map(this.accessApplications.map((a) => [a.hostname, a.aud]));
    const ingresses = withAccessChecks(plainIngresses, args.accessTeamName ?? "", (h) =>
      audByHostname.get(h),
    );
    new cloudflare.ZeroTrustTunnelCloudflaredConfig(
      `${name}-config`,
      { accountId: args.accountId, tunnelId: tunnel.id, config: { ingresses } },
      { parent: this, dependsOn: this.accessApplications },
    );
    const custom = new Set(args.customHostnames ?? []);
    const records = this.hostnames.filter((h) => !custom.has(h));
    // Every other name of the zone (tenants' `<slug>.<zone>`) reaches the router by the wildcard;
    // an explicit record of the same name wins over it (RFC 4592), so platform names are unchanged.
    if (args.fallback) records.push(`*.${args.zone}`);
    for (const hostname of records) {
      new cloudflare.DnsRecord(
        `${name}-dns-${hostname.replace(/^\*\./, "wildcard.")}`,
        {
          zoneId: args.zoneId,
          name: hostname,
          type: "CNAME",
          content: this.cnameTarget,
          proxied: true,
          ttl: 1,
          comment: `enclii-infra: tunnel ${args.tunnelName}`,
        },
        { parent: this },
      );
    }

    const token = pulumi.secret(
      cloudflare.getZeroTrustTunnelCloudflaredTokenOutput(
        { accountId: args.accountId, tunnelId: tunnel.id },
        { parent: this },
      ).token,
    );
    const base = { parent: this, provider: args.provider };
    const withNamespace = (o: Obj): Obj => ({
      ...o,
      metadata: { ...(o.metadata as Obj), namespace: args.namespace },
    });
    const options = {
      namespace: "cloudflare-tunnel",
      replicas,
      routes: args.routes,
      nodePorts: tcpRoutes.map(({ address, port }) => ({ address, port })),
      ...(args.fallback
        ? { fallback: { namespace: args.fallback.namespace, port: args.fallback.port } }
        : {}),
    };
    const tokenSecret = new k8s.core.v1.Secret(
      `${name}-token`,
      withNamespace(renderTokenSecret("cloudflare-tunnel", token)) as k8s.core.v1.SecretArgs,
      base,
    );
    new k8s.apps.v1.Deployment(
      `${name}-cloudflared`,
      withNamespace(renderDeployment(options)) as unknown as k8s.apps.v1.DeploymentArgs,
      { ...base, dependsOn: [tokenSecret] },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      withNamespace(renderPodDisruptionBudget("cloudflare-tunnel")) as k8s.policy.v1.PodDisruptionBudgetArgs,
      base,
    );
    for (const policy of renderNetworkPolicies(options)) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${String((policy.metadata as Obj).name)}`,
        withNamespace(policy) as k8s.networking.v1.NetworkPolicyArgs,
        base,
      );
    }
    this.registerOutputs({
      tunnelId: this.tunnelId,
      cnameTarget: this.cnameTarget,
      hostnames: this.hostnames,
    });
  }
}
