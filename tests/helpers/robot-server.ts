/**
 * A local HTTP server on 127.0.0.1 modelling the Robot webservice as upstream describes it.
 * Each handler cites its source; "WS" is robot.hetzner.com/doc/webservice/en.html, "hrobot" is
 * github.com/ansible-collections/community.hrobot (main), "hrobot-rs" is
 * github.com/MathiasPius/hrobot-rs (v6.1.1).
 * - Basic auth, form-urlencoded POST bodies, JSON answers, errors as
 *   `{"error": {status, code, message}}`, 400 INVALID_INPUT with `missing`/`invalid`
 *   (WS "General", "Errors").
 * - Request limit: 403 RATE_LIMIT_EXCEEDED with `max_request` and `interval` in seconds
 *   (WS "Errors > Request limit"); Robot's limits are per hour.
 * - Firewall: a firewall is "configured" once its status is not `in process`, which hrobot waits
 *   for before reading it and after a POST (plugins/modules/firewall.py lines 552-553, 614-625,
 *   668-680); a POST replaces both rule lists, so one without output rules stores an empty
 *   output list (hrobot CHANGELOG.md v1.8.0, issue #75); the change takes 20-30 s with status
 *   `in process` (docs.hetzner.com/robot/dedicated-server/firewall) and POSTs meanwhile answer
 *   409 FIREWALL_IN_PROCESS (hrobot-rs src/error.rs); 10 rules per direction; 404
 *   SERVER_NOT_FOUND / FIREWALL_NOT_AVAILABLE (hrobot-rs src/error.rs).
 * - rDNS: GET of an address without PTR answers 404 RDNS_NOT_FOUND, of an address not the
 *   account's 404 IP_NOT_FOUND (hrobot plugins/modules/reverse_dns.py lines 110-117,
 *   tests/unit/plugins/modules/test_reverse_dns.py test_idempotent_absent).
 * - vSwitch: attaching a server answers at once and the server's `status` reads `in process`
 *   until Robot has configured its port, then `ready` (hrobot plugins/modules/v_switch.py: status
 *   choices `ready`, `in process`, `failed`, lines 167-176; the module waits for
 *   `is_all_servers_ready`, lines 342-343, after each attach, lines 381-383); a server change
 *   while one is in process answers 409 VSWITCH_IN_PROCESS (v_switch.py add_servers and
 *   delete_servers accept it, lines 361 and 397: "There is a update running").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, unknown>;

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly authorization?: string;
  readonly form: Json;
  readonly status: number;
}

/** Behaviour knobs. */
export interface RobotServerOptions {
  readonly user?: string;
  readonly password?: string;
  /** Servers by number with their main IPv4. */
  readonly servers?: Record<number, string>;
  /** How long a firewall stays `in process` after a change. @default 50 */
  readonly inProcessMs?: number;
  /** How long an attached vSwitch server stays `in process`. @default inProcessMs */
  readonly vswitchInProcessMs?: number;
  /** At most `max` requests per `interval` seconds (Robot: per hour), then RATE_LIMIT_EXCEEDED. */
  readonly rateLimit?: { max: number; interval: number };
}

/**
 * Rule names the model accepts: what both the Hetzner docs ("Only special characters are not
 * permitted", docs.hetzner.com/robot/dedicated-server/firewall "Firewall rules > Parameter") as
 * read by hrobot (plugins/modules/firewall.py lines 94-98: letters, space, `. - + _ @`) and
 * REFERENCE.md (letters, digits, spaces, `-`, `_`) allow. Stricter than either on purpose: a
 * name the real service might refuse fails here first.
 */
export const ROBOT_NAME_CHARACTERS = /^[A-Za-z _-]+$/;

