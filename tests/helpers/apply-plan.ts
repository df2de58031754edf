/**
 * Applies a plan's objects to a test API server as `pulumi up` would create them: server-side
 * apply in dependency order (CRDs and Namespaces first, then Helm's kind order), each object with
 * `dryRun=All` first and then for real; then a Pod from every workload's template submitted as a
 * dry run in its namespace, so Pod Security admission (and ServiceAccount, LimitRanger and quota
 * admission) judge what the workload's controller would create. Every refusal is recorded, not
 * thrown. Idempotent (server-side apply of the same object by the same manager changes nothing)
 * and memoized per server and plan, so every file that needs the objects can ask for them.
 */
import type { ApiServerConnection } from "./kube-apiserver";
import { apply, create, Discovery, statusMessage } from "./kube-client";
import {
  ensureDefaultServiceAccount,
  initializeQuotaStatus,
  installOrder,
  type Obj,
  type PlanObject,
  planObjects,
  podFromTemplate,
  withPlaceholderSecrets,
} from "./plan-objects";

/** One refused request. */
export interface Rejection {
  readonly file: string;
  readonly step: "dry run" | "apply" | "pod dry run";
  readonly status: number;
  readonly message: string;
}

/** A warning the server answered an admitted request with. */
export interface ApiWarning {
  readonly file: string;
  readonly step: Rejection["step"];
  readonly warning: string;
}

/** What applying a plan did. */
export interface ApplyReport {
  readonly warnings: readonly ApiWarning[];
  /** Objects applied for real, by kind. */
  readonly applied: Readonly<Record<string, number>>;
  /** Workload Pods admitted (dry run), by workload kind. */
  readonly pods: Readonly<Record<string, number>>;
  readonly rejections: readonly Rejection[];
}

const reports = new Map<string, Promise<ApplyReport>>();

/** Applies the objects of the plan in `planDir` to `conn` once per process (see the file comment). */
export function applyPlan(conn: ApiServerConnection, planDir: string): Promise<ApplyReport> {
  const key = `${conn.url} ${planDir}`;
  let report = reports.get(key);
  if (!report) {
    report = run(conn, planDir);
    reports.set(key, report);
  }
  return report;
}

const isFirst = (o: PlanObject) =>
  o.object.kind === "CustomResourceDefinition" || o.object.kind === "Namespace";
const count = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

async function run(conn: ApiServerConnection, planDir: string): Promise<ApplyReport> {
  const d = new Discovery(conn);
  const objects = installOrder(planObjects(planDir)).map((o) => ({
    ...o,
    object: withPlaceholderSecrets(o.object),
  }));
  const rejections: Rejection[] = [];
  const applied: Record<string, number> = {};
  const pods: Record<string, number> = {};
  const warnings: ApiWarning[] = [];
  const warn = (file: string, step: Rejection["step"], res: { warnings: readonly string[] }) => {
    for (const warning of res.warnings) warnings.push({ file, step, warning });
  };

  const applyBatch = async (batch: readonly PlanObject[]) => {
    for (const o of batch) {
      const res = await apply(conn, d, o.object, { dryRun: true });
      warn(o.file, "dry run", res);
      if (res.status >= 300)
        rejections.push({ file: o.file, step: "dry run", status: res.status, message: statusMessage(res) });
    }
    for (const o of batch) {
      const res = await apply(conn, d, o.object);
      warn(o.file, "apply", res);
      if (res.status >= 300) {
        rejections.push({ file: o.file, step: "apply", status: res.status, message: statusMessage(res) });
        continue;
      }
      count(applied, String(o.object.kind));
      if (o.object.kind === "CustomResourceDefinition") d.reset();
      if (o.object.kind === "ResourceQuota") await initializeQuotaStatus(conn, d, o.object);
    }
  };

  await applyBatch(objects.filter(isFirst));
  // The `default` ServiceAccount of every namespace the plan declares or uses (a namespace it uses
  // without declaring must exist already, like kube-system; otherwise its objects are refused).
  const namespaces = new Set<string>();
  for (const o of objects) {
    const metadata = (o.object.metadata ?? {}) as Obj;
    if (o.object.kind === "Namespace") namespaces.add(String(metadata.name));
    else if (typeof metadata.namespace === "string") namespaces.add(metadata.namespace);
  }
  for (const ns of namespaces) await ensureDefaultServiceAccount(conn, d, ns).catch(() => undefined);
  await applyBatch(objects.filter((o) => !isFirst(o)));

  for (const o of objects) {
    const pod = podFromTemplate(o.object);
    if (!pod) continue;
    const res = await create(conn, d, pod, { dryRun: true });
    warn(o.file, "pod dry run", res);
    if (res.status >= 300)
      rejections.push({ file: o.file, step: "pod dry run", status: res.status, message: statusMessage(res) });
    else count(pods, String(o.object.kind));
  }
  return { applied, pods, rejections, warnings };
}
