/**
 * Issue 15 item 5: backups that stay restorable, over both offline plans. Longhorn's recurring
 * jobs run for one explicit group that only the Redis data volumes join (CNPG volumes are backed
 * up by barman-cloud, Prometheus is disposable), and no R2 lifecycle rule deletes by age under a
 * prefix Longhorn or barman-cloud manage.
 *
 * Upstream: longhorn/website content/docs/<1.x>/snapshots-and-backups/scheduling-backups-and-snapshots.md
 * ("Longhorn will automatically add a volume to the `default` group when the volume has no recurring
 * job"; PVC labels sync to the volume only with `recurring-job.longhorn.io/source: enabled`);
 * longhorn/website PR #1010 ("any retention policy directly on the backup store is strictly
 * prohibited"); barman-cloud needs its `*.history` files and the base backup before the window.
 */
import { describe, expect, it } from "vitest";
import { LONGHORN_BACKUP_GROUP, LONGHORN_BACKUP_LABELS } from "../../components/storage/longhorn-values";
import type { PlanResource } from "../../scripts/lib/plan-document";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";

const planOf = planCommittedStacks();

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Inputs = Record<string, any>;
const GROUP_LABEL = "recurring-job-group.longhorn.io/";
const meta = (r: PlanResource) => ((r.inputs as Inputs).metadata ?? {}) as Inputs;
/** Resources whose inputs mention a Longhorn recurring-job label anywhere. */
const mentionsRecurringLabels = (r: PlanResource) =>
  /recurring-job(-group)?\.longhorn\.io\//.test(JSON.stringify(r.inputs));

describe.each(STACKS)("backups that stay restorable, %s plan", (stack) => {
  const resources = () => planOf(stack).resources;
  const ofKind = (kind: string) => resources().filter((r) => (r.inputs as Inputs).kind === kind);

  it("runs the snapshot and backup RecurringJobs for the explicit group only, never `default`", () => {
    const jobs = ofKind("RecurringJob");
    expect(jobs.map((j) => (j.inputs as Inputs).spec.task).sort()).toEqual(["backup", "snapshot"]);
    for (const job of jobs)
      expect((job.inputs as Inputs).spec.groups, job.name).toEqual([LONGHORN_BACKUP_GROUP]);
    // The default StorageClass assigns no recurring job to every new volume either.
    const longhorn = resources().find(
      (r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "longhorn",
    );
    expect(longhorn).toBeDefined();
    expect(JSON.stringify((longhorn as PlanResource).inputs.values ?? {})).not.toContain(
      "recurringJobSelector",
    );
  });

  it("puts exactly the Redis data volumes into the group (Sentinels, CNPG and Prometheus stay out)", () => {
    const labelled = resources().filter(mentionsRecurringLabels);
    const redisData = ofKind("StatefulSet").filter((r) => meta(r).name === "redis");
    // The shared Redis and each dedicated Janua's.
    expect(redisData.length).toBeGreaterThanOrEqual(2);
    expect(labelled.map((r) => r.urn).sort()).toEqual(redisData.map((r) => r.urn).sort());
    for (const set of redisData) {
      const templates = (set.inputs as Inputs).spec.volumeClaimTemplates as Inputs[];
      expect(
        templates.map((t) => t.metadata.labels),
        set.name,
      ).toEqual([LONGHORN_BACKUP_LABELS]);
    }
    expect(LONGHORN_BACKUP_LABELS).toEqual({
      "recurring-job.longhorn.io/source": "enabled",
      [`${GROUP_LABEL}${LONGHORN_BACKUP_GROUP}`]: "enabled",
    });
    // No volume is put into `default` by hand (that group would have no job, but would read as backed up).
    expect(JSON.stringify(resources().map((r) => r.inputs))).not.toContain(`${GROUP_LABEL}default`);
  });

  it("deletes nothing by age under a prefix Longhorn or barman-cloud manage, and keeps the multipart abort", () => {
    const lifecycles = resources().filter(
      (r) => r.type === "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
    );
    expect(lifecycles.length).toBeGreaterThan(0);
    const toolPrefixes = ["longhorn/", "cnpg/"];
    const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
    for (const lifecycle of lifecycles) {
      const rules = ((lifecycle.inputs as Inputs).rules ?? []) as Inputs[];
      for (const rule of rules.filter((r) => r.deleteObjectsTransition)) {
        for (const prefix of toolPrefixes) {
          expect(
            overlaps(String(rule.conditions?.prefix ?? ""), prefix),
            `${lifecycle.name} ${rule.id}`,
          ).toBe(false);
        }
      }
      expect(
        rules.some((r) => r.abortMultipartUploadsTransition && (r.conditions?.prefix ?? "") === ""),
        lifecycle.name,
      ).toBe(true);
    }
  });
});