/** Parses `a[b][0][c]=v&s[]=1` into nested objects and arrays. */
export function parseForm(body: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (last) {
        if (part === "") (node as unknown as unknown[]).push(value);
        else node[part] = value;
        return;
      }
      const nextIsArray = parts[i + 1] === "" || /^\d+$/.test(parts[i + 1] ?? "");
      node[part] ??= nextIsArray ? [] : {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return root;
}

function emptyFirewall(ip: string, n: number): Json {
  return {
    server_ip: ip,
    server_number: n,
    status: "disabled",
    filter_ipv6: false,
    whitelist_hos: true,
    port: "main",
    rules: { input: [], output: [] },
  };
}

const RULE_FIELDS = [
  "ip_version",
  "name",
  "dst_ip",
  "src_ip",
  "dst_port",
  "src_port",
  "protocol",
  "tcp_flags",
  "action",
];

/** The fake webservice. */
export class FakeRobot {
  readonly requests: RecordedRequest[] = [];
  readonly firewalls = new Map<number, Json>();
  readonly names = new Map<number, string>();
  readonly rdns = new Map<string, string>();
  readonly vswitches = new Map<number, Json>();
  private server?: Server;
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private window: number[] = [];
  private nextVswitch = 40_000;
  /** Servers whose product has no firewall: GET/POST answer 404 FIREWALL_NOT_AVAILABLE. */
  readonly withoutFirewall = new Set<number>();
  /** When set, the next N firewall GETs still answer `in process` (simulates a slow apply). */
  stuckInProcess = 0;
  /** When set, the next N firewall POSTs answer 409 FIREWALL_IN_PROCESS (a change raced ours). */
  busyPosts = 0;
  /** Servers whose vSwitch attach ends `failed` instead of `ready`. */
  readonly vswitchFails = new Set<number>();

  constructor(readonly options: RobotServerOptions = {}) {
    for (const [n, ip] of Object.entries(options.servers ?? { 2345678: "203.0.113.10" })) {
      this.firewalls.set(Number(n), emptyFirewall(ip, Number(n)));
      this.names.set(Number(n), `EX#${n}`);
    }
  }

  /** Base URL once started. */
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const t of this.settleTimers) clearTimeout(t);
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private send(
    res: ServerResponse,
    status: number,
    body: Json,
    record: Omit<RecordedRequest, "status">,
  ): void {
    this.requests.push({ ...record, status });
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private error(status: number, code: string, message: string, extra: Json = {}): [number, Json] {
    return [status, { error: { status, code, message, ...extra } }];
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    const form = body ? parseForm(body) : {};
    const record = {
      method,
      path,
      contentType: req.headers["content-type"],
      authorization: req.headers.authorization,
      form,
    };
    const [status, answer] = this.route(req, method, path, form);
    this.send(res, status, answer, record);
  }

  /** Removes a server (cancelled): its firewall, name and addresses answer 404 from now on. */
  removeServer(n: number): void {
    this.firewalls.delete(n);
    this.names.delete(n);
  }

  private route(req: IncomingMessage, method: string, path: string, form: Json): [number, Json] {
    // WS "Errors > Authentication error": 401 Unauthorized.
    const expected = `Basic ${Buffer.from(`${this.options.user ?? "robot"}:${this.options.password ?? "secret"}`).toString("base64")}`;
    if (req.headers.authorization !== expected) return this.error(401, "UNAUTHORIZED", "Unauthorized");
    if (this.options.rateLimit) {
      // WS "Errors > Request limit": 403, code RATE_LIMIT_EXCEEDED, max_request, interval (s);
      // community.hrobot f9b5803e plugins/module_utils/robot.py reads the same fields
      // (format_error_msg, lines 69-86) and retries RATE_LIMIT_EXCEEDED every 5 s, or every
      // `interval` s when that is shorter (_handle_rate_limit, lines 194-225).
      const { max, interval } = this.options.rateLimit;
      const now = Date.now();
      this.window = this.window.filter((t) => now - t < interval * 1000);
      if (this.window.length >= max) {
        return this.error(403, "RATE_LIMIT_EXCEEDED", "rate limit exceeded", { max_request: max, interval });
      }
      this.window.push(now);
    }
    const segments = path.split("/").filter(Boolean);
    const [resource, id, sub] = segments;
    if (resource === "firewall" && id) return this.firewall(method, Number(id), form);
    if (resource === "server" && id) return this.serverName(method, Number(id), form);
    if (resource === "rdns" && id) return this.reverseDns(method, id, form);
    if (resource === "vswitch") return this.vswitch(method, id, sub, form);
    return this.error(404, "NOT_FOUND", "Not found");
  }

  private firewall(method: string, n: number, form: Json): [number, Json] {
    const fw = this.firewalls.get(n);
    // hrobot-rs src/error.rs: 404 SERVER_NOT_FOUND, 404 FIREWALL_NOT_AVAILABLE.
    if (!fw) return this.error(404, "SERVER_NOT_FOUND", "Server not found");
    if (this.withoutFirewall.has(n))
      return this.error(404, "FIREWALL_NOT_AVAILABLE", "Firewall not available for this server");
    if (method === "GET") {
      if (this.stuckInProcess > 0) {
        this.stuckInProcess--;
        return [200, { firewall: { ...fw, status: "in process" } }];
      }
      return [200, { firewall: fw }];
    }
    if (method !== "POST") return this.error(405, "METHOD_NOT_ALLOWED", "Method not allowed");
    // docs.hetzner.com firewall: a change takes 20-30 s; hrobot-rs src/error.rs: 409 FIREWALL_IN_PROCESS.
    if (fw.status === "in process" || this.busyPosts > 0) {
      this.busyPosts = Math.max(0, this.busyPosts - 1);
      return this.error(
        409,
        "FIREWALL_IN_PROCESS",
        "The firewall cannot be updated because it is in process",
      );
    }
    const rules = (form.rules ?? {}) as { input?: Json[]; output?: Json[] };
    const invalid: string[] = [];
    for (const direction of ["input", "output"] as const) {
      // docs.hetzner.com firewall: "a maximum of 10 rules per direction".
      if ((rules[direction] ?? []).length > 10) {
        return this.error(409, "FIREWALL_RULE_LIMIT_EXCEEDED", `Maximum of 10 ${direction} rules exceeded`);
      }
      (rules[direction] ?? []).forEach((rule, i) => {
        const field = (f: string) => `rules[${direction}][${i}][${f}]`;
        if (typeof rule.name === "string" && !ROBOT_NAME_CHARACTERS.test(rule.name))
          invalid.push(field("name"));
        // hrobot firewall.py line 575 (required_by) and lines 100-104: without ip_version a
        // rule may not name a protocol or an address.
        if (!rule.ip_version) {
          for (const f of ["protocol", "src_ip", "dst_ip"]) if (rule[f]) invalid.push(field(f));
        }
        if (rule.action !== "accept" && rule.action !== "discard") invalid.push(field("action"));
      });
    }
    // WS "Errors": 400 INVALID_INPUT lists the invalid parameters.
    if (invalid.length > 0)
      return this.error(400, "INVALID_INPUT", "invalid input", { missing: null, invalid });
    const normalize = (list: Json[] = []) =>
      list.map((r) => Object.fromEntries(RULE_FIELDS.map((f) => [f, r[f] ?? null])));
    const target = {
      ...fw,
      status: String(form.status ?? fw.status),
      filter_ipv6: form.filter_ipv6 === "true",
      whitelist_hos: form.whitelist_hos === "true",
      port: String(form.port ?? "main"),
      rules: { input: normalize(rules.input), output: normalize(rules.output) },
    };
    this.firewalls.set(n, { ...target, status: "in process" });
    const timer = setTimeout(() => {
      this.firewalls.set(n, target);
      this.settleTimers.delete(timer);
    }, this.options.inProcessMs ?? 50);
    this.settleTimers.add(timer);
    // hrobot tests/unit/plugins/modules/test_firewall.py: POST answers 200 with the firewall.
    return [200, { firewall: { ...target, status: "in process" } }];
  }

  private serverName(method: string, n: number, form: Json): [number, Json] {
    if (!this.names.has(n)) return this.error(404, "SERVER_NOT_FOUND", "Server not found");
    if (method === "POST") {
      if (typeof form.server_name !== "string")
        return this.error(400, "INVALID_INPUT", "Invalid input", { invalid: ["server_name"] });
      this.names.set(n, form.server_name);
    }
    const ip = String(this.firewalls.get(n)?.server_ip);
    // Robot webservice "GET /server/{server-number}": server_ip, server_ipv6_net (the /64, no
    // prefix length), server_number, server_name, ...
    const ipv6Net = `2a01:4f8:111:${(n % 0xffff).toString(16)}::`;
    return [
      200,
      {
        server: { server_ip: ip, server_ipv6_net: ipv6Net, server_number: n, server_name: this.names.get(n) },
      },
    ];
  }

  private reverseDns(method: string, ip: string, form: Json): [number, Json] {
    // hrobot reverse_dns.py lines 110-117: IP_NOT_FOUND (not the account's), RDNS_NOT_FOUND (no PTR).
    const owned = [...this.firewalls.values()].some((fw) => fw.server_ip === ip);
    if (!owned) return this.error(404, "IP_NOT_FOUND", "IP not found");
    if (method === "POST" || method === "PUT") {
      this.rdns.set(ip, String(form.ptr));
      return [201, { rdns: { ip, ptr: form.ptr } }];
    }
    if (method === "DELETE") {
      if (!this.rdns.delete(ip)) return this.error(404, "RDNS_NOT_FOUND", "rDNS entry not found");
      return [200, {}];
    }
    // hrobot test_reverse_dns.py test_idempotent_absent: GET 404 RDNS_NOT_FOUND.
    if (!this.rdns.has(ip))
      return this.error(404, "RDNS_NOT_FOUND", `The IP address ${ip} has no reverse DNS entry yet`);
    return [200, { rdns: { ip, ptr: this.rdns.get(ip) } }];
  }

  private vswitch(
    method: string,
    id: string | undefined,
    sub: string | undefined,
    form: Json,
  ): [number, Json] {
    if (!id && method === "POST") {
      const vs = {
        id: this.nextVswitch++,
        name: form.name,
        vlan: Number(form.vlan),
        cancelled: false,
        server: [] as Json[],
      };
      this.vswitches.set(Number(vs.id), vs);
      return [201, vs];
    }
    const vs = this.vswitches.get(Number(id));
    if (!vs) return this.error(404, "NOT_FOUND", "vSwitch not found");
    if (sub === "server") {
      const servers = ((form.server ?? []) as string[]).map(Number);
      const current = vs.server as Json[];
      // v_switch.py lines 361, 376-377 and 397, 403-404: 409 VSWITCH_IN_PROCESS while a change runs.
      if (current.some((s) => s.status === "in process")) {
        return this.error(409, "VSWITCH_IN_PROCESS", "There is a update running");
      }
      if (method === "POST") {
        const added = servers.map((n) => ({
          server_ip: this.firewalls.get(n)?.server_ip ?? null,
          server_number: n,
          status: "in process",
        }));
        vs.server = [...current, ...added];
        const timer = setTimeout(
          () => {
            for (const s of added) s.status = this.vswitchFails.has(s.server_number) ? "failed" : "ready";
            this.settleTimers.delete(timer);
          },
          this.options.vswitchInProcessMs ?? this.options.inProcessMs ?? 50,
        );
        this.settleTimers.add(timer);
      } else {
        vs.server = current.filter((s) => !servers.includes(Number(s.server_number)));
      }
      return [201, {}];
    }
    if (method === "DELETE") {
      this.vswitches.delete(Number(id));
      return [200, {}];
    }
    if (method === "POST") Object.assign(vs, { name: form.name });
    return [200, vs];
  }
}
