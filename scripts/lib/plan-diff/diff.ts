/**
 * The difference between two offline plans (`plan.json`): resources matched by their URN without
 * the stack, property-level changes, replacements, and the deltas of cost, capacity and policy.
 * Pure: the CLI and the pull-request workflow render what this returns.
 */
import { diffArrays } from "diff";
import { stringify } from "yaml";
import type { CostEstimate } from "../../../components/cost/estimate";
import { componentOf, indexByUrn, stackFreeUrn } from "../plan-components";
import type { PlanDocument, PlanResource, PolicyViolation } from "../plan-document";
import {
  kubernetesProviderReplaceReasons,
  PROVIDER_REPLACED,
  replaceReasons,
  statefulReason,
} from "./replacement";

/** The marker a secret value has in a plan; secrets are never compared or shown. */
export const SECRET = "[secret]";

/** One changed input (or resource option, in {@link ResourceChange.optionChanges}). */
export interface PropertyChange {
  readonly path: string;
  readonly kind: "added" | "removed" | "changed";
  readonly before?: unknown;
  readonly after?: unknown;
  /** A secret whose recorded hash changed: `before` and `after` are both "[secret]". */
  readonly secret?: true;
}

/** What happens to one resource. */
export type Operation = "create" | "update" | "replace" | "delete";

/** One resource that is not the same in both plans. */
export interface ResourceChange {
  readonly op: Operation;
  /** URN without the stack. */
  readonly key: string;
  readonly type: string;
  readonly name: string;
  readonly component: string;
  readonly changes: PropertyChange[];
  /** The changed inputs that force the replacement (op `replace`). */
  readonly replaceReasons: string[];
  /** What is lost, when a stateful resource is replaced or deleted. */
  readonly dataLoss?: string;
  /** The resource is protected: `pulumi up` refuses to delete or replace it until unprotected. */
  readonly protected: boolean;
  /** Changed resource options (`protect`, `ignoreChanges`, `deleteBeforeReplace`). */
  readonly optionChanges?: PropertyChange[];
  /** Input changes `pulumi up` does not apply: under the head's `ignoreChanges`. */
  readonly ignored?: PropertyChange[];
  /** A replacement deletes the old resource before it creates the new one. */
  readonly deleteBeforeReplace?: boolean;
  /** The base plan's key this resource had, when it was found through its `aliases`. */
  readonly renamedFrom?: string;
  /** For Kubernetes objects: the manifests before and after, as YAML. */
  readonly manifest?: { readonly before: string; readonly after: string };
}

/** One line of the cost comparison. */
export interface CostDelta {
  readonly item: string;
  readonly before: number;
  readonly after: number;
}

/** The whole difference. */
export interface PlanDiff {
  readonly base: { readonly stack: string };
  readonly head: { readonly stack: string };
  readonly counts: Record<Operation | "unchanged", number>;
  readonly resources: ResourceChange[];
  /** Resources whose only input changes are under their `ignoreChanges` (counted unchanged). */
  readonly ignoredOnly: ResourceChange[];
  readonly cost: {
    readonly lines: CostDelta[];
    readonly before: number;
    readonly after: number;
    readonly budgetBefore: number;
    readonly budgetAfter: number;
    readonly withinBudgetAfter: boolean;
  };
  readonly capacity: {
    readonly rows: {
      readonly item: string;
      readonly before: number;
      readonly after: number;
      readonly unit: string;
    }[];
    readonly fitsBefore: boolean;
    readonly fitsAfter: boolean;
  };
  readonly policy: { readonly added: PolicyViolation[]; readonly resolved: PolicyViolation[] };
}

type Flat = Map<string, unknown>;

/** A secret leaf with its recorded hash, while two input objects are compared. */
const HASHED = "\u0000[secret]#";
const isSecretLeaf = (v: unknown): v is string =>
  v === SECRET || (typeof v === "string" && v.startsWith(HASHED));

/** A value with every hashed secret leaf back to "[secret]". */
function unmark(v: unknown): unknown {
  if (typeof v === "string") return v.startsWith(HASHED) ? SECRET : v;
  if (Array.isArray(v)) return v.map(unmark);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, unmark(x)]));
  return v;
}

