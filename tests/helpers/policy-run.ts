/**
 * Runs one policy of the pack on fixtures, the way the policy SDK calls it: a resource policy with
 * the resource's type, props, URN and config; a stack policy with the stack's resources.
 */
import type { Policy, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { POLICIES } from "../../policies/policy-list";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped manifests
type Obj = Record<string, any>;
type Validate = (args: unknown, report: (message: string, urn?: string) => void) => void;

/** The policy named `name` (throws when the pack has none). */
export function policyNamed(name: string): Policy {
  const found = POLICIES.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
}

/** A URN in `stack` for a resource of `type` named `name`, optionally under parent types. */
export function urnOf(
  stack: string,
  type: string,
  name: string,
  parentTypes: readonly string[] = [],
): string {
  return `urn:pulumi:${stack}::enclii-infra::${[...parentTypes, type].join("$")}::${name}`;
}

/** Options of {@link runResourcePolicy}. */
export interface RunOptions {
  /** Policy config (as `--policy-pack-config` gives it). @default {} */
  readonly config?: Obj;
  /** The resource's URN. @default - a staging URN of `type` */
  readonly urn?: string;
}

/** The messages a resource policy reports for one resource. */
export function runResourcePolicy(name: string, type: string, props: Obj, o: RunOptions = {}): string[] {
  const messages: string[] = [];
  const urn = o.urn ?? urnOf("staging", type, props.metadata?.name ?? "r");
  const args = {
    type,
    props,
    urn,
    name: urn.split("::").pop() ?? "r",
    opts: {},
    getConfig: () => o.config ?? {},
    isType: () => false,
    asType: () => undefined,
    notApplicable: () => {},
  };
  const validate = (policyNamed(name) as ResourceValidationPolicy).validateResource as unknown as Validate;
  validate(args, (m) => messages.push(m));
  return messages;
}

/** A stack resource as AnalyzeStack hands it to a stack policy. */
export function stackResource(
  type: string,
  props: Obj,
  extra: Partial<Omit<PolicyResource, "type" | "props">> = {},
): PolicyResource {
  const urn = extra.urn ?? urnOf("staging", type, props.metadata?.name ?? props.name ?? "r");
  return {
    type,
    props,
    urn,
    name: urn.split("::").pop() ?? "r",
    opts: {},
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
    ...extra,
  } as unknown as PolicyResource;
}

/** The messages (with the URN each names) a stack policy reports for `resources`. */
export function runStackPolicy(
  name: string,
  resources: readonly PolicyResource[],
  config: Obj = {},
): { message: string; urn?: string }[] {
  const out: { message: string; urn?: string }[] = [];
  const validate = (policyNamed(name) as StackValidationPolicy).validateStack as unknown as Validate;
  validate({ resources, getConfig: () => config, stackTags: new Map() }, (message, urn) =>
    out.push({ message, urn }),
  );
  return out;
}
