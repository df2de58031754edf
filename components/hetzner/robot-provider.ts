/**
 * Pulumi dynamic providers for the Hetzner Robot webservice: a dedicated server's firewall, its
 * name, the reverse DNS of an address, and vSwitches.
 *
 * This module is serialized into the Pulumi state by `pulumi.runtime.serializeFunction`, so it
 * imports nothing of the project's own and only uses Node's built-in `fetch`.
 *
 * The protocol (robot-ws.your-server.de): HTTP Basic auth with the webservice user, request
 * bodies `application/x-www-form-urlencoded`, JSON answers, errors as
 * `{"error": {"status", "code", "message"}}`. A firewall change takes 20-30 s during which the
 * firewall reads `in process` and further POSTs answer 409; rate limiting answers 403
 * `RATE_LIMIT_EXCEEDED` with `max_request` and `interval` (seconds; Robot's limits are per hour),
 * robot.hetzner.com/doc/webservice/en.html "Errors > Request limit".
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * The version of this file's providers, an input of every Robot resource (robot-resources.ts).
 * **Bump it whenever this file changes.** The engine runs `read` and `delete` with the provider
 * serialized at the resource's last create or update (@pulumi/pulumi 3.248
 * `cmd/dynamic-provider/index.ts`: `getProvider(props)` deserializes `props.__provider`, the
 * stored one, for read and delete; REFERENCE.md "Dynamic providers"), so a fix reaches a
 * resource whose inputs are unchanged only when something makes its diff report a change.
 * Every `diff` below reports a changed version as an update (never a replace), and the update
 * stores the new provider. tests/integration/robot-provider.test.ts fails when the file's
 * fingerprint changes without a bump.
 */
export const ROBOT_PROVIDER_VERSION = 3;

/** True when the stored resource was last written by another version of these providers. */
function providerVersionChanged(olds: { providerVersion?: unknown }, news: { providerVersion?: unknown }) {
  return olds.providerVersion !== news.providerVersion;
}

/** Where and as whom to call the webservice. */
export interface RobotConnection {
  /** @default "https://robot-ws.your-server.de" */
  readonly endpoint?: string;
  readonly user: string;
  readonly password: string;
  /** Retry timing; the defaults suit the real webservice, tests shorten them. */
  readonly timing?: RobotTiming;
}

/** Bounded retry timing. */
export interface RobotTiming {
  /** First back-off delay in ms, doubled per attempt. @default 2000 */
  readonly baseDelayMs?: number;
  /** Longest single delay in ms. @default 30000 */
  readonly maxDelayMs?: number;
  /** Attempts for one request (409, rate limit, network errors). @default 8 */
  readonly maxAttempts?: number;
  /** How long to wait for a firewall to leave `in process`, in ms. @default 300000 */
  readonly settleTimeoutMs?: number;
  /** Poll interval while waiting, in ms. @default 5000 */
  readonly pollIntervalMs?: number;
  /**
   * The longest rate-limit window (the answer's `interval`) worth waiting out, in ms; a longer
   * one (Robot's are hourly) fails at once with the time to retry. @default 60000
   */
  readonly rateLimitMaxWaitMs?: number;
}

/** An error answer of the webservice: an `Error` with the HTTP status and Robot's code. */
export type RobotError = Error & { readonly status: number; readonly code: string };

/**
 * Makes a {@link RobotError}. Not a subclass of Error: serializeFunction turns a class into a
 * function calling `Error.call(this, message)`, which sets no message, so the engine (which
 * reports `e.message`) would show an empty error.
 */
export function robotError(message: string, status: number, code: string): RobotError {
  return Object.assign(new Error(message), { name: "RobotError", status, code });
}

function robotErrorOf(e: unknown): Partial<RobotError> {
  return e instanceof Error ? (e as Partial<RobotError>) : {};
}

type Json = Record<string, unknown>;

const DEFAULT_ENDPOINT = "https://robot-ws.your-server.de";

function timingOf(conn: RobotConnection): Required<RobotTiming> {
  const t = conn.timing ?? {};
  return {
    baseDelayMs: t.baseDelayMs ?? 2000,
    maxDelayMs: t.maxDelayMs ?? 30_000,
    maxAttempts: t.maxAttempts ?? 8,
    settleTimeoutMs: t.settleTimeoutMs ?? 300_000,
    pollIntervalMs: t.pollIntervalMs ?? 5000,
    rateLimitMaxWaitMs: t.rateLimitMaxWaitMs ?? 60_000,
  };
}

