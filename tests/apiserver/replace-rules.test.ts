/**
 * The plan diff's Kubernetes replace-on rules (scripts/lib/plan-diff/replacement.ts REPLACE_ON)
 * checked against the real API server: for each rule, an object (the plan's own where it declares
 * one of the kind, copied into a namespace of this file's) is created, an update changing only the
 * rule's field is refused, and an update changing only a mutable field is accepted. The refusals
 * are kube-apiserver v1.34.4's update validation (k8s.io/kubernetes pkg/apis/apps/validation,
 * pkg/apis/batch/validation, pkg/apis/core/validation, pkg/apis/rbac/validation) and the CRDs'
 * `self == oldSelf` CEL rules (CloudNativePG postgresql.cnpg.io_databases.yaml).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { REPLACE_ON } from "../../scripts/lib/plan-diff/replacement";
import { apply, Discovery, statusMessage } from "../helpers/kube-client";
import { type Obj, planObjects, withPlaceholderSecrets } from "../helpers/plan-objects";
import { apiServerIfReady, requireApiServer } from "../helpers/test-api-server";

const NS = "replace-rules";
const clone = <T>(o: T): T => structuredClone(o);
const spec = (o: Obj) => o.spec as Obj;
const labels = (o: Obj) => (o.metadata as Obj).labels as Record<string, string>;

/** One rule's case: how to change only its field, and a mutable change beside it. */
interface Case {
  readonly type: string;
  readonly path: string;
  /** Sets up the base object before it is created (the field must hold a value to be changed). */
  readonly prepare?: (o: Obj) => void;
  readonly immutable: (o: Obj) => void;
  readonly mutable: (o: Obj) => void;
  /** The server's refusal. */
  readonly refusal: RegExp;
}

const relabel = (o: Obj) => {
  labels(o)["enclii.dev/replace-rules"] = "mutable";
};
const addSelectorLabel = (o: Obj) => {
  ((spec(o).selector as Obj).matchLabels as Record<string, string>)["enclii.dev/extra"] = "x";
  (((spec(o).template as Obj).metadata as Obj).labels as Record<string, string>)["enclii.dev/extra"] = "x";
};
/** A change setting `spec[key]` to `value` (computed from the object). */
const setSpec =
  (key: string, value: (o: Obj) => unknown) =>
  (o: Obj): void => {
    spec(o)[key] = value(o);
  };
const STS_FORBIDDEN = /spec: Forbidden: updates to statefulset spec for fields other than 'replicas'/;
const volumeClaim = (storage: string) => ({
  metadata: { name: "data" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } },
});

