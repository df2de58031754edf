/**
 * Issue 15 item 4: the `customTimeouts` of what a first `up` waits for, as the engine receives
 * them in the register requests of the production program (the offline plan's document format,
 * DESIGN.md, has no field for them; the values come from constants, not from stack config, so
 * staging registers the same). pulumi-kubernetes provider/pkg/await/await.go bounds every await
 * at 10 minutes unless the resource's timeout says otherwise (`metadata.TimeoutDuration`).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { JANUA_TIMEOUTS } from "../../components/auth/janua";
import { CLUSTER_TIMEOUTS } from "../../components/data/postgres";
import { REDIS_TIMEOUTS } from "../../components/data/redis";
import type { RecordedResource, Recorder } from "../helpers/mocks";
import { runStackProgram } from "../helpers/program";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;
let recorder: Recorder;

beforeAll(async () => {
  recorder = await runStackProgram("production");
});

/** Minutes of a Go duration as the SDK sends it ("45m", "1h30m"). */
const minutes = (d: string | undefined) => {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(d ?? "");
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : 0;
};
const ofKind = (kind: string) => recorder.resources.filter((r) => r.rawInputs.kind === kind);
const nameOf = (r: RecordedResource) => String((r.rawInputs.metadata as Manifest).name);

describe("timeouts of a first up on an empty node (production program)", () => {
  it("gives every CNPG Cluster room for Longhorn provisioning and initdb (or a recovery) past the 10-minute default", () => {
    const clusters = ofKind("Cluster").filter((r) => r.type.startsWith("kubernetes:postgresql.cnpg.io/"));
    expect(clusters.length).toBeGreaterThanOrEqual(2);
    for (const c of clusters) {
      expect(c.customTimeouts, c.name).toEqual({ ...CLUSTER_TIMEOUTS, delete: "" });
      expect(minutes(c.customTimeouts?.create)).toBeGreaterThan(10);
    }
  });

  it("gives every Redis StatefulSet and every Janua Deployment a timeout past the default", () => {
    const sets = ofKind("StatefulSet").filter((r) => nameOf(r).startsWith("redis"));
    expect(sets.length).toBeGreaterThanOrEqual(2);
    for (const s of sets) expect(s.customTimeouts, s.name).toEqual({ ...REDIS_TIMEOUTS, delete: "" });
    const januas = ofKind("Deployment").filter((r) => nameOf(r) === "janua");
    expect(januas.length).toBeGreaterThanOrEqual(2);
    for (const j of januas) expect(j.customTimeouts, j.name).toEqual({ ...JANUA_TIMEOUTS, delete: "" });
    for (const t of [REDIS_TIMEOUTS, JANUA_TIMEOUTS]) expect(minutes(t.create)).toBeGreaterThan(10);
  });
});