/** "45 s", "12 min", "1 h". */
function humanDuration(seconds: number): string {
  if (seconds < 120) return `${Math.ceil(seconds)} s`;
  if (seconds < 7200) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.ceil(seconds / 3600)} h`;
}

/**
 * The error for a RATE_LIMIT_EXCEEDED answer: how many requests per interval Robot allows and
 * the time by which the window has passed. The body carries `max_request` and `interval`
 * (robot.hetzner.com/doc/webservice/en.html "Errors > Request limit"; community.hrobot
 * `plugins/module_utils/robot.py` format_error_msg, lines 69-86); hrobot-rs's test fixture spells
 * it `max_requests`, so both are read.
 */
function rateLimitError(what: string, error: Json, status: number, now = Date.now()): RobotError {
  const interval = Number(error.interval ?? 3600);
  const max = error.max_request ?? error.max_requests;
  const retryAt = new Date(now + interval * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const limit = max === undefined ? `a limit per ${interval} s` : `at most ${max} requests per ${interval} s`;
  return robotError(
    `Robot webservice rate limit reached for ${what} (${status} RATE_LIMIT_EXCEEDED: ${limit}); retrying now fails the same way: run pulumi up again after ${retryAt} (within ${humanDuration(interval)}), and avoid refresh loops meanwhile`,
    status,
    "RATE_LIMIT_EXCEEDED",
  );
}

/** True for the 404 codes that mean "this thing is not there (any more)". */
export function isGone(e: unknown, codes: readonly string[]): boolean {
  const { status, code } = robotErrorOf(e);
  return status === 404 && code !== undefined && codes.includes(code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Flattens nested form data the way the webservice reads it: `rules[input][0][name]=...`. */
export function encodeForm(data: Json): string {
  const params = new URLSearchParams();
  const add = (prefix: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        add(typeof v === "object" && v !== null ? `${prefix}[${i}]` : `${prefix}[]`, v);
      });
    } else if (typeof value === "object") {
      for (const [k, v] of Object.entries(value as Json)) add(prefix ? `${prefix}[${k}]` : k, v);
    } else {
      params.append(prefix, String(value));
    }
  };
  add("", data);
  return params.toString();
}

/**
 * One webservice call with bounded retries: 409 (a firewall change in process) and
 * RATE_LIMIT_EXCEEDED back off and retry; 401 and 404 fail at once with a message that names
 * `what` (e.g. "server 2345678").
 */
export async function robotRequest(
  conn: RobotConnection,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  what: string,
  form?: Json,
): Promise<Json> {
  const timing = timingOf(conn);
  const url = `${(conn.endpoint ?? DEFAULT_ENDPOINT).replace(/\/$/, "")}${path}`;
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${conn.user}:${conn.password}`).toString("base64")}`,
    accept: "application/json",
  };
  let body: string | undefined;
  if (form !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = encodeForm(form);
  }
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= timing.maxAttempts; attempt++) {
    const backoff = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** (attempt - 1));
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (e) {
      lastError = new Error(
        `Robot webservice unreachable (${method} ${path}) for ${what}: ${(e as Error).message}`,
      );
      await sleep(backoff);
      continue;
    }
    const text = await response.text();
    let parsed: Json = {};
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      parsed = {};
    }
    if (response.ok) return parsed;
    const error = (parsed.error ?? {}) as Json;
    const code = String(error.code ?? `HTTP_${response.status}`);
    const message = String(error.message ?? text.slice(0, 200));
    if (response.status === 401 || code === "UNAUTHORIZED") {
      throw robotError(
        `Robot webservice rejected the credentials (401 ${code}) for ${what}: set enclii-infra:robotUser and robotPassword to a webservice user (Robot > Settings > Webservice and app settings)`,
        401,
        code,
      );
    }
    if (response.status === 404) {
      throw robotError(
        `Robot webservice: ${what} not found (404 ${code}: ${message}); check the server number and that this webservice user owns it`,
        404,
        code,
      );
    }
    if (code === "RATE_LIMIT_EXCEEDED") {
      // Robot's windows are an hour: waiting one out would hang `pulumi up` for that long, and
      // short retries only burn the next window's budget. Only a short window is waited out.
      const windowMs = Number(error.interval ?? 3600) * 1000;
      const limited = rateLimitError(what, error, response.status);
      if (windowMs > timing.rateLimitMaxWaitMs || attempt === timing.maxAttempts) throw limited;
      lastError = limited;
      await sleep(windowMs);
      continue;
    }
    if (response.status === 409) {
      lastError = robotError(`Robot webservice: ${what} is busy (409 ${code}: ${message})`, 409, code);
      await sleep(backoff);
      continue;
    }
    // INVALID_INPUT names the offending parameters (robot.hetzner.com/doc/webservice/en.html
    // "Errors"; community.hrobot module_utils/robot.py format_error_msg, lines 76-79).
    const fields = (key: string) =>
      Array.isArray(error[key]) && (error[key] as unknown[]).length > 0
        ? `; ${key}: ${(error[key] as unknown[]).join(", ")}`
        : "";
    throw robotError(
      `Robot webservice ${method} ${path} failed for ${what}: ${response.status} ${code}: ${message}${fields("invalid")}${fields("missing")}`,
      response.status,
      code,
    );
  }
  throw new Error(
    `${lastError?.message ?? "Robot webservice request failed"} (gave up after ${timing.maxAttempts} attempts)`,
  );
}

// ---------------------------------------------------------------- firewall

/** The 8 hextets of an IPv6 address (an IPv4 tail allowed), or undefined when it is not one. */
function ipv6Hextets(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const o = v4.slice(1).map(Number);
    if (o.some((n) => n > 255)) return undefined;
    text = `${text.slice(0, v4.index)}${((o[0] as number) * 256 + (o[1] as number)).toString(16)}:${((o[2] as number) * 256 + (o[3] as number)).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const part = (h: string | undefined) => (h ? h.split(":") : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < (halves.length === 2 ? 1 : 0)) return undefined;
  const all = [...head, ...Array<string>(fill).fill("0"), ...tail];
  if (all.length !== 8 || all.some((h) => !/^[0-9a-f]{1,4}$/.test(h))) return undefined;
  return all.map((h) => Number.parseInt(h, 16));
}

