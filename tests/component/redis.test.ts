import { beforeAll, describe, expect, it } from "vitest";
import { passwordHash } from "../../components/data/redis-acl";
import { REDIS_CONFIG_ANNOTATION } from "../../components/data/redis-manifests";
import { outputValue, type Recorder, SECRET, settle, startComponentMocks } from "../helpers/mocks";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;

let recorder: Recorder;
const urls: Record<string, string> = {};
const usernames: Record<string, string> = {};
let dedicatedConsumers: string[] = [];
let construct: (consumers: string[]) => unknown;

const args = {
  namespace: "data",
  storageSize: "1Gi",
  maxMemory: "256Mi",
  maxMemoryPolicy: "noeviction",
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  exporter: true,
};

beforeAll(async () => {
  recorder = await startComponentMocks();
  const pulumi = await import("@pulumi/pulumi");
  const k8s = await import("@pulumi/kubernetes");
  const { Redis } = await import("../../components/data/redis");
  const provider = new k8s.Provider("k3s", { kubeconfig: pulumi.secret("apiVersion: v1") });
  const shared = new Redis("redis", { ...args, provider, mode: "sentinel", nodeCount: 3 });
  const dedicated = new Redis("janua-acme-redis", {
    ...args,
    provider,
    namespace: "janua-acme",
    namespaceName: "janua-acme",
    mode: "standalone",
    nodeCount: 1,
    consumers: ["janua"],
  });
  for (const [consumer, c] of Object.entries(shared.connections)) {
    urls[consumer] = await outputValue(c.url);
    usernames[consumer] = c.username;
  }
  dedicatedConsumers = Object.keys(dedicated.connections);
  construct = (consumers) =>
    new Redis(`bad-${consumers.length}`, {
      ...args,
      provider,
      mode: "standalone",
      nodeCount: 1,
      consumers: consumers as never,
    });
  await settle();
});

/** The Secret `name` of `namespace`; throws when it is missing. */
function secret(name: string, namespace = "data") {
  const found = recorder
    .ofType("kubernetes:core/v1:Secret")
    .find(
      (s) =>
        (s.inputs.metadata as Manifest).name === name &&
        (s.inputs.metadata as Manifest).namespace === namespace,
    );
  if (!found) throw new Error(`no Secret ${namespace}/${name}`);
  return found;
}
/** A Secret's stringData with secrets revealed. */
const data = (name: string, namespace = "data") => secret(name, namespace).rawInputs.stringData as Manifest;
const passwordOf = (resource: string) =>
  recorder.get("random:index/randomPassword:RandomPassword", resource).rawInputs as Manifest;

describe("Redis with one ACL user per consumer under the mock runtime", () => {
  it("draws one 40-character password per consumer and per system user, no shared one", () => {
    const names = recorder
      .ofType("random:index/randomPassword:RandomPassword")
      .map((r) => r.name)
      .filter((n) => n.startsWith("redis-"));
    expect(names.sort()).toEqual([
      "redis-enclii-password",
      "redis-janua-password",
      "redis-monitor-password",
      "redis-replication-password",
      "redis-sentinel-password",
    ]);
    expect(passwordOf("redis-janua-password")).toMatchObject({ length: 40, special: false });
  });

  it("keeps each consumer's credentials in its own Secret, and only the system users' in redis-auth", () => {
    expect(secret("redis-janua").inputs.stringData).toBe(SECRET);
    expect(Object.keys(data("redis-janua")).sort()).toEqual(["password", "username"]);
    expect(data("redis-enclii").username).toBe("default");
    expect(Object.keys(data("redis-auth")).sort()).toEqual(["monitor", "replication", "sentinel"]);
  });

  it("names each consumer's user in its URL: janua for Janua, default for the control plane", () => {
    expect(usernames).toEqual({ enclii: "default", janua: "janua" });
    expect(urls.janua).toMatch(/^redis\+sentinel:\/\/janua:[^@]+@redis-sentinel-0\..*\/enclii\/1$/);
    expect(urls.enclii).toMatch(/^redis\+sentinel:\/\/default:[^@]+@.*\/enclii\/0$/);
  });

  it("renders the configs with password hashes only, and the ACL on the Sentinels too", () => {
    const files = data("redis-config");
    expect(secret("redis-config").inputs.stringData).toBe(SECRET);
    const januaPassword = data("redis-janua").password as string;
    for (const file of ["redis.conf", "sentinel.conf"]) {
      expect(files[file]).not.toContain(januaPassword);
      expect(files[file]).toContain(`user janua reset on #${passwordHash(januaPassword)}`);
      expect(files[file]).not.toContain("requirepass");
    }
    expect(files["redis.conf"]).toContain("masteruser replication\nmasterauth ");
    expect(files["sentinel.conf"]).toContain("sentinel auth-user enclii sentinel");
  });

  it("rolls the pods when the configs change: a config digest on the pod template, in clear", () => {
    for (const sts of recorder.ofType("kubernetes:apps/v1:StatefulSet")) {
      const annotations = (sts.inputs.spec as Manifest).template.metadata.annotations;
      expect(annotations[REDIS_CONFIG_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it("gives a dedicated Janua's Redis only the janua user, with default off", () => {
    expect(dedicatedConsumers).toEqual(["janua"]);
    const conf = data("redis-config", "janua-acme")["redis.conf"] as string;
    expect(conf).toContain("user default reset off");
    expect(conf).not.toMatch(/masteruser|user sentinel/);
    expect(
      recorder
        .ofType("kubernetes:core/v1:Secret")
        .some((s) => s.name === "janua-acme-redis-enclii-credentials"),
    ).toBe(false);
  });

  it("fails on no consumer and on an unknown one, naming the field", () => {
    expect(() => construct([])).toThrow("consumers: at least one application");
    expect(() => construct(["billing"])).toThrow(
      'consumers: unknown consumer "billing" (known: enclii, janua)',
    );
  });
});
