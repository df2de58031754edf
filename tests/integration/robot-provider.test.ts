import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderRobotFirewall } from "../../components/hetzner/firewall-rules";
import {
  encodeForm,
  normalizeFirewall,
  type RobotConnection,
  robotFirewallProvider,
  robotReverseDnsProvider,
  robotServerNameProvider,
  robotVSwitchProvider,
} from "../../components/hetzner/robot-provider";
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
    expect(posts).toEqual([409, 409, 202]);
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

  it("backs off on RATE_LIMIT_EXCEEDED and completes", async () => {
    await robot.stop();
    robot = new FakeRobot({ inProcessMs: 10, rateLimit: { max: 2, intervalMs: 100 } });
    conn = { ...conn, endpoint: await robot.start() };
    await p.create({ serverNumber: SERVER, firewall, connection: conn });
    expect(robot.requests.some((r) => r.status === 403)).toBe(true);
    expect(robot.firewalls.get(SERVER)?.status).toBe("active");
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

  it("on delete disables the firewall and keeps its rules, so nobody is locked out", async () => {
    const created = await p.create({ serverNumber: SERVER, firewall, connection: conn });
    await p.delete(created.id, created.outs as never);
    await new Promise((r) => setTimeout(r, 60));
    const fw = robot.firewalls.get(SERVER) as { status: string; rules: { input: unknown[] } };
    expect(fw.status).toBe("disabled");
    expect(fw.rules.input).toHaveLength(10);
  });
});

describe("Robot server name, reverse DNS and vSwitch providers", () => {
  it("sets, reads and renames the server", async () => {
    const sn = robotServerNameProvider as Required<typeof robotServerNameProvider>;
    const created = await sn.create({ serverNumber: SERVER, name: "ax41-fsn1-1", connection: conn });
    expect(robot.names.get(SERVER)).toBe("ax41-fsn1-1");
    expect((created.outs as Outs).serverIp).toBe("203.0.113.10");
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

  it("names the address and the server when the IP is not the account's", async () => {
    const rd = robotReverseDnsProvider as Required<typeof robotReverseDnsProvider>;
    await expect(
      rd.create({ ip: "192.0.2.1", ptr: "x.enclii.dev", serverNumber: SERVER, connection: conn }),
    ).rejects.toThrow("reverse DNS of 192.0.2.1 (server 2345678) not found");
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
  it("runs create, update and delete from the serialized provider text in a fresh Node process", async () => {
    const { file, text, dir } = serializeProvider(
      "components/hetzner/robot-provider.ts",
      "robotFirewallProvider",
    );
    expect(text).toContain("exports.handler");
    expect(text).not.toMatch(/require\("\.\.?\//); // only npm and Node imports are captured
    const inputs = { serverNumber: SERVER, firewall, connection: conn };
    const disabled = { ...inputs, firewall: { ...firewall, status: "disabled" } };
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