/** RFC 5952 text of 8 hextets: lowercase, no leading zeros, the longest zero run (2+) as `::`. */
function compressIpv6(hextets: number[]): string {
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = hextets.map((h) => h.toString(16));
  if (best.at < 0) return text.join(":");
  return `${text.slice(0, best.at).join(":")}::${text.slice(best.at + best.length).join(":")}`;
}

/**
 * An address or CIDR as Robot compares it: a bare address is a /32 (IPv4) or /128 (IPv6), and
 * IPv6 is compressed and lowercase (community.hrobot plugins/modules/firewall.py `normalize_ip`,
 * lines 501-512, applied to the wanted and the current rules alike in `update_rules`, lines
 * 515-529). Anything else is returned unchanged. Self-contained: this module is serialized.
 */
export function normalizeRobotIp(ip: string): string {
  const [address = "", prefix, extra] = ip.trim().split("/");
  if (extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return ip;
  if (address.includes(":")) {
    const hextets = ipv6Hextets(address);
    return hextets ? `${compressIpv6(hextets)}/${prefix === undefined ? "128" : String(Number(prefix))}` : ip;
  }
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return ip;
  return `${address}/${prefix === undefined ? "32" : String(Number(prefix))}`;
}

/** A Robot firewall rule with unset fields removed and addresses normalized, for comparison. */
function normalizeRule(rule: Json): Json {
  return Object.fromEntries(
    Object.entries(rule)
      .filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => [k, k === "src_ip" || k === "dst_ip" ? normalizeRobotIp(String(v)) : String(v)])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The parts of a firewall the provider manages, normalized. */
export function normalizeFirewall(fw: Json): Json {
  const rules = (fw.rules ?? {}) as { input?: Json[]; output?: Json[] };
  return {
    status: fw.status === "in process" ? "in process" : String(fw.status ?? "disabled"),
    filter_ipv6: Boolean(fw.filter_ipv6),
    whitelist_hos: Boolean(fw.whitelist_hos),
    port: String(fw.port ?? "main"),
    rules: { input: (rules.input ?? []).map(normalizeRule), output: (rules.output ?? []).map(normalizeRule) },
  };
}

async function getFirewall(conn: RobotConnection, serverNumber: number): Promise<Json> {
  const answer = await robotRequest(conn, "GET", `/firewall/${serverNumber}`, `server ${serverNumber}`);
  return (answer.firewall ?? {}) as Json;
}

/** Polls until the firewall is no longer `in process`; fails with a clear message after the timeout. */
async function settleFirewall(conn: RobotConnection, serverNumber: number): Promise<Json> {
  const timing = timingOf(conn);
  const deadline = Date.now() + timing.settleTimeoutMs;
  for (;;) {
    const fw = await getFirewall(conn, serverNumber);
    if (fw.status !== "in process") return fw;
    if (Date.now() >= deadline) {
      throw new Error(
        `Robot firewall of server ${serverNumber} is still "in process" after ${Math.round(timing.settleTimeoutMs / 1000)} s; run pulumi up again once the Robot panel shows it active`,
      );
    }
    await sleep(timing.pollIntervalMs);
  }
}

async function applyFirewall(conn: RobotConnection, serverNumber: number, firewall: Json): Promise<Json> {
  await settleFirewall(conn, serverNumber);
  await robotRequest(conn, "POST", `/firewall/${serverNumber}`, `server ${serverNumber}`, {
    status: firewall.status,
    filter_ipv6: String(firewall.filter_ipv6),
    whitelist_hos: String(firewall.whitelist_hos),
    port: firewall.port,
    rules: firewall.rules,
  });
  return settleFirewall(conn, serverNumber);
}

/** Inputs of a Robot firewall resource. */
export interface RobotFirewallInputs {
  readonly serverNumber: number;
  /** A `RobotFirewallSpec` (see firewall-rules.ts). */
  readonly firewall: Json;
  readonly connection: RobotConnection;
  /**
   * What deleting the resource does to the live firewall: `retain` leaves it active with its
   * rules (the server stays filtered); `disable` turns it off (the server is then unfiltered).
   * @default "retain"
   */
  readonly onDelete?: "retain" | "disable";
  /** {@link ROBOT_PROVIDER_VERSION} when the resource was last written. */
  readonly providerVersion?: number;
}

/** 404 codes of GET /firewall/{n} meaning the firewall is not there: the server is gone or has none. */
const FIREWALL_GONE = ["SERVER_NOT_FOUND", "FIREWALL_NOT_AVAILABLE", "FIREWALL_PORT_NOT_FOUND"];

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The firewall of one dedicated server. Deleting the resource retains the live firewall as it
 * is (active, same rules) and says so, unless `onDelete: "disable"`: disabling would leave the
 * server unfiltered, and an empty active rule set would discard everything, SSH included.
 */
export const robotFirewallProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: RobotFirewallInputs) {
    const applied = await applyFirewall(inputs.connection, inputs.serverNumber, inputs.firewall);
    return {
      id: `firewall-${inputs.serverNumber}`,
      outs: { ...inputs, serverIp: applied.server_ip ?? null, state: normalizeFirewall(applied) },
    };
  },
  async read(id: string, props: RobotFirewallInputs & Json) {
    let current: Json;
    try {
      current = await getFirewall(props.connection, props.serverNumber);
    } catch (e) {
      // A blank id tells the engine the resource is gone (pulumi dynamic ReadResult.id).
      if (isGone(e, FIREWALL_GONE)) return { id: "", props: {} };
      throw e;
    }
    return {
      id,
      props: { ...props, serverIp: current.server_ip ?? null, state: normalizeFirewall(current) },
    };
  },
  async diff(_id: string, olds: RobotFirewallInputs & { state?: Json }, news: RobotFirewallInputs) {
    const replaces = olds.serverNumber === news.serverNumber ? [] : ["serverNumber"];
    const wanted = normalizeFirewall(news.firewall);
    // The stored state may come from an older normalization: normalize it again.
    const drifted = olds.state !== undefined && !sameJson(normalizeFirewall(olds.state), wanted);
    const changed = !sameJson(normalizeFirewall(olds.firewall), wanted) || drifted;
    const connectionChanged = !sameJson(olds.connection, news.connection);
    // delete runs with the stored inputs, so a new onDelete must be stored by an update first.
    const onDeleteChanged = (olds.onDelete ?? "retain") !== (news.onDelete ?? "retain");
    return {
      changes:
        replaces.length > 0 ||
        changed ||
        connectionChanged ||
        onDeleteChanged ||
        providerVersionChanged(olds, news),
      replaces,
      deleteBeforeReplace: false,
    };
  },
  async update(_id: string, olds: RobotFirewallInputs & { state?: Json }, news: RobotFirewallInputs) {
    const wanted = normalizeFirewall(news.firewall);
    if (
      olds.serverNumber === news.serverNumber &&
      olds.state !== undefined &&
      sameJson(normalizeFirewall(olds.state), wanted) &&
      sameJson(normalizeFirewall(olds.firewall), wanted)
    ) {
      // Only the provider version (or the connection, or onDelete) changed: store the new
      // provider without a POST, which would put the firewall `in process` for 20-30 s.
      const current = await settleFirewall(news.connection, news.serverNumber);
      return { outs: { ...news, serverIp: current.server_ip ?? null, state: normalizeFirewall(current) } };
    }
    const applied = await applyFirewall(news.connection, news.serverNumber, news.firewall);
    return { outs: { ...news, serverIp: applied.server_ip ?? null, state: normalizeFirewall(applied) } };
  },
  async delete(_id: string, props: RobotFirewallInputs) {
    if (props.onDelete === "disable") {
      await applyFirewall(props.connection, props.serverNumber, { ...props.firewall, status: "disabled" });
      console.error(
        `Robot firewall of server ${props.serverNumber} disabled (onDelete: "disable"): the server is now unfiltered`,
      );
      return;
    }
    // Plugin stderr reaches the CLI's output as a diagnostic of this resource.
    console.error(
      `Robot firewall of server ${props.serverNumber} retained: it stays active with its rules in Robot; disable or change it in the Robot panel (Server > Firewall) if the server leaves the cluster (docs/nodes.md)`,
    );
  },
};