/**
 * Inputs with each "[secret]" whose hash the plan recorded turned into a marked leaf, walked with
 * the same paths the recorder hashed them under (scripts/lib/mock-runtime.ts secretHashes).
 */
function markSecrets(
  value: unknown,
  hashes: Readonly<Record<string, string>> | undefined,
  path = "",
): unknown {
  if (!hashes) return value;
  if (value === SECRET) return hashes[path] ? `${HASHED}${hashes[path]}` : value;
  if (Array.isArray(value)) return value.map((v, i) => markSecrets(v, hashes, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        k === "__provider" ? v : markSecrets(v, hashes, path ? `${path}.${k}` : k),
      ]),
    );
  }
  return value;
}

function flatten(value: unknown, path: string, out: Flat): Flat {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, []);
    value.forEach((v, i) => {
      flatten(v, `${path}[${i}]`, out);
    });
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== "__provider");
    if (entries.length === 0 && path) out.set(path, {});
    for (const [k, v] of entries) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, unmark(value));
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function emitWhole(kind: "added" | "removed", value: unknown, path: string, out: PropertyChange[]): void {
  for (const [p, v] of flatten(value, path, new Map())) {
    out.push(kind === "added" ? { path: p, kind, after: v } : { path: p, kind, before: v });
  }
}

function diffValue(a: unknown, b: unknown, path: string, out: PropertyChange[]): void {
  if (isSecretLeaf(a) && isSecretLeaf(b)) {
    // Compared by hash only, and only when both plans recorded one (older plans have none).
    if (a !== b && a !== SECRET && b !== SECRET)
      out.push({ path, kind: "changed", before: SECRET, after: SECRET, secret: true });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // Elements are aligned by content (longest common subsequence), so an insertion is one
    // added element, not a change of every element after it.
    let i = 0;
    let j = 0;
    const parts = diffArrays(a, b, { comparator: same });
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k] as (typeof parts)[number];
      const next = parts[k + 1];
      if (part.removed && next?.added && next.count === part.count) {
        // Replaced elements at the same place: show what changed inside them.
        for (let n = 0; n < (part.count ?? 0); n++) diffValue(a[i + n], b[j + n], `${path}[${j + n}]`, out);
        i += part.count ?? 0;
        j += next.count ?? 0;
        k++;
      } else if (part.removed) {
        for (let n = 0; n < (part.count ?? 0); n++) emitWhole("removed", a[i + n], `${path}[${i + n}]`, out);
        i += part.count ?? 0;
      } else if (part.added) {
        for (let n = 0; n < (part.count ?? 0); n++) emitWhole("added", b[j + n], `${path}[${j + n}]`, out);
        j += part.count ?? 0;
      } else {
        i += part.count ?? 0;
        j += part.count ?? 0;
      }
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    keys.delete("__provider");
    for (const key of [...keys].sort()) {
      const p = path ? `${path}.${key}` : key;
      if (!(key in b)) emitWhole("removed", a[key], p, out);
      else if (!(key in a)) emitWhole("added", b[key], p, out);
      else diffValue(a[key], b[key], p, out);
    }
    return;
  }
  if (!same(a, b)) out.push({ path, kind: "changed", before: unmark(a), after: unmark(b) });
}

/** The recorded secret hashes of both sides, when a plan has them. */
export interface SecretHashes {
  readonly before?: Readonly<Record<string, string>>;
  readonly after?: Readonly<Record<string, string>>;
}

/**
 * Property-level differences of two input objects: leaves for what was added or removed, array
 * elements aligned by content, and two secrets compared by their recorded hashes only (a changed
 * one is reported as `secret: true` with both values "[secret]"; without hashes, never).
 */
export function diffInputs(before: unknown, after: unknown, hashes: SecretHashes = {}): PropertyChange[] {
  const out: PropertyChange[] = [];
  diffValue(markSecrets(before, hashes.before), markSecrets(after, hashes.after), "", out);
  return out;
}

