/**
 * Tenant routing as Gateway API objects: the HTTPRoute that sends a tenant's hostnames to its
 * gateway Service, attached to the platform's router (components/edge/router-manifests.ts). Pure,
 * so the platform stack and tenant stacks render the same objects. The contract apps follow is
 * docs/routing.md; which hostnames a route may claim is enforced by ./hostname-admission.ts.
 */
import { ROUTER_PARENT_REF } from "../edge/router-manifests";
import { commonLabels } from "../shared/labels";

type Obj = Record<string, unknown>;

/** Options of {@link renderHttpRoute}. */
export interface HttpRouteOptions {
  /** The route's name, e.g. `tenant-default`. */
  readonly name: string;
  readonly namespace: string;
  /** The hostnames it serves (each must be in the namespace's annotation, ./hostname-admission.ts). */
  readonly hostnames: readonly string[];
  /** The Service in the same namespace that receives the requests. */
  readonly backend: { readonly name: string; readonly port: number };
  /** Extra labels (the tenant's slug). */
  readonly labels?: Record<string, string>;
}

/** Problems with the options (empty when valid). */
export function validateHttpRoute(o: HttpRouteOptions): string[] {
  const problems: string[] = [];
  if (o.hostnames.length === 0)
    problems.push(
      `HTTPRoute ${o.namespace}/${o.name}: hostnames: at least one (a route without hostnames answers every hostname)`,
    );
  for (const h of o.hostnames) {
    if (h.startsWith("*."))
      problems.push(
        `HTTPRoute ${o.namespace}/${o.name}: hostname ${h}: wildcards are not admitted, list each hostname`,
      );
  }
  return problems;
}

/** One HTTPRoute: every path of the hostnames to one Service port. @throws on invalid options */
export function renderHttpRoute(o: HttpRouteOptions): Obj {
  const problems = validateHttpRoute(o);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { ...commonLabels({ name: o.name, component: "route" }), ...o.labels },
    },
    spec: {
      parentRefs: [{ ...ROUTER_PARENT_REF }],
      hostnames: [...o.hostnames].sort(),
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ group: "", kind: "Service", name: o.backend.name, port: o.backend.port }],
        },
      ],
    },
  };
}