// ---------------------------------------------------------------- server name

/** Inputs of a Robot server-name resource. */
export interface RobotServerNameInputs {
  readonly serverNumber: number;
  readonly name: string;
  readonly connection: RobotConnection;
  /** {@link ROBOT_PROVIDER_VERSION} when the resource was last written. */
  readonly providerVersion?: number;
}

async function setServerName(inputs: RobotServerNameInputs): Promise<Json> {
  const answer = await robotRequest(
    inputs.connection,
    "POST",
    `/server/${inputs.serverNumber}`,
    `server ${inputs.serverNumber}`,
    {
      server_name: inputs.name,
    },
  );
  return (answer.server ?? {}) as Json;
}

/**
 * The server's IPv6 prefix from a Robot server object: `server_ipv6_net` (Robot webservice
 * "GET /server/{server-number}", e.g. `"2a01:4f8:111:4221::"`, the server's /64).
 */
function ipv6NetOf(server: Json): string | null {
  const net = server.server_ipv6_net;
  if (typeof net !== "string" || net === "") return null;
  return net.includes("/") ? net : `${net}/64`;
}

/** The name of a dedicated server in Robot. Deleting leaves the name as it is (a server always has one). */
export const robotServerNameProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: RobotServerNameInputs) {
    const server = await setServerName(inputs);
    return {
      id: `server-${inputs.serverNumber}`,
      outs: { ...inputs, serverIp: server.server_ip ?? null, serverIpv6Net: ipv6NetOf(server) },
    };
  },
  async read(id: string, props: RobotServerNameInputs & Json) {
    const answer = await robotRequest(
      props.connection,
      "GET",
      `/server/${props.serverNumber}`,
      `server ${props.serverNumber}`,
    );
    const server = (answer.server ?? {}) as Json;
    return {
      id,
      props: {
        ...props,
        name: String(server.server_name ?? ""),
        serverIp: server.server_ip ?? null,
        serverIpv6Net: ipv6NetOf(server),
      },
    };
  },
  async diff(_id: string, olds: RobotServerNameInputs, news: RobotServerNameInputs) {
    const replaces = olds.serverNumber === news.serverNumber ? [] : ["serverNumber"];
    return {
      changes:
        replaces.length > 0 ||
        olds.name !== news.name ||
        !sameJson(olds.connection, news.connection) ||
        providerVersionChanged(olds, news),
      replaces,
    };
  },
  async update(_id: string, _olds: RobotServerNameInputs, news: RobotServerNameInputs) {
    const server = await setServerName(news);
    return { outs: { ...news, serverIp: server.server_ip ?? null, serverIpv6Net: ipv6NetOf(server) } };
  },
  async delete() {
    // Nothing to undo: Robot has no "no name" state.
  },
};

