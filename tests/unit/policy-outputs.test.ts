/**
 * Policies fed what the engine feeds them: `Analyze` the inputs, `AnalyzeStack` the outputs of
 * every resource (components included: a v4 Chart's outputs hold only `resources`), values behind
 * the SDK's unknown-checking proxy during a preview. The resources here are shaped as the pack's
 * SDK builds them (pulumi-policy v1.21.0 server.js makeAnalyzeStackRpcFun, lines 330-352:
 * `props` is `unknownCheckingProxy(deserializeProperties(r.getProperties(), false))`).
 */
import {
  type Policy,
  type PolicyResource,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { POLICIES } from "../../policies/policy-list";
import {
  engineProperties,
  RESOURCE_SIG,
  SECRET_SIG,
  SIG_KEY,
  UNKNOWN_VALUE,
} from "../../scripts/lib/engine-form";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped manifests
type Obj = Record<string, any>;
type Finding = { message: string; level?: string };

const policy = (name: string): Policy => {
  const found = POLICIES.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
};

/** A resource as AnalyzeStack hands it to a policy: its outputs behind the unknown-checking proxy. */
function output(
  type: string,
  name: string,
  outputs: Obj,
  extra: Partial<PolicyResource> = {},
): PolicyResource {
  return {
    type,
    name,
    urn: `urn:pulumi:production::enclii-infra::${type}::${name}`,
    props: unknownCheckingProxy(outputs),
    opts: {},
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
    ...extra,
  } as unknown as PolicyResource;
}

/** Runs a stack policy; findings reported with an object (their own level) keep that level. */
function runStack(name: string, resources: PolicyResource[]): Finding[] {
  const found: Finding[] = [];
  const validate = (policy(name) as StackValidationPolicy).validateStack as unknown as (
    a: unknown,
    r: (m: string | { message: string; enforcementLevel: string }) => void,
  ) => void;
  validate({ resources, getConfig: () => ({}), stackTags: new Map(), notApplicable: () => {} }, (m) =>
    found.push(typeof m === "string" ? { message: m } : { message: m.message, level: m.enforcementLevel }),
  );
  return found;
}

function runResource(name: string, type: string, inputs: Obj): string[] {
  const messages: string[] = [];
  const validate = (policy(name) as ResourceValidationPolicy).validateResource as unknown as (
    a: unknown,
    r: (m: string) => void,
  ) => void;
  validate(
    {
      type,
      props: unknownCheckingProxy(inputs),
      urn: `urn:pulumi:s::p::${type}::x`,
      name: "x",
      opts: {},
      getConfig: () => ({}),
      isType: () => false,
      asType: () => undefined,
      notApplicable: () => {},
    },
    (m) => messages.push(m),
  );
  return messages;
}

const CHART = "kubernetes:helm.sh/v4:Chart";
/** A v4 Chart component as AnalyzeStack sees it (chart.go ChartState: only `resources`). */
const chartOutputs = (name: string, children: string[]) => output(CHART, name, { resources: children });
const namespace = (env: string) =>
  output("kubernetes:core/v1:Namespace", "janua", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "janua", labels: { "enclii.dev/environment": env }, uid: "u1" },
  });
const alertmanager = (extra: Obj = {}) =>
  output("kubernetes:monitoring.coreos.com/v1:Alertmanager", "monitoring:monitoring/kps-alertmanager", {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: { name: "kps-alertmanager", namespace: "monitoring" },
    spec: { replicas: 1, ...extra },
  });
/** The config Secret as its outputs read back: `data`, base64 (secret.yaml lines 14-24). */
const configSecret = (config: Obj, name = "alertmanager-kps-alertmanager") =>
  output("kubernetes:core/v1:Secret", `monitoring:monitoring/${name}`, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "monitoring" },
    data: { "alertmanager.yaml": Buffer.from(stringify(config)).toString("base64") },
  });
const routed = (receiver: Obj) => ({
  route: { receiver: "platform" },
  receivers: [{ name: "null" }, receiver],
});
const email = { name: "platform", email_configs: [{ to: "ops@enclii.dev" }] };

