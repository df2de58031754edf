/**
 * `enclii:edge:SaasHostnames`: Cloudflare for SaaS. Tenants' own domains are custom hostnames
 * of the zone with DV certificates; requests for them reach the fallback origin, a proxied
 * hostname of the zone that points at the tunnel.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** A tenant's custom domain. */
export interface CustomDomain {
  readonly hostname: string;
  readonly tenant: string;
  /**
   * `custom_metadata` of the custom hostname. Only for zones where the Cloudflare account team
   * enabled custom metadata: elsewhere Cloudflare rejects a custom hostname that carries it.
   * @default - none sent
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What a tenant must create at their DNS provider for one hostname. */
export interface TenantDnsInstructions {
  readonly hostname: string;
  readonly tenant: string;
  /** Route traffic: `CNAME <hostname> -> <fallback origin>` (flattened/ALIAS at an apex). */
  readonly cname: { readonly name: string; readonly target: string };
  /** Prove ownership before the certificate is issued (TXT record), when using TXT validation. */
  readonly ownershipTxt: pulumi.Output<{ name?: string; value?: string } | undefined>;
  /** Certificate validation over HTTP, served automatically once the CNAME is in place. */
  readonly ownershipHttp: pulumi.Output<{ httpUrl?: string; httpBody?: string } | undefined>;
  readonly status: pulumi.Output<string>;
}

/** Problems with the domains (empty when valid). */
export function validateCustomDomains(domains: readonly CustomDomain[], zone: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.hostname)) problems.push(`custom hostname ${d.hostname}: listed twice`);
    seen.add(d.hostname);
    if (d.hostname === zone || d.hostname.endsWith(`.${zone}`)) {
      problems.push(
        `custom hostname ${d.hostname}: inside the zone ${zone}; serve it with a tunnel route instead`,
      );
    }
  }
  return problems;
}

/** A custom hostname's inputs: DV certificate, and `customMetadata` only when the domain has some. Pure. */
export function customHostnameArgs(
  zoneId: string,
  domain: CustomDomain,
  options: { readonly validation?: "http" | "txt"; readonly minTlsVersion?: "1.2" | "1.3" } = {},
): cloudflare.CustomHostnameArgs {
  return {
    zoneId,
    hostname: domain.hostname,
    ssl: {
      method: options.validation ?? "http",
      type: "dv",
      settings: { minTlsVersion: options.minTlsVersion ?? "1.2" },
    },
    ...(domain.metadata ? { customMetadata: { ...domain.metadata } } : {}),
  };
}

/** Arguments of {@link SaasHostnames}. */
export interface SaasHostnamesArgs {
  readonly zoneId: string;
  readonly zone: string;
  /** Fallback origin hostname inside the zone, e.g. `origin.enclii.dev`. */
  readonly fallbackOrigin: string;
  /** The tunnel's CNAME target (`<id>.cfargotunnel.com`). */
  readonly tunnelTarget: pulumi.Input<string>;
  readonly domains: readonly CustomDomain[];
  /** Domain-control validation method. @default "http" */
  readonly validation?: "http" | "txt";
  /** @default "1.2" */
  readonly minTlsVersion?: "1.2" | "1.3";
}

/** The fallback origin and one custom hostname per tenant domain. */
export class SaasHostnames extends pulumi.ComponentResource {
  public readonly instructions: TenantDnsInstructions[];

  constructor(name: string, args: SaasHostnamesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:SaasHostnames", name, {}, opts);
    const problems = validateCustomDomains(args.domains, args.zone);
    if (problems.length > 0) throw new Error(`enclii:edge:SaasHostnames ${name}: ${problems.join("; ")}`);
    const origin = new cloudflare.DnsRecord(
      `${name}-fallback-origin-dns`,
      {
        zoneId: args.zoneId,
        name: args.fallbackOrigin,
        type: "CNAME",
        content: args.tunnelTarget,
        proxied: true,
        ttl: 1,
        comment: "enclii-infra: Cloudflare for SaaS fallback origin",
      },
      { parent: this },
    );
    const fallback = new cloudflare.CustomHostnameFallbackOrigin(
      `${name}-fallback-origin`,
      { zoneId: args.zoneId, origin: args.fallbackOrigin },
      { parent: this, dependsOn: [origin] },
    );
    this.instructions = [...args.domains]
      .sort((a, b) => a.hostname.localeCompare(b.hostname))
      .map((domain) => {
        const hostname = new cloudflare.CustomHostname(
          `${name}-${domain.hostname}`,
          customHostnameArgs(args.zoneId, domain, args),
          { parent: this, dependsOn: [fallback] },
        );
        return {
          hostname: domain.hostname,
          tenant: domain.tenant,
          cname: { name: domain.hostname, target: args.fallbackOrigin },
          ownershipTxt: hostname.ownershipVerification.apply((v) =>
            v ? { name: v.name ?? undefined, value: v.value ?? undefined } : undefined,
          ),
          ownershipHttp: hostname.ownershipVerificationHttp.apply((v) =>
            v ? { httpUrl: v.httpUrl ?? undefined, httpBody: v.httpBody ?? undefined } : undefined,
          ),
          status: hostname.status,
        };
      });
    this.registerOutputs({ instructions: this.instructions });
  }
}