// ---------------------------------------------------------------- reverse DNS

/** Inputs of a reverse DNS resource. */
export interface RobotReverseDnsInputs {
  readonly ip: string;
  readonly ptr: string;
  /** For messages only. */
  readonly serverNumber: number;
  readonly connection: RobotConnection;
  /** {@link ROBOT_PROVIDER_VERSION} when the resource was last written. */
  readonly providerVersion?: number;
}

const rdnsWhat = (i: RobotReverseDnsInputs) => `reverse DNS of ${i.ip} (server ${i.serverNumber})`;

/** The PTR record of one address. Deleting removes the entry (404 counts as already gone). */
export const robotReverseDnsProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: RobotReverseDnsInputs) {
    await robotRequest(inputs.connection, "POST", `/rdns/${inputs.ip}`, rdnsWhat(inputs), {
      ptr: inputs.ptr,
    });
    return { id: `rdns-${inputs.ip}`, outs: { ...inputs } };
  },
  async read(id: string, props: RobotReverseDnsInputs & Json) {
    let answer: Json;
    try {
      answer = await robotRequest(props.connection, "GET", `/rdns/${props.ip}`, rdnsWhat(props));
    } catch (e) {
      // No PTR: 404 RDNS_NOT_FOUND; address not the account's: 404 IP_NOT_FOUND (community.hrobot
      // plugins/modules/reverse_dns.py lines 110-117). A blank id reports the resource gone.
      if (isGone(e, ["RDNS_NOT_FOUND", "IP_NOT_FOUND"])) return { id: "", props: {} };
      throw e;
    }
    return { id, props: { ...props, ptr: String(((answer.rdns ?? {}) as Json).ptr ?? "") } };
  },
  async diff(_id: string, olds: RobotReverseDnsInputs, news: RobotReverseDnsInputs) {
    const replaces = olds.ip === news.ip ? [] : ["ip"];
    return {
      changes:
        replaces.length > 0 ||
        olds.ptr !== news.ptr ||
        !sameJson(olds.connection, news.connection) ||
        providerVersionChanged(olds, news),
      replaces,
    };
  },
  async update(_id: string, _olds: RobotReverseDnsInputs, news: RobotReverseDnsInputs) {
    await robotRequest(news.connection, "POST", `/rdns/${news.ip}`, rdnsWhat(news), { ptr: news.ptr });
    return { outs: { ...news } };
  },
  async delete(_id: string, props: RobotReverseDnsInputs) {
    try {
      await robotRequest(props.connection, "DELETE", `/rdns/${props.ip}`, rdnsWhat(props));
    } catch (e) {
      if (robotErrorOf(e).status !== 404) throw e;
    }
  },
};

