/**
 * The Robot providers against the local model of the webservice (tests/helpers/robot-server.ts,
 * whose handlers cite their upstream sources).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { canonicalCidr } from "../../components/hetzner/admin-cidrs";
import { renderRobotFirewall } from "../../components/hetzner/firewall-rules";
import { evaluateRobotFirewall, type StoredFirewall } from "../../components/hetzner/robot-firewall-eval";
import {
  encodeForm,
  normalizeFirewall,
  normalizeRobotIp,
  ROBOT_PROVIDER_VERSION,
  type RobotConnection,
  robotFirewallProvider,
  robotReverseDnsProvider,
  robotServerNameProvider,
  robotVSwitchProvider,
} from "../../components/hetzner/robot-provider";
import { OLD_ROBOT_FIREWALL, SERVER_FLOWS } from "../helpers/robot-flows";
import { FakeRobot, parseForm } from "../helpers/robot-server";
import { runSerialized, serializeProvider } from "../helpers/serialized";

const SERVER = 2345678;
const FAST = { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 6, settleTimeoutMs: 2000, pollIntervalMs: 10 };
const firewall = renderRobotFirewall(["198.51.100.0/24", "2001:db8:100::/48"]);

let robot: FakeRobot;
let conn: RobotConnection;

// The dynamic provider interface returns loosely typed results; these helpers keep tests readable.
type Outs = Record<string, unknown>;
const p = robotFirewallProvider as Required<typeof robotFirewallProvider>;

beforeEach(async () => {
  robot = new FakeRobot({ inProcessMs: 30 });
  conn = { endpoint: await robot.start(), user: "robot", password: "secret", timing: FAST };
});
afterEach(async () => robot.stop());

describe("Robot firewall provider", () => {
  it("creates the firewall with Basic auth and a form-urlencoded body, then waits until it is active", async () => {
    const result = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const post = robot.requests.find((r) => r.method === "POST");
    expect(post?.contentType).toBe("application/x-www-form-urlencoded");
    expect(post?.authorization).toBe(`Basic ${Buffer.from("robot:secret").toString("base64")}`);
    expect(post?.form).toMatchObject({
      status: "active",
      filter_ipv6: "true",
      whitelist_hos: "true",
      port: "main",
    });
    expect((post?.form.rules as { input: unknown[] } | undefined)?.input).toHaveLength(10);
    expect(robot.requests.at(-1)).toMatchObject({ method: "GET", status: 200 });
    expect(robot.firewalls.get(SERVER)?.status).toBe("active");
    expect(result.id).toBe(`firewall-${SERVER}`);
    expect((result.outs as Outs).state).toEqual(normalizeFirewall(firewall as unknown as Outs));
  });

  it("waits while the firewall is in process before changing it", async () => {
    robot.stuckInProcess = 3;
    await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const first = robot.requests.findIndex((r) => r.method === "POST");
    expect(robot.requests.slice(0, first).filter((r) => r.method === "GET")).toHaveLength(4);
  });

  it("retries a 409 FIREWALL_IN_PROCESS with backoff and succeeds", async () => {
    robot.busyPosts = 2;
    await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const posts = robot.requests.filter((r) => r.method === "POST").map((r) => r.status);
    expect(posts).toEqual([409, 409, 200]);
  });

  it("gives up on 409s after the bounded number of attempts with a clear message", async () => {
    robot.busyPosts = 100;
    await expect(p.create({ serverNumber: SERVER, firewall, connection: conn })).rejects.toThrow(
      /server 2345678 is busy \(409 FIREWALL_IN_PROCESS.*gave up after 6 attempts/,
    );
  });

  it("fails with a clear message when the firewall never leaves in process", async () => {
    robot.stuckInProcess = 10_000;
    await expect(
      p.create({
        serverNumber: SERVER,
        firewall,
        connection: { ...conn, timing: { ...FAST, settleTimeoutMs: 100 } },
      }),
    ).rejects.toThrow('Robot firewall of server 2345678 is still "in process" after 0 s');
  });

  it("waits out a rate-limit window shorter than rateLimitMaxWaitMs and completes", async () => {
    await robot.stop();
    robot = new FakeRobot({ inProcessMs: 10, rateLimit: { max: 2, interval: 1 } });
    conn = { ...conn, endpoint: await robot.start(), timing: { ...FAST, rateLimitMaxWaitMs: 2000 } };
    await p.create({ serverNumber: SERVER, firewall, connection: conn });
    expect(robot.requests.some((r) => r.status === 403)).toBe(true);
    expect(robot.firewalls.get(SERVER)?.status).toBe("active");
  });

  // robot.hetzner.com/doc/webservice/en.html "Errors > Request limit": 403 RATE_LIMIT_EXCEEDED
  // with max_request and interval (seconds); Robot's limits are per hour (REFERENCE.md).
  it("fails at once on Robot's hourly rate limit, saying when to retry", async () => {
    await robot.stop();
    robot = new FakeRobot({ inProcessMs: 10, rateLimit: { max: 1, interval: 3600 } });
    conn = { ...conn, endpoint: await robot.start() };
    const started = Date.now();
    const error = await p.create({ serverNumber: SERVER, firewall, connection: conn }).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(String(error)).toMatch(
      /rate limit reached for server 2345678 \(403 RATE_LIMIT_EXCEEDED: at most 1 requests per 3600 s\); retrying now fails the same way: run pulumi up again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(within 60 min\)/,
    );
    expect(robot.requests.filter((r) => r.status === 403)).toHaveLength(1);
    expect(String(error)).not.toContain("secret");
  });

  it("turns 401 into an error that names the credentials to fix", async () => {
    await expect(
      p.create({ serverNumber: SERVER, firewall, connection: { ...conn, password: "wrong" } }),
    ).rejects.toThrow(
      /rejected the credentials \(401 UNAUTHORIZED\) for server 2345678: set enclii-infra:robotUser/,
    );
  });

  it("turns 404 into an error that names the server number", async () => {
    await expect(p.create({ serverNumber: 999, firewall, connection: conn })).rejects.toThrow(
      "Robot webservice: server 999 not found (404 SERVER_NOT_FOUND: Server not found)",
    );
  });

  it("refuses an 11th rule before any call, and surfaces the webservice's own limit", async () => {
    expect(() => renderRobotFirewall(["198.51.100.0/24", "192.0.2.0/24", "203.0.113.0/24"])).toThrow(
      "list at most 2 CIDRs (got 3)",
    );
    const eleven = {
      ...firewall,
      rules: { input: [...firewall.rules.input, firewall.rules.input[0]], output: [] },
    };
    await expect(p.create({ serverNumber: SERVER, firewall: eleven, connection: conn })).rejects.toThrow(
      "FIREWALL_RULE_LIMIT_EXCEEDED",
    );
  });

  it("reads the live firewall so drift shows up as a change", async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const fw = robot.firewalls.get(SERVER) as { rules: { input: Outs[] } };
    fw.rules.input = fw.rules.input.slice(1);
    const read = await p.read(created.id, created.outs as never);
    const diff = await p.diff(created.id, read.props as never, {
      serverNumber: SERVER,
      firewall,
      connection: conn,
    });
    expect(diff.changes).toBe(true);
    const same = await p.diff(created.id, created.outs as never, {
      serverNumber: SERVER,
      firewall,
      connection: conn,
    });
    expect(same).toMatchObject({ changes: false, replaces: [] });
  });

  // community.hrobot plugins/modules/firewall.py normalize_ip (lines 501-512), applied to the
  // wanted and the current rules alike (update_rules, lines 515-529): a bare address is a /32 or
  // /128 and IPv6 is compared compressed, so neither side's spelling shows up as drift.
  it("compares addresses normalized: a bare address is /32 or /128, IPv6 compressed and lowercase", async () => {
    expect(normalizeRobotIp("198.51.100.7")).toBe("198.51.100.7/32");
    expect(normalizeRobotIp("2001:0DB8:0100:0000:0000:0000:0000:0000/48")).toBe("2001:db8:100::/48");
    expect(normalizeRobotIp("2001:db8::1")).toBe("2001:db8::1/128");
    expect(normalizeRobotIp("2001:db8:0:0:1:0:0:1/128")).toBe("2001:db8::1:0:0:1/128");
    expect(normalizeRobotIp("::ffff:192.0.2.1")).toBe("::ffff:c000:201/128");
    expect(normalizeRobotIp("not an address")).toBe("not an address");
    // The serialized provider keeps its own copy of the RFC 5952 rule (it may import nothing of
    // the project's); it must spell every canonical network as admin-cidrs.ts does.
    for (const cidr of [
      "2001:db8:100::/48",
      "2001:0:0:1::/64",
      "fe80::/10",
      "2a01:4f8:c0c:1234::/64",
      "::/0",
      "203.0.113.0/24",
    ]) {
      expect(normalizeRobotIp(cidr), cidr).toBe(canonicalCidr(cidr));
    }
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const fw = robot.firewalls.get(SERVER) as { rules: { input: Outs[] } };
    // Robot reads the same addresses back in another spelling.
    fw.rules.input = fw.rules.input.map((r) => ({
      ...r,
      src_ip: r.src_ip === "2001:db8:100::/48" ? "2001:0DB8:0100:0:0:0:0:0/48" : r.src_ip,
    }));
    expect(fw.rules.input.some((r) => r.src_ip === "2001:0DB8:0100:0:0:0:0:0/48")).toBe(true);
    const read = await p.read(created.id, created.outs as never);
    const news = { serverNumber: SERVER, firewall, connection: conn };
    expect(await p.diff(created.id, read.props as never, news)).toMatchObject({ changes: false });
    fw.rules.input = fw.rules.input.map((r) =>
      r.src_ip === "2001:0DB8:0100:0:0:0:0:0/48" ? { ...r, src_ip: "2001:db8:200::/48" } : r,
    );
    const drifted = await p.read(created.id, created.outs as never);
    expect(await p.diff(created.id, drifted.props as never, news)).toMatchObject({ changes: true });
  });

  it("replaces the resource when the server number changes", async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const diff = await p.diff(created.id, created.outs as never, {
      serverNumber: 1,
      firewall,
      connection: conn,
    });
    expect(diff.replaces).toEqual(["serverNumber"]);
  });

  it("is idempotent: applying the same firewall twice leaves the same state", async () => {
    const a = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const b = await p.update(a.id, a.outs as never, { serverNumber: SERVER, firewall, connection: conn });
    expect((b.outs as Outs).state).toEqual((a.outs as Outs).state);
  });

  it("on delete retains the firewall active with its rules, and says so", async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const posts = robot.requests.filter((r) => r.method === "POST").length;
    const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
    await p.delete(created.id, created.outs as never);
    expect(robot.requests.filter((r) => r.method === "POST")).toHaveLength(posts);
    const fw = robot.firewalls.get(SERVER) as {
      status: string;
      rules: { input: unknown[]; output: unknown[] };
    };
    expect(fw.status).toBe("active");
    expect(fw.rules.input).toHaveLength(10);
    expect(fw.rules.output).toHaveLength(1);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining("Robot firewall of server 2345678 retained"));
    stderr.mockRestore();
  });

  it('on delete with onDelete: "disable" turns the firewall off and keeps its rules', async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn, onDelete: "disable" });
    const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
    await p.delete(created.id, created.outs as never);
    stderr.mockRestore();
    const fw = robot.firewalls.get(SERVER) as { status: string; rules: { input: unknown[] } };
    expect(fw.status).toBe("disabled");
    expect(fw.rules.input).toHaveLength(10);
  });

  it("stores a change of onDelete by an update, since delete runs with the stored inputs", async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    const diff = await p.diff(created.id, created.outs as never, {
      serverNumber: SERVER,
      firewall,
      connection: conn,
      onDelete: "disable",
    });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  it("reads a firewall whose server is gone as gone (blank id), never throws", async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    robot.removeServer(SERVER);
    expect(await p.read(created.id, created.outs as never)).toEqual({ id: "", props: {} });
    robot.firewalls.set(SERVER, { server_ip: "203.0.113.10", status: "disabled", rules: {} });
    robot.withoutFirewall.add(SERVER);
    expect((await p.read(created.id, created.outs as never)).id).toBe("");
  });

  // community.hrobot CHANGELOG.md v1.8.0 / issue #75: a POST without output rules stores an
  // empty output list, which blocks everything the server sends.
  it("a firewall posted without output rules is stored with an empty output list that drops outgoing traffic", async () => {
    await p.create({ serverNumber: SERVER, firewall: OLD_ROBOT_FIREWALL, connection: conn });
    const old = robot.firewalls.get(SERVER) as unknown as StoredFirewall;
    expect(old.rules.output).toEqual([]);
    const sshReply = SERVER_FLOWS.find((f) => f.name === "SSH from an admin CIDR")?.reply;
    expect(sshReply && evaluateRobotFirewall(old, sshReply)).toMatchObject({ action: "discard" });
    for (const f of SERVER_FLOWS.filter((x) => x.request.direction === "output")) {
      expect(evaluateRobotFirewall(old, f.request).action, f.name).toBe("discard");
    }
    await p.update(`firewall-${SERVER}`, {} as never, { serverNumber: SERVER, firewall, connection: conn });
    const stored = robot.firewalls.get(SERVER) as unknown as StoredFirewall;
    for (const f of SERVER_FLOWS) {
      expect(evaluateRobotFirewall(stored, f.request).action, `${f.name}: request`).toBe("accept");
      expect(evaluateRobotFirewall(stored, f.reply).action, `${f.name}: reply`).toBe("accept");
    }
  });

  // docs.hetzner.com/robot/dedicated-server/firewall: "Only special characters are not
  // permitted" in names; webservice "Errors": 400 INVALID_INPUT with the invalid fields.
  it("surfaces 400 INVALID_INPUT with the field when a rule name holds forbidden characters", async () => {
    const bad = {
      ...firewall,
      rules: { ...firewall.rules, input: [{ ...firewall.rules.input[0], name: "ssh 198.51.100.0/24" }] },
    };
    await expect(p.create({ serverNumber: SERVER, firewall: bad, connection: conn })).rejects.toThrow(
      "400 INVALID_INPUT: invalid input; invalid: rules[input][0][name]",
    );
    expect(robot.requests.find((r) => r.method === "POST")?.status).toBe(400);
  });
});

describe("Robot server name, reverse DNS and vSwitch providers", () => {
  it("sets, reads and renames the server, and reports its IPv6 /64", async () => {
    const sn = robotServerNameProvider as Required<typeof robotServerNameProvider>;
    const created = await sn.create({ serverNumber: SERVER, name: "ax41-fsn1-1", connection: conn });
    expect(robot.names.get(SERVER)).toBe("ax41-fsn1-1");
    expect((created.outs as Outs).serverIp).toBe("203.0.113.10");
    // Robot's `server_ipv6_net` is the /64 without a prefix length; tenant egress excepts it.
    expect((created.outs as Outs).serverIpv6Net).toMatch(/^2a01:4f8:111:[0-9a-f]+::\/64$/);
    await sn.update(created.id, created.outs, { serverNumber: SERVER, name: "renamed", connection: conn });
    expect((await sn.read(created.id, created.outs as never)).props).toMatchObject({ name: "renamed" });
  });

  it("creates, updates and deletes the PTR record; deleting twice is fine", async () => {
    const rd = robotReverseDnsProvider as Required<typeof robotReverseDnsProvider>;
    const inputs = { ip: "203.0.113.10", ptr: "ax41.enclii.dev", serverNumber: SERVER, connection: conn };
    const created = await rd.create(inputs);
    expect(robot.rdns.get("203.0.113.10")).toBe("ax41.enclii.dev");
    await rd.update(created.id, inputs, { ...inputs, ptr: "node.enclii.dev" });
    expect((await rd.read(created.id, inputs as never)).props).toMatchObject({ ptr: "node.enclii.dev" });
    await rd.delete(created.id, inputs);
    await rd.delete(created.id, inputs);
    expect(robot.rdns.has("203.0.113.10")).toBe(false);
  });

  // community.hrobot reverse_dns.py lines 110-117 and test_reverse_dns.py test_idempotent_absent:
  // GET /rdns/{ip} answers 404 RDNS_NOT_FOUND without a PTR, 404 IP_NOT_FOUND for a foreign IP.
  it("reads a PTR that is gone, or an address that left the account, as gone (blank id)", async () => {
    const rd = robotReverseDnsProvider as Required<typeof robotReverseDnsProvider>;
    const inputs = { ip: "203.0.113.10", ptr: "ax41.enclii.dev", serverNumber: SERVER, connection: conn };
    const created = await rd.create(inputs);
    robot.rdns.delete("203.0.113.10");
    expect(await rd.read(created.id, inputs as never)).toEqual({ id: "", props: {} });
    expect(robot.requests.at(-1)).toMatchObject({ method: "GET", status: 404 });
    robot.removeServer(SERVER);
    expect((await rd.read(created.id, inputs as never)).id).toBe("");
  });

  it("names the address and the server when the IP is not the account's", async () => {
    const rd = robotReverseDnsProvider as Required<typeof robotReverseDnsProvider>;
    await expect(
      rd.create({ ip: "192.0.2.1", ptr: "x.enclii.dev", serverNumber: SERVER, connection: conn }),
    ).rejects.toThrow("reverse DNS of 192.0.2.1 (server 2345678) not found");
  });

  // community.hrobot plugins/modules/v_switch.py lines 342-343 (is_all_servers_ready) and
  // 381-383: after attaching, the module polls GET /vswitch/{id} until every server[].status is
  // "ready"; before that the VLAN does not reach the server.
  it("returns from create only once every attached server is ready (in process -> ready)", async () => {
    await robot.stop();
    robot = new FakeRobot({ inProcessMs: 10, vswitchInProcessMs: 80 });
    conn = { ...conn, endpoint: await robot.start() };
    const vs = robotVSwitchProvider as Required<typeof robotVSwitchProvider>;
    const created = await vs.create({
      name: "enclii-production",
      vlan: 4000,
      serverNumbers: [SERVER],
      connection: conn,
    });
    const stored = robot.vswitches.get(Number(created.id)) as { server: { status: string }[] };
    expect(stored.server.map((s) => s.status)).toEqual(["ready"]);
    const polls = robot.requests.filter((r) => r.method === "GET" && r.path === `/vswitch/${created.id}`);
    expect(polls.length).toBeGreaterThan(1);
  });

  it("waits for a detach to finish before attaching, since Robot answers 409 VSWITCH_IN_PROCESS meanwhile", async () => {
    await robot.stop();
    robot = new FakeRobot({
      servers: { [SERVER]: "203.0.113.10", 2345679: "203.0.113.11" },
      inProcessMs: 20,
    });
    conn = { ...conn, endpoint: await robot.start() };
    const vs = robotVSwitchProvider as Required<typeof robotVSwitchProvider>;
    const inputs = { name: "enclii-production", vlan: 4000, serverNumbers: [SERVER], connection: conn };
    const created = await vs.create(inputs);
    await vs.update(created.id, inputs, { ...inputs, serverNumbers: [2345679] });
    const stored = robot.vswitches.get(Number(created.id)) as { server: Outs[] };
    expect(stored.server).toMatchObject([{ server_number: 2345679, status: "ready" }]);
  });

  it("fails with a clear message when a server never becomes ready, or Robot reports it failed", async () => {
    await robot.stop();
    robot = new FakeRobot({ inProcessMs: 10, vswitchInProcessMs: 10_000 });
    conn = { ...conn, endpoint: await robot.start(), timing: { ...FAST, settleTimeoutMs: 100 } };
    const vs = robotVSwitchProvider as Required<typeof robotVSwitchProvider>;
    const inputs = { name: "enclii-production", vlan: 4000, serverNumbers: [SERVER], connection: conn };
    await expect(vs.create(inputs)).rejects.toThrow(
      /Robot vSwitch \d+: server\(s\) 2345678 still not "ready" after 0 s; run pulumi up again once the Robot panel/,
    );
    await robot.stop();
    robot = new FakeRobot({ inProcessMs: 10 });
    robot.vswitchFails.add(SERVER);
    conn = { ...conn, endpoint: await robot.start(), timing: FAST };
    await expect(vs.create({ ...inputs, connection: conn })).rejects.toThrow(
      /attaching server\(s\) 2345678 failed \(status "failed"\)/,
    );
  });

  it("creates a vSwitch, attaches and detaches servers, and cancels it", async () => {
    const vs = robotVSwitchProvider as Required<typeof robotVSwitchProvider>;
    const inputs = { name: "enclii-production", vlan: 4000, serverNumbers: [SERVER], connection: conn };
    const created = await vs.create(inputs);
    const id = Number(created.id);
    expect(robot.vswitches.get(id)).toMatchObject({ vlan: 4000, server: [{ server_number: SERVER }] });
    await vs.update(created.id, inputs, { ...inputs, serverNumbers: [] });
    expect(robot.vswitches.get(id)?.server).toEqual([]);
    expect((await vs.diff(created.id, inputs, { ...inputs, vlan: 4001 })).replaces).toEqual(["vlan"]);
    await vs.delete(created.id, inputs);
    expect(robot.vswitches.has(id)).toBe(false);
    expect(robot.requests.at(-1)?.form).toEqual({ cancellation_date: "now" });
  });
});

// @pulumi/pulumi 3.248 cmd/dynamic-provider/index.ts: read and delete deserialize the provider
// stored with the resource (`props.__provider`), so a fixed provider reaches a resource whose
// inputs are unchanged only through an update (REFERENCE.md "Dynamic providers").
describe("provider version", () => {
  const providers = {
    firewall: [robotFirewallProvider, () => ({ serverNumber: SERVER, firewall, connection: conn })],
    name: [robotServerNameProvider, () => ({ serverNumber: SERVER, name: "ax41", connection: conn })],
    rdns: [
      robotReverseDnsProvider,
      () => ({ ip: "203.0.113.10", ptr: "ax41.enclii.dev", serverNumber: SERVER, connection: conn }),
    ],
    vswitch: [
      robotVSwitchProvider,
      () => ({ name: "v", vlan: 4000, serverNumbers: [SERVER], connection: conn }),
    ],
  } as const;

  it.for(Object.keys(providers))(
    "%s: a resource stored by an older provider reports an update (never a replace), so the next up stores the new one",
    async (kind) => {
      const [provider, inputsOf] = providers[kind as keyof typeof providers];
      const p = provider as Required<typeof provider>;
      const news = { ...inputsOf(), providerVersion: ROBOT_PROVIDER_VERSION };
      const created = await p.create(news as never);
      const outs = created.outs as Outs;
      expect(outs.providerVersion).toBe(ROBOT_PROVIDER_VERSION);
      expect(await p.diff(created.id, outs as never, news as never)).toMatchObject({
        changes: false,
        replaces: [],
      });
      for (const old of [undefined, ROBOT_PROVIDER_VERSION - 1]) {
        const diff = await p.diff(created.id, { ...outs, providerVersion: old } as never, news as never);
        expect(diff, `stored version ${old}`).toMatchObject({ changes: true, replaces: [] });
      }
    },
  );

  it("updates a firewall whose only change is the provider version without a POST", async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn, providerVersion: 1 });
    const posts = robot.requests.filter((r) => r.method === "POST").length;
    const news = {
      serverNumber: SERVER,
      firewall,
      connection: conn,
      providerVersion: ROBOT_PROVIDER_VERSION,
    };
    const updated = await p.update(created.id, created.outs as never, news);
    expect(robot.requests.filter((r) => r.method === "POST")).toHaveLength(posts);
    expect(updated.outs).toMatchObject({ providerVersion: ROBOT_PROVIDER_VERSION });
  });

  // The text of robot-provider.ts without its version line, at the version it was recorded for.
  // A change to the file without a bump fails here: bump ROBOT_PROVIDER_VERSION, then record
  // the new fingerprint under the new version.
  const FINGERPRINTS: Record<number, string> = {
    2: "fb86245fd4ed796425d307469054fecab2190080aebda9b71f381589426f806b",
    3: "f7cb5c52c57ac94313821a383befddb55104be6b1aef13bff5b28278379250c1",
  };
  it("bumps ROBOT_PROVIDER_VERSION whenever robot-provider.ts changes", () => {
    const text = readFileSync(
      join(__dirname, "..", "..", "components", "hetzner", "robot-provider.ts"),
      "utf8",
    );
    const body = text.replace(/^export const ROBOT_PROVIDER_VERSION = \d+;$/m, "");
    const fingerprint = createHash("sha256").update(body).digest("hex");
    expect(
      FINGERPRINTS[ROBOT_PROVIDER_VERSION],
      `robot-provider.ts changed (sha256 ${fingerprint}): bump ROBOT_PROVIDER_VERSION and record the fingerprint`,
    ).toBe(fingerprint);
  });
});

describe("form encoding", () => {
  it("encodes nested rules and arrays the way the webservice reads them", () => {
    const body = encodeForm({
      status: "active",
      rules: { input: [{ name: "a", dst_port: "22" }] },
      server: [1, 2],
    });
    expect(decodeURIComponent(body)).toBe(
      "status=active&rules[input][0][name]=a&rules[input][0][dst_port]=22&server[]=1&server[]=2",
    );
    expect(parseForm(body)).toEqual({
      status: "active",
      rules: { input: [{ name: "a", dst_port: "22" }] },
      server: ["1", "2"],
    });
  });
});

describe("serialized like the engine does", () => {
  it("reports a webservice error from the serialized provider with its message (the engine sends e.message)", async () => {
    const { file, dir } = serializeProvider("components/hetzner/robot-provider.ts", "robotFirewallProvider");
    const inputs = { serverNumber: SERVER, firewall, connection: { ...conn, password: "wrong" } };
    await expect(runSerialized(file, dir, [{ method: "create", args: [inputs] }])).rejects.toThrow(
      "Robot webservice rejected the credentials (401 UNAUTHORIZED)",
    );
  });

  it("runs create, update and delete from the serialized provider text in a fresh Node process", async () => {
    const { file, text, dir } = serializeProvider(
      "components/hetzner/robot-provider.ts",
      "robotFirewallProvider",
    );
    expect(text).toContain("exports.handler");
    expect(text).not.toMatch(/require\("\.\.?\//); // only npm and Node imports are captured
    const inputs = { serverNumber: SERVER, firewall, connection: conn };
    const disabled = { ...inputs, firewall: { ...firewall, status: "disabled" }, onDelete: "disable" };
    const [created] = (await runSerialized(file, dir, [
      { method: "create", args: [inputs] },
      { method: "update", args: ["firewall-2345678", inputs, disabled] },
      { method: "delete", args: ["firewall-2345678", disabled] },
    ])) as { id: string }[];
    expect(created?.id).toBe("firewall-2345678");
    expect(robot.requests.filter((r) => r.method === "POST")).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 60));
    expect(robot.firewalls.get(SERVER)?.status).toBe("disabled");
  });
});
