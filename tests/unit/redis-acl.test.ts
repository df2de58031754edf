import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CONSUMER_ACCESS,
  dataNodeUsers,
  MONITOR_RULES,
  passwordHash,
  REPLICATION_RULES,
  renderUserLines,
  SENTINEL_DISCOVERY_RULES,
  SENTINEL_RULES,
  sentinelUsers,
  validateUsers,
} from "../../components/data/redis-acl";
import { REDIS_CONFIG_ANNOTATION, renderRedisManifests } from "../../components/data/redis-manifests";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;

const pw = (who: string) => `${who}-password-0123456789abcdef`;
const SHARED = {
  consumers: { enclii: pw("enclii"), janua: pw("janua") },
  replication: pw("replication"),
  monitor: pw("monitor"),
  sentinel: pw("sentinel"),
};
const lineOf = (lines: string[], user: string) => lines.find((l) => l.startsWith(`user ${user} `)) ?? "";

describe("Redis ACL users", () => {
  const lines = renderUserLines(dataNodeUsers(SHARED), "users");

  it("stores every password only as its SHA-256, never in clear", () => {
    const all = lines.join("\n");
    for (const password of [
      ...Object.values(SHARED.consumers),
      SHARED.replication,
      SHARED.monitor,
      SHARED.sentinel,
    ]) {
      expect(all).not.toContain(password);
      expect(all).toContain(`#${createHash("sha256").update(password).digest("hex")}`);
    }
    expect(passwordHash("x")).toMatch(/^[0-9a-f]{64}$/);
    expect(all).not.toMatch(/nopass|>/);
  });

  it("gives Janua its own user with KEYS but no other dangerous command and no channels", () => {
    expect(lineOf(lines, "janua")).toBe(
      `user janua reset on #${passwordHash(pw("janua"))} ~* resetchannels +@all -@dangerous -script|flush -function +keys`,
    );
  });

  it("makes the control plane the default user (switchyard sends no user name) with KEYS, INFO and channels", () => {
    expect(CONSUMER_ACCESS.enclii?.user).toBe("default");
    expect(lineOf(lines, "default")).toBe(
      `user default reset on #${passwordHash(pw("enclii"))} ~* &* +@all -@dangerous -script|flush -function +keys +info`,
    );
    expect(lines.filter((l) => l.startsWith("user default "))).toHaveLength(1);
  });

  it("turns default off when no consumer is default (a dedicated Janua's Redis)", () => {
    const dedicated = renderUserLines(
      dataNodeUsers({ consumers: { janua: pw("janua") }, replication: pw("r"), monitor: pw("m") }),
      "users",
    );
    expect(lineOf(dedicated, "default")).toBe("user default reset off");
    expect(dedicated.map((l) => l.split(" ")[1])).toEqual(["default", "janua", "replication", "monitor"]);
  });

  it("limits replication, Sentinel and monitor users to their documented commands", () => {
    expect(lineOf(lines, "replication")).toContain(`${REPLICATION_RULES.join(" ")}`);
    expect(REPLICATION_RULES).toEqual(["resetchannels", "-@all", "+psync", "+sync", "+replconf", "+ping"]);
    expect(lineOf(lines, "sentinel")).toContain(SENTINEL_RULES.join(" "));
    expect(MONITOR_RULES).not.toContain("+config|get");
    expect(MONITOR_RULES.every((r) => !r.startsWith("~"))).toBe(true);
  });

  it("gives consumers only master discovery on the Sentinels", () => {
    const users = sentinelUsers(SHARED);
    expect(users.map((u) => [u.name, u.rules])).toEqual([
      ["sentinel", ["allchannels", "+@all"]],
      ["default", SENTINEL_DISCOVERY_RULES],
      ["janua", SENTINEL_DISCOVERY_RULES],
    ]);
    expect(() => sentinelUsers({ ...SHARED, sentinel: undefined })).toThrow("Sentinel password is missing");
  });

  it("fails on an unknown consumer, naming where to add it", () => {
    expect(() => dataNodeUsers({ ...SHARED, consumers: { billing: pw("b") } })).toThrow(
      'Redis consumer "billing" has no ACL entry; add it to CONSUMER_ACCESS',
    );
  });

  it("fails on a bad name, a duplicate, a short password and a rule that would weaken the user", () => {
    expect(
      validateUsers(
        [
          { name: "Janua", password: pw("a"), rules: [] },
          { name: "x", password: "short", rules: ["nopass", "+get +set", ">clear"] },
          { name: "x", password: pw("b"), rules: [] },
        ],
        "users",
      ),
    ).toEqual([
      "users.Janua: user name must match /^[a-z][a-z0-9_-]{0,31}$/",
      "users.x: password needs at least 16 characters",
      'users.x: rule "nopass" is not allowed (no spaces, clear passwords or nopass)',
      'users.x: rule "+get +set" is not allowed (no spaces, clear passwords or nopass)',
      'users.x: rule ">clear" is not allowed (no spaces, clear passwords or nopass)',
      "users.x: declared twice",
    ]);
  });
});

describe("Redis pods authenticate as their own users", () => {
  const resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "768Mi" } };
  const objects = renderRedisManifests({
    namespace: "data",
    mode: "sentinel",
    storageSize: "5Gi",
    resources,
    exporter: true,
  }) as Manifest[];
  const pod = (name: string) =>
    objects.find((m) => m.kind === "StatefulSet" && m.metadata.name === name)?.spec.template.spec;

  it("annotates the pod templates with the config digest only when given one", () => {
    const annotated = renderRedisManifests({
      namespace: "data",
      mode: "sentinel",
      storageSize: "5Gi",
      resources,
      configVersion: "0123abcd",
    }) as Manifest[];
    for (const sts of annotated.filter((m) => m.kind === "StatefulSet")) {
      expect(sts.spec.template.metadata.annotations).toEqual({ [REDIS_CONFIG_ANNOTATION]: "0123abcd" });
    }
    expect(pod("redis")).toBeDefined();
    expect(objects.find((m) => m.kind === "StatefulSet")?.spec.template.metadata.annotations).toBeUndefined();
  });

  it("runs redis_exporter as monitor, without CONFIG GET", () => {
    const exporter = pod("redis").containers.find((c: Manifest) => c.name === "exporter");
    expect(exporter.env).toEqual(
      expect.arrayContaining([
        { name: "REDIS_USER", value: "monitor" },
        { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "monitor" } } },
        { name: "REDIS_EXPORTER_CONFIG_COMMAND", value: "-" },
      ]),
    );
  });

  it("asks the Sentinels for the master as the sentinel user, and probes Sentinels as it", () => {
    for (const name of ["redis", "redis-sentinel"]) {
      const init = pod(name).initContainers[0];
      expect(init.command[2]).toContain('--user sentinel -a "$REDIS_SENTINEL_PASSWORD"');
      expect(init.env).toEqual([
        {
          name: "REDIS_SENTINEL_PASSWORD",
          valueFrom: { secretKeyRef: { name: "redis-auth", key: "sentinel" } },
        },
      ]);
    }
    const sentinel = pod("redis-sentinel").containers[0];
    expect(sentinel.readinessProbe.exec.command[2]).toContain("--user sentinel");
    expect(JSON.stringify(objects)).not.toMatch(/"key":"password"|REDIS_PASSWORD"\s*\$/);
  });
});