// ---------------------------------------------------------------- vSwitch

/** Inputs of a vSwitch resource. */
export interface RobotVSwitchInputs {
  readonly name: string;
  readonly vlan: number;
  readonly serverNumbers: number[];
  readonly connection: RobotConnection;
  /** {@link ROBOT_PROVIDER_VERSION} when the resource was last written. */
  readonly providerVersion?: number;
}

function vswitchOf(answer: Json): Json {
  return (answer.vswitch ?? answer) as Json;
}

async function attachServers(conn: RobotConnection, id: string, servers: number[]): Promise<void> {
  if (servers.length === 0) return;
  await robotRequest(conn, "POST", `/vswitch/${id}/server`, `vSwitch ${id}`, { server: servers });
}

/**
 * Polls `GET /vswitch/{id}` until every attached server's `status` is `ready`: Robot answers the
 * attach at once and configures the servers' switch ports afterwards (`in process`), and
 * nothing may use the VLAN before (community.hrobot plugins/modules/v_switch.py
 * `is_all_servers_ready`, lines 342-343, waited on after every attach and detach, lines 381-383
 * and 406-407; status choices `ready`, `in process`, `failed`, lines 167-176). Bounded by
 * `settleTimeoutMs`; a `failed` server fails at once (it does not turn ready by waiting).
 */