const CASES: readonly Case[] = [
  {
    type: "kubernetes:apps/v1:Deployment",
    path: "spec.selector",
    immutable: addSelectorLabel,
    mutable: (o) => {
      spec(o).replicas = 2;
    },
    refusal: /spec\.selector: Invalid value: .*field is immutable/,
  },
  ...(
    [
      ["spec.selector", addSelectorLabel],
      ["spec.serviceName", setSpec("serviceName", () => "another")],
      ["spec.volumeClaimTemplates", setSpec("volumeClaimTemplates", () => [volumeClaim("2Gi")])],
      [
        "spec.podManagementPolicy",
        setSpec("podManagementPolicy", (o) =>
          spec(o).podManagementPolicy === "Parallel" ? "OrderedReady" : "Parallel",
        ),
      ],
    ] as const
  ).map(([path, immutable]) => ({
    type: "kubernetes:apps/v1:StatefulSet",
    path,
    immutable,
    mutable: (o: Obj) => {
      spec(o).replicas = 2;
    },
    refusal: STS_FORBIDDEN,
  })),
  {
    type: "kubernetes:apps/v1:DaemonSet",
    path: "spec.selector",
    immutable: addSelectorLabel,
    mutable: (o) => {
      spec(o).minReadySeconds = 5;
    },
    refusal: /spec\.selector: Invalid value: .*field is immutable/,
  },
  {
    type: "kubernetes:batch/v1:Job",
    path: "spec.template",
    immutable: (o) => {
      const containers = (spec(spec(o).template as Obj).containers as Obj[]) ?? [];
      (containers[0] as Obj).image = "busybox:1.37";
    },
    mutable: (o) => {
      spec(o).activeDeadlineSeconds = 600;
    },
    refusal: /spec\.template: Invalid value: .*field is immutable/,
  },
  {
    type: "kubernetes:batch/v1:Job",
    path: "spec.selector",
    immutable: (o) => {
      spec(o).selector = { matchLabels: { "enclii.dev/extra": "x" } };
    },
    mutable: relabel,
    refusal: /spec\.selector: Invalid value: .*field is immutable/,
  },
  ...(
    [
      ["spec.storageClassName", setSpec("storageClassName", () => "another"), undefined],
      ["spec.accessModes", setSpec("accessModes", () => ["ReadWriteMany"]), undefined],
      ["spec.volumeName", setSpec("volumeName", () => "pv-another"), setSpec("volumeName", () => "pv-first")],
      ["spec.selector", setSpec("selector", () => ({ matchLabels: { "enclii.dev/extra": "x" } })), undefined],
    ] as const
  ).map(([path, immutable, prepare]) => ({
    type: "kubernetes:core/v1:PersistentVolumeClaim",
    path,
    // Naming the volume of a claim that names none is binding, which the PV controller does
    // (k8s.io/kubernetes v1.34.4 pkg/apis/core/validation/validation.go 2470-2475): the rule is
    // about changing the volume a claim names.
    ...(prepare ? { prepare } : {}),
    immutable,
    mutable: relabel,
    refusal: /spec: Forbidden: spec is immutable after creation except resources\.requests/,
  })),
  {
    type: "kubernetes:core/v1:Service",
    path: "spec.clusterIP",
    immutable: (o) => {
      spec(o).clusterIP = "10.43.200.200";
    },
    mutable: relabel,
    refusal: /spec\.clusterIPs?\[?0?\]?: Invalid value: .*may not change once set/,
  },
  {
    type: "kubernetes:core/v1:Service",
    path: "spec.clusterIPs",
    immutable: (o) => {
      // clusterIP must stay the first of clusterIPs (validation.go 8681): both change together.
      spec(o).clusterIP = "10.43.200.201";
      spec(o).clusterIPs = ["10.43.200.201"];
    },
    mutable: relabel,
    refusal: /spec\.clusterIPs\[0\]: Invalid value: .*may not change once set/,
  },
  {
    type: "kubernetes:core/v1:Service",
    path: "spec.ipFamilies",
    immutable: (o) => {
      spec(o).ipFamilies = ["IPv6"];
    },
    mutable: relabel,
    // The program's clusters are single-stack IPv4 (k3s service-cidr), so the server refuses the
    // other family (pkg/registry/core/service/storage/alloc.go 274) before it reaches the
    // immutability check a dual-stack cluster would answer with (validation.go 8868).
    refusal:
      /spec\.ipFamilies\[0\]: Invalid value: "IPv6": (not configured on this cluster|may not change once set)/,
  },
  {
    type: "kubernetes:core/v1:Secret",
    path: "type",
    immutable: (o) => {
      o.type = o.type === "Opaque" ? "kubernetes.io/basic-auth" : "Opaque";
      o.stringData = { ...((o.stringData as Obj) ?? {}), username: "u", password: "p" };
    },
    mutable: (o) => {
      o.stringData = { ...((o.stringData as Obj) ?? {}), added: "value" };
    },
    refusal: /type: Invalid value: .*field is immutable/,
  },
  ...(["RoleBinding", "ClusterRoleBinding"] as const).map((kind) => ({
    type: `kubernetes:rbac.authorization.k8s.io/v1:${kind}`,
    path: "roleRef",
    immutable: (o: Obj) => {
      o.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" };
    },
    mutable: (o: Obj) => {
      o.subjects = [
        ...((o.subjects as Obj[]) ?? []),
        { kind: "ServiceAccount", name: "default", namespace: NS },
      ];
    },
    refusal: /roleRef: Invalid value: .*cannot change roleRef/,
  })),
  {
    type: "kubernetes:postgresql.cnpg.io/v1:Database",
    path: "spec.name",
    immutable: (o) => {
      spec(o).name = "renamed";
    },
    mutable: (o) => {
      spec(o).owner = "another_owner";
    },
    refusal: /spec\.name: Invalid value: .*name is immutable/,
  },
  {
    type: "kubernetes:postgresql.cnpg.io/v1:Database",
    path: "spec.cluster",
    immutable: (o) => {
      spec(o).cluster = { name: "another" };
    },
    mutable: (o) => {
      spec(o).owner = "another_owner";
    },
    refusal: /spec\.cluster: Invalid value: .*cluster reference is immutable after creation/,
  },
];