describe("stack policies on outputs", () => {
  it("stack-production-require-alert-receivers passes a production Alertmanager whose config Secret routes to email", () => {
    const stack = [namespace("production"), chartOutputs("monitoring", ["monitoring/x"]), alertmanager()];
    expect(
      runStack("stack-production-require-alert-receivers", [...stack, configSecret(routed(email))]),
    ).toEqual([]);
  });

  it("stack-production-require-alert-receivers fails when the default receiver sends nowhere", () => {
    const stack = [namespace("production"), alertmanager(), configSecret(routed({ name: "platform" }))];
    expect(runStack("stack-production-require-alert-receivers", stack)).toEqual([
      {
        message:
          "Alertmanager monitoring/kps-alertmanager: the default receiver platform sends nowhere: alerts are only visible in Grafana",
      },
    ]);
  });

  it("stack-production-require-alert-receivers reads spec.configSecret when set", () => {
    const stack = [
      namespace("production"),
      alertmanager({ configSecret: "custom" }),
      configSecret(routed({ name: "platform" })),
      configSecret(routed(email), "custom"),
    ];
    expect(runStack("stack-production-require-alert-receivers", stack)).toEqual([]);
  });

  it("stack-production-require-alert-receivers fails when production has only a Chart component (outputs: resources)", () => {
    expect(
      runStack("stack-production-require-alert-receivers", [
        namespace("production"),
        chartOutputs("monitoring", []),
      ]),
    ).toEqual([
      { message: "production has no Alertmanager: nobody hears about a failed backup or a down tunnel" },
    ]);
  });

  it("stack-production-require-alert-receivers ignores staging", () => {
    expect(runStack("stack-production-require-alert-receivers", [namespace("staging")])).toEqual([]);
  });

  it("stack-production-require-alert-receivers reports an Alertmanager whose config is unknown as undecided, not passed", () => {
    const unknownSecret = output(
      "kubernetes:core/v1:Secret",
      "monitoring:monitoring/alertmanager-kps-alertmanager",
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "alertmanager-kps-alertmanager", namespace: "monitoring" },
        data: UNKNOWN_VALUE,
      },
    );
    const found = runStack("stack-production-require-alert-receivers", [
      namespace("production"),
      alertmanager(),
      unknownSecret,
    ]);
    expect(found).toEqual([
      {
        message: expect.stringMatching(/^undecided during preview: .*string value at \.data can't be known/),
        level: "advisory",
      },
    ]);
  });

  it("kubernetes-namespace-require-default-deny still decides other namespaces when one policy is unknown", () => {
    const ns = (name: string) =>
      output("kubernetes:core/v1:Namespace", name, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name },
      });
    const np = (namespace: string, spec: unknown) =>
      output("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${namespace}-np`, {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-egress", namespace },
        spec,
      });
    const found = runStack("kubernetes-namespace-require-default-deny", [
      ns("tenant-a"),
      np("tenant-a", UNKNOWN_VALUE),
      ns("tenant-b"),
      np("tenant-b", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] }),
    ]);
    expect(found).toEqual([
      { message: expect.stringMatching(/^undecided during preview: namespace tenant-a/), level: "advisory" },
      { message: "namespace tenant-b has no default-deny NetworkPolicy" },
    ]);
  });
});

describe("chart values are decided on the Chart's inputs", () => {
  it("longhorn-chart-require-backup-target passes a Longhorn chart with an S3 target", () => {
    const inputs = {
      chart: "longhorn",
      values: { defaultBackupStore: { backupTarget: "s3://b@auto/longhorn/" } },
    };
    expect(runResource("longhorn-chart-require-backup-target", CHART, inputs)).toEqual([]);
  });

  it("longhorn-chart-require-backup-target fails a Longhorn chart without one", () => {
    expect(
      runResource("longhorn-chart-require-backup-target", CHART, { chart: "longhorn", values: {} }),
    ).toEqual(["the Longhorn chart has no S3 backup target (defaultBackupStore.backupTarget)"]);
  });

  it("longhorn-chart-require-backup-target is not a stack policy: a Chart's outputs hold no values", () => {
    expect(
      (policy("longhorn-chart-require-backup-target") as StackValidationPolicy).validateStack,
    ).toBeUndefined();
  });
});

describe("engine form of property values", () => {
  it("keeps secrets as secret objects, unknowns as the sentinel, references as ID or URN, drops internal keys", () => {
    const { value, special } = engineProperties({
      password: { [SIG_KEY]: SECRET_SIG, value: "hunter2" },
      ip: UNKNOWN_VALUE,
      server: { [SIG_KEY]: RESOURCE_SIG, urn: "urn:a", id: "42" },
      pending: { [SIG_KEY]: RESOURCE_SIG, urn: "urn:b", id: "" },
      component: { [SIG_KEY]: RESOURCE_SIG, urn: "urn:c" },
      __provider: "serialized",
      nested: { list: [1, "x"] },
    });
    expect(special).toBe(true);
    expect(value).toEqual({
      password: { [SIG_KEY]: SECRET_SIG, value: "hunter2" },
      ip: UNKNOWN_VALUE,
      server: "42",
      pending: UNKNOWN_VALUE,
      component: "urn:c",
      nested: { list: [1, "x"] },
    });
  });

  it("marks plain values as needing no conversion", () => {
    expect(engineProperties({ a: { b: [1, 2] } }).special).toBe(false);
  });
});

describe("deserializing once per request", () => {
  it("installs for the pinned SDK and hands every policy the same value of one Struct", async () => {
    const { deserializeOnce } = await import("../../policies/lib/deserialize-once");
    expect(deserializeOnce()).toBe(true);
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
      Struct: { fromJavaScript(v: object): object };
    };
    const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
      deserializeProperties(s: object, proxySecrets: boolean): Obj;
    };
    const struct = Struct.fromJavaScript({ kind: "Service", spec: { type: "ClusterIP" } });
    const first = deserializeProperties(struct, false);
    expect(first).toEqual({ kind: "Service", spec: { type: "ClusterIP" } });
    expect(deserializeProperties(struct, false)).toBe(first);
    expect(deserializeProperties(Struct.fromJavaScript({ kind: "Service" }), false)).not.toBe(first);
  });
});