async function settleVSwitch(conn: RobotConnection, id: string): Promise<Json> {
  const timing = timingOf(conn);
  const deadline = Date.now() + timing.settleTimeoutMs;
  for (;;) {
    const vswitch = vswitchOf(await robotRequest(conn, "GET", `/vswitch/${id}`, `vSwitch ${id}`));
    const servers = (Array.isArray(vswitch.server) ? vswitch.server : []) as Json[];
    const failed = servers.filter((s) => s.status === "failed").map((s) => s.server_number);
    if (failed.length > 0) {
      throw new Error(
        `Robot vSwitch ${id}: attaching server(s) ${failed.join(", ")} failed (status "failed"); detach and attach them again in the Robot panel (Server > vSwitches), then run pulumi up again`,
      );
    }
    const pending = servers.filter((s) => s.status !== "ready").map((s) => s.server_number);
    if (pending.length === 0) return vswitch;
    if (Date.now() >= deadline) {
      throw new Error(
        `Robot vSwitch ${id}: server(s) ${pending.join(", ")} still not "ready" after ${Math.round(timing.settleTimeoutMs / 1000)} s; run pulumi up again once the Robot panel (Server > vSwitches) shows them ready`,
      );
    }
    await sleep(timing.pollIntervalMs);
  }
}

/** A Robot vSwitch (VLAN) with the dedicated servers attached; deleting cancels it at once. */
export const robotVSwitchProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: RobotVSwitchInputs) {
    const created = vswitchOf(
      await robotRequest(inputs.connection, "POST", "/vswitch", `vSwitch ${inputs.name}`, {
        name: inputs.name,
        vlan: inputs.vlan,
      }),
    );
    const id = String(created.id);
    await attachServers(inputs.connection, id, inputs.serverNumbers);
    await settleVSwitch(inputs.connection, id);
    return { id, outs: { ...inputs, vswitchId: Number(id) } };
  },
  async diff(_id: string, olds: RobotVSwitchInputs, news: RobotVSwitchInputs) {
    const replaces = olds.vlan === news.vlan ? [] : ["vlan"];
    const changed =
      olds.name !== news.name ||
      !sameJson([...olds.serverNumbers].sort(), [...news.serverNumbers].sort()) ||
      !sameJson(olds.connection, news.connection) ||
      providerVersionChanged(olds, news);
    return { changes: replaces.length > 0 || changed, replaces };
  },
  async update(id: string, olds: RobotVSwitchInputs, news: RobotVSwitchInputs) {
    if (olds.name !== news.name) {
      await robotRequest(news.connection, "POST", `/vswitch/${id}`, `vSwitch ${id}`, {
        name: news.name,
        vlan: news.vlan,
      });
    }
    const added = news.serverNumbers.filter((n) => !olds.serverNumbers.includes(n));
    const removed = olds.serverNumbers.filter((n) => !news.serverNumbers.includes(n));
    if (removed.length > 0) {
      await robotRequest(news.connection, "DELETE", `/vswitch/${id}/server`, `vSwitch ${id}`, {
        server: removed,
      });
      // Robot refuses another change while one is in process (v_switch.py lines 397-404).
      await settleVSwitch(news.connection, id);
    }
    await attachServers(news.connection, id, added);
    await settleVSwitch(news.connection, id);
    return { outs: { ...news, vswitchId: Number(id) } };
  },
  async delete(id: string, props: RobotVSwitchInputs) {
    try {
      await robotRequest(props.connection, "DELETE", `/vswitch/${id}`, `vSwitch ${id}`, {
        cancellation_date: "now",
      });
    } catch (e) {
      if (robotErrorOf(e).status !== 404) throw e;
    }
  },
};