/** Objects of kinds the plans do not declare, minimal and valid. */
const CRAFTED: Record<string, Obj> = {
  DaemonSet: {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "crafted", labels: {} },
    spec: {
      selector: { matchLabels: { app: "crafted" } },
      template: {
        metadata: { labels: { app: "crafted" } },
        spec: { containers: [{ name: "c", image: "busybox:1.37" }] },
      },
    },
  },
  PersistentVolumeClaim: {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "crafted", labels: {} },
    spec: { storageClassName: "longhorn", ...volumeClaim("1Gi").spec },
  },
};

const kindOf = (type: string) => type.slice(type.lastIndexOf(":") + 1);

/** The case's base object: the plan's first of the kind, moved into {@link NS}, or a crafted one. */
function baseObject(all: readonly Obj[], c: Case, index: number): Obj {
  const kind = kindOf(c.type);
  const found = all.find(
    (o) =>
      o.kind === kind &&
      `kubernetes:${String(o.apiVersion).includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${kind}` ===
        c.type,
  );
  const base = withPlaceholderSecrets(clone(found ?? (CRAFTED[kind] as Obj)));
  const metadata = base.metadata as Obj;
  metadata.name = `rule-${index}-${kind.toLowerCase()}`;
  if (kind !== "ClusterRoleBinding") metadata.namespace = NS;
  metadata.labels = { ...((metadata.labels as Obj) ?? {}) };
  if (kind === "StatefulSet") spec(base).volumeClaimTemplates = [volumeClaim("1Gi")];
  // The Job's controller would set its selector (manualSelector unset); keep the copy's own labels.
  return base;
}

beforeAll(async () => {
  const api = apiServerIfReady();
  if (!api) return;
  const conn = api.servers.production;
  const d = new Discovery(conn);
  await apply(conn, d, { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
});

describe("the plan diff's Kubernetes replace-on rules, as the API server enforces them", () => {
  it("has a case for every Kubernetes field the plan diff says forces a replacement", () => {
    const rules = Object.entries(REPLACE_ON)
      .filter(([type]) => type.startsWith("kubernetes:"))
      .flatMap(([type, paths]) => paths.map((p) => `${type} ${p}`))
      .sort();
    expect(CASES.map((c) => `${c.type} ${c.path}`).sort()).toEqual(rules);
  });

  CASES.forEach((c, index) => {
    it(`${kindOf(c.type)} ${c.path}: refuses the in-place update, accepts a mutable change`, async (ctx) => {
      const api = requireApiServer(ctx);
      const conn = api.servers.production;
      const d = new Discovery(conn);
      const all = planObjects(api.plans.production).map((o) => o.object);
      const base = baseObject(all, c, index);
      c.prepare?.(base);
      const created = await apply(conn, d, base);
      expect(created.status, created.text).toBeLessThan(300);

      const changed = clone(base);
      c.immutable(changed);
      const refused = await apply(conn, d, changed);
      expect(refused.status, refused.text).toBe(422);
      expect(statusMessage(refused)).toMatch(c.refusal);

      const mutable = clone(base);
      c.mutable(mutable);
      const accepted = await apply(conn, d, mutable);
      expect(accepted.status, accepted.text).toBe(200);
    });
  });
});
