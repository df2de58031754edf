/**
 * `enclii:tenancy:TenantStackObjects`: what a tenant stack adds to the platform's namespaces for
 * its own tenants, so the platform stack never lists a tenant. Every object is an additive allow
 * or monitor: NetworkPolicies add up, Prometheus selects monitors in any namespace.
 * - the CloudNativePG operator's egress to each dedicated Janua's cluster (cnpg-system);
 * - the dedicated Januas' scrape targets (Janua, its CNPG cluster and Redis), in their namespaces;
 * - one blackbox Probe of the stack's custom hostnames (monitoring), named after the stack.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderCnpgOperatorEgress } from "../data/cnpg-network";
import { renderProbes } from "../observability/probes";
import { renderScrapeTargets } from "../observability/scrape-targets";
import { createObjects } from "../shared/objects";

type Obj = Record<string, unknown>;

/** Arguments of {@link TenantStackObjects}. */
export interface TenantStackObjectsArgs {
  readonly provider: k8s.Provider;
  /** The tenant stack's name: it names the objects that several tenant stacks each create. */
  readonly stack: string;
  /** The dedicated Januas' namespaces (`janua-<slug>`), each with its CNPG cluster and Redis. */
  readonly dedicatedNamespaces: readonly string[];
  /** Custom hostnames of the stack's tenants, probed from the cluster. */
  readonly customHostnames: readonly string[];
  /** The monitoring namespace, when monitoring is on. @default - no monitors, no probe */
  readonly monitoringNamespace?: string;
  /** Outputs that wait for each dedicated namespace (its Namespace resource), by name. */
  readonly namespaceRefs?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** The objects of {@link TenantStackObjects}, rendered (pure). */
export function renderTenantStackObjects(
  a: Omit<TenantStackObjectsArgs, "provider" | "namespaceRefs">,
): Obj[] {
  const objects: Obj[] = [];
  if (a.dedicatedNamespaces.length > 0) {
    objects.push(
      renderCnpgOperatorEgress("cnpg-system", a.dedicatedNamespaces, `operator-egress-${a.stack}`),
    );
  }
  if (a.monitoringNamespace === undefined) return objects;
  const dedicated = new Set(a.dedicatedNamespaces);
  // The same monitors the platform renders for its own Janua and data namespaces.
  const monitors = renderScrapeTargets({
    tunnelNamespace: "cloudflare-tunnel",
    januaNamespaces: a.dedicatedNamespaces,
    controlPlaneNamespace: "enclii",
    dataNamespaces: a.dedicatedNamespaces,
    longhornNamespace: "longhorn-system",
    certManagerNamespace: "cert-manager",
  }).filter((m) => dedicated.has((m.metadata as { namespace: string }).namespace));
  objects.push(...monitors);
  for (const probe of renderProbes(a.monitoringNamespace, { platform: [], custom: a.customHostnames })) {
    const name = `custom-hostnames-${a.stack}`;
    const meta = probe.metadata as Obj;
    objects.push({
      ...probe,
      metadata: { ...meta, name, labels: { ...(meta.labels as Obj), "app.kubernetes.io/name": name } },
      // The job keeps the platform's name: the probe alerts select on it.
      spec: probe.spec,
    });
  }
  return objects;
}

/** The tenant stack's objects in platform namespaces. */
export class TenantStackObjects extends pulumi.ComponentResource {
  constructor(name: string, args: TenantStackObjectsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:tenancy:TenantStackObjects", name, {}, opts);
    const base = { parent: this, provider: args.provider };
    for (const object of renderTenantStackObjects(args)) {
      const namespace = (object.metadata as { namespace: string }).namespace;
      createObjects(name, [object], base, args.namespaceRefs?.[namespace]);
    }
    this.registerOutputs({});
  }
}