/**
 * Whether `path` (as the diff spells it: `a.b[0].c`) is under one of the `ignoreChanges` paths.
 * Pulumi's property paths: `a.b`, `a[0]`, `a["b.c"]` and `a[*]` for every element
 * (pulumi/pulumi sdk/go/common/resource/properties_path.go ParsePropertyPath, whose grammar lists
 * `root.array[*].field`).
 */
export function ignoredBy(ignoreChanges: readonly string[] | undefined, path: string): boolean {
  for (const rule of ignoreChanges ?? []) {
    const pattern = rule
      .replace(/\["([^"]*)"\]/g, ".$1")
      .split(/(\[\*\])/)
      .map((part) => (part === "[*]" ? "\\[\\d+\\]" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    if (new RegExp(`^${pattern}(?:$|[.[])`).test(path)) return true;
  }
  return false;
}

/** Changes of the resource options the plan records. */
function optionChanges(before: PlanResource, after: PlanResource): PropertyChange[] {
  const out: PropertyChange[] = [];
  if (before.protect !== after.protect)
    out.push({ path: "protect", kind: "changed", before: before.protect, after: after.protect });
  if (!same(before.ignoreChanges ?? [], after.ignoreChanges ?? []))
    out.push({
      path: "ignoreChanges",
      kind: "changed",
      before: before.ignoreChanges ?? [],
      after: after.ignoreChanges ?? [],
    });
  if ((before.deleteBeforeReplace ?? false) !== (after.deleteBeforeReplace ?? false))
    out.push({
      path: "deleteBeforeReplace",
      kind: "changed",
      before: before.deleteBeforeReplace ?? false,
      after: after.deleteBeforeReplace ?? false,
    });
  return out;
}

/**
 * The keys (stack-free URNs) a resource's aliases name. A spec alias is turned into a URN the way
 * the mock monitor builds one, since both plans come from it: the parent's own type (the last of
 * its chain), `$`, the type, `::`, the name (@pulumi/pulumi runtime/mocks.js MockMonitor.newUrn).
 */
export function aliasKeys(r: PlanResource, project: string): string[] {
  return (r.aliases ?? []).map((alias) => {
    if (typeof alias === "string") return stackFreeUrn(alias);
    const parent = alias.parentUrn === undefined ? r.parent : alias.parentUrn;
    const type = alias.type ?? r.type;
    // noParent is a top-level resource, which under the mocks is a child of the stack.
    const parentType = parent ? (parent.split("::")[2] ?? "").split("$").pop() : "pulumi:pulumi:Stack";
    const qualified = `${parentType}$${type}`;
    return `${alias.project ?? project}::${qualified}::${alias.name ?? r.name}`;
  });
}

function isKubernetesObject(r: PlanResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes";
}

function manifestOf(r: PlanResource | undefined): string {
  if (!r) return "";
  const { __provider: _, ...inputs } = r.inputs as Record<string, unknown>;
  return stringify(inputs, { sortMapEntries: true, lineWidth: 0 });
}

function violationKey(v: PolicyViolation): string {
  return `${v.policy}\u0000${v.enforcementLevel}\u0000${stackFreeUrn(v.urn)}\u0000${v.message}`;
}

function costDelta(base: CostEstimate, head: CostEstimate): PlanDiff["cost"] {
  const items = new Map<string, { before: number; after: number }>();
  for (const l of base.lines) items.set(l.item, { before: l.monthlyUsd, after: 0 });
  for (const l of head.lines)
    items.set(l.item, { before: items.get(l.item)?.before ?? 0, after: l.monthlyUsd });
  return {
    lines: [...items].map(([item, v]) => ({ item, ...v })),
    before: base.totalUsd,
    after: head.totalUsd,
    budgetBefore: base.budgetUsd,
    budgetAfter: head.budgetUsd,
    withinBudgetAfter: head.withinBudget,
  };
}

function capacityDelta(base: PlanDocument["capacity"], head: PlanDocument["capacity"]): PlanDiff["capacity"] {
  const rows: PlanDiff["capacity"]["rows"][number][] = [];
  const add = (item: string, unit: string, pick: (c: PlanDocument["capacity"]) => number) =>
    rows.push({ item, unit, before: pick(base), after: pick(head) });
  add("allocatable CPU (with overcommit)", "cores", (c) => c.allocatable.cpu * c.overcommit);
  add("allocatable memory (with overcommit)", "GiB", (c) => c.allocatable.memoryGiB * c.overcommit);
  add("platform CPU requests", "cores", (c) => c.platform.cpu);
  add("platform memory requests", "GiB", (c) => c.platform.memoryGiB);
  add("tenant CPU quota", "cores", (c) => c.tenants.cpu);
  add("tenant memory quota", "GiB", (c) => c.tenants.memoryGiB);
  add("free CPU", "cores", (c) => c.free.cpu);
  add("free memory", "GiB", (c) => c.free.memoryGiB);
  const tiers = new Set([...Object.keys(base.stillFit), ...Object.keys(head.stillFit)]);
  for (const tier of [...tiers].sort()) {
    add(
      `${tier} tenants that still fit`,
      "tenants",
      (c) => (c.stillFit as Record<string, number>)[tier] ?? 0,
    );
  }
  return { rows, fitsBefore: base.fits, fitsAfter: head.fits };
}

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";

/**
 * A replaced (or deleted) Kubernetes provider takes every object it manages with it: the engine
 * replaces each of them, deleting first. Such objects are reported as replacements that destroy
 * state, even when their own inputs did not change.
 */
function cascadeProviderReplacements(
  resources: ResourceChange[],
  headByKey: Map<string, PlanResource>,
  counts: Record<Operation | "unchanged", number>,
  describe: (
    r: PlanResource,
    index: Map<string, PlanResource>,
  ) => Omit<ResourceChange, "op" | "key" | "changes" | "replaceReasons" | "protected">,
  headIndex: Map<string, PlanResource>,
): void {
  const gone = new Set(
    resources
      .filter((r) => r.type === KUBERNETES_PROVIDER && (r.op === "replace" || r.op === "delete"))
      .map((r) => r.key),
  );
  if (gone.size === 0) return;
  const byKey = new Map(resources.map((r, i) => [r.key, i]));
  for (const [key, after] of headByKey) {
    if (!after.provider || !gone.has(stackFreeUrn(after.provider))) continue;
    const i = byKey.get(key);
    const existing = i === undefined ? undefined : resources[i];
    if (existing?.op === "create") continue;
    const change: ResourceChange = {
      ...(existing ?? {
        op: "replace",
        key,
        ...describe(after, headIndex),
        changes: [],
        replaceReasons: [],
        protected: after.protect,
      }),
      op: "replace",
      replaceReasons: [...new Set([...(existing?.replaceReasons ?? []), "provider"])].sort(),
      dataLoss: PROVIDER_REPLACED,
    };
    if (existing) {
      counts[existing.op]--;
      resources[i as number] = change;
    } else {
      counts.unchanged--;
      resources.push(change);
    }
    counts.replace++;
  }
}

/** Compares a base plan with a head plan. */
export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
  const baseIndex = indexByUrn(base);
  const headIndex = indexByUrn(head);
  const baseByKey = new Map(base.resources.map((r) => [stackFreeUrn(r.urn), r]));
  const headByKey = new Map(head.resources.map((r) => [stackFreeUrn(r.urn), r]));
  const counts = { create: 0, update: 0, replace: 0, delete: 0, unchanged: 0 };
  const resources: ResourceChange[] = [];
  const ignoredOnly: ResourceChange[] = [];
  // A resource found in the base through one of its aliases is the same resource, renamed.
  const renamed = new Map<string, string>();
  for (const [key, after] of headByKey) {
    if (baseByKey.has(key)) continue;
    const old = aliasKeys(after, head.project).find((k) => baseByKey.has(k) && !headByKey.has(k));
    if (old) renamed.set(key, old);
  }
  const consumed = new Set(renamed.values());
  const describe = (r: PlanResource, index: Map<string, PlanResource>) => ({
    type: r.type,
    name: r.name,
    component: componentOf(index, r.parent),
  });

  for (const [key, after] of headByKey) {
    const renamedFrom = renamed.get(key);
    const before = baseByKey.get(renamedFrom ?? key);
    if (after.type === "pulumi:pulumi:Stack") continue;
    if (!before) {
      counts.create++;
      resources.push({
        op: "create",
        key,
        ...describe(after, headIndex),
        changes: diffInputs({}, after.inputs, { after: after.secretHashes }),
        replaceReasons: [],
        protected: after.protect,
        ...(isKubernetesObject(after) ? { manifest: { before: "", after: manifestOf(after) } } : {}),
      });
      continue;
    }
    const all = diffInputs(before.inputs, after.inputs, {
      before: before.secretHashes,
      after: after.secretHashes,
    });
    // The engine keeps the old value of an ignored input (pulumi/pulumi pkg/resource/deploy/step_generator.go
    // processIgnoreChanges, with the new resource's ignoreChanges): no update, no replacement.
    const ignored = all.filter((c) => ignoredBy(after.ignoreChanges, c.path));
    const changes = all.filter((c) => !ignoredBy(after.ignoreChanges, c.path));
    const options = optionChanges(before, after);
    if (changes.length === 0 && options.length === 0 && before.type === after.type && !renamedFrom) {
      counts.unchanged++;
      if (ignored.length > 0) {
        ignoredOnly.push({
          op: "update",
          key,
          ...describe(after, headIndex),
          changes: [],
          ignored,
          replaceReasons: [],
          protected: after.protect,
        });
      }
      continue;
    }
    const paths = changes.map((c) => c.path);
    const reasons =
      before.type !== after.type
        ? ["type"]
        : after.type === KUBERNETES_PROVIDER
          ? kubernetesProviderReplaceReasons(before.inputs, after.inputs, paths)
          : replaceReasons(after.type, paths);
    const op: Operation = reasons.length > 0 ? "replace" : "update";
    counts[op]++;
    const loss = op === "replace" ? statefulReason(after.type) : undefined;
    resources.push({
      op,
      key,
      ...describe(after, headIndex),
      changes,
      replaceReasons: reasons,
      protected: before.protect,
      ...(options.length ? { optionChanges: options } : {}),
      ...(ignored.length ? { ignored } : {}),
      ...(after.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
      ...(renamedFrom ? { renamedFrom } : {}),
      ...(loss ? { dataLoss: loss } : {}),
      ...(isKubernetesObject(after)
        ? { manifest: { before: manifestOf(before), after: manifestOf(after) } }
        : {}),
    });
  }
  for (const [key, before] of baseByKey) {
    if (headByKey.has(key) || consumed.has(key) || before.type === "pulumi:pulumi:Stack") continue;
    counts.delete++;
    const loss = statefulReason(before.type);
    resources.push({
      op: "delete",
      key,
      ...describe(before, baseIndex),
      changes: diffInputs(before.inputs, {}, { before: before.secretHashes }),
      replaceReasons: [],
      protected: before.protect,
      ...(loss ? { dataLoss: loss } : {}),
      ...(isKubernetesObject(before) ? { manifest: { before: manifestOf(before), after: "" } } : {}),
    });
  }
  cascadeProviderReplacements(resources, headByKey, counts, describe, headIndex);
  const order: Record<Operation, number> = { replace: 0, delete: 1, create: 2, update: 3 };
  resources.sort(
    (a, b) =>
      a.component.localeCompare(b.component) || order[a.op] - order[b.op] || a.key.localeCompare(b.key),
  );

  const baseViolations = new Map(base.policy.violations.map((v) => [violationKey(v), v]));
  const headViolations = new Map(head.policy.violations.map((v) => [violationKey(v), v]));
  return {
    base: { stack: base.stack },
    head: { stack: head.stack },
    counts,
    resources,
    ignoredOnly,
    cost: costDelta(base.cost, head.cost),
    capacity: capacityDelta(base.capacity, head.capacity),
    policy: {
      added: [...headViolations].filter(([k]) => !baseViolations.has(k)).map(([, v]) => v),
      resolved: [...baseViolations].filter(([k]) => !headViolations.has(k)).map(([, v]) => v),
    },
  };
}

/** The changes that destroy state: stateful replacements and deletions. */
export function dangerous(diff: PlanDiff): ResourceChange[] {
  return diff.resources.filter((r) => r.dataLoss !== undefined);
}
