/**
 * Realistic outputs for every resource type and invoke the program uses, in one place, so code
 * that depends on provider outputs (ids, addresses, tunnel ids, kubeconfigs) runs under the
 * mock runtime. Add a type here when a component starts using it; an invoke nobody mocked
 * throws, so a missing entry is found at once.
 */
import { createHash } from "node:crypto";
import { PERMISSION_GROUP_IDS } from "../../components/edge/cloudflare-permissions";

/** Inputs or state of a resource, as the mock runtime passes them. */
export type Props = Record<string, unknown>;

/** A stable hex string derived from `seed`: the same plan gives the same ids. */
export function stableHex(seed: string, length = 32): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
  return out.slice(0, length);
}

/** A stable UUID derived from `seed`. */
export function stableUuid(seed: string): string {
  const h = stableHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A stable integer id in [100000, 99999999]. */
export function stableNumber(seed: string): number {
  return 100_000 + (Number.parseInt(stableHex(seed, 8), 16) % 99_900_000);
}

/** A stable public IPv4 in the documentation range 203.0.113.0/24. */
export function stableIpv4(seed: string): string {
  return `203.0.113.${(Number.parseInt(stableHex(seed, 2), 16) % 200) + 20}`;
}

/** A kubeconfig as k3s writes it, with the server address replaced by the API host. */
export function mockKubeconfig(host: string): string {
  const ca = Buffer.from(`mock-ca-${host}`).toString("base64");
  const cert = Buffer.from(`mock-client-cert-${host}`).toString("base64");
  const key = Buffer.from(`mock-client-key-${host}`).toString("base64");
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${ca}`,
    `    server: https://${host}:6443`,
    "  name: default",
    "contexts:",
    "- context:",
    "    cluster: default",
    "    user: default",
    "  name: default",
    "current-context: default",
    "kind: Config",
    "preferences: {}",
    "users:",
    "- name: default",
    "  user:",
    `    client-certificate-data: ${cert}`,
    `    client-key-data: ${key}`,
    "",
  ].join("\n");
}

function pem(label: string, seed: string, bytes: number): string {
  const body = Buffer.from(stableHex(seed, bytes * 2), "hex").toString("base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * A key pair per resource, in PEM and OpenSSH form. Deterministic (derived from the resource) so
 * two plans of the same program are identical, including key ids derived from public keys;
 * the bodies are not usable keys, nothing in a plan parses them.
 */
function keyPair(algorithm: string, bits: number, seed: string) {
  const size = algorithm === "ED25519" ? 48 : Math.round(bits / 8) + 38;
  const publicKeyPem = pem("PUBLIC KEY", `${seed}/public`, size);
  return {
    privateKeyPem: pem("PRIVATE KEY", `${seed}/private`, size * 4),
    publicKeyPem,
    publicKeyOpenssh: `${algorithm === "ED25519" ? "ssh-ed25519" : "ssh-rsa"} ${Buffer.from(stableHex(`${seed}/ssh`, 64), "hex").toString("base64")}\n`,
  };
}

function metadataName(inputs: Props, name: string): string {
  const metadata = (inputs.metadata ?? {}) as Props;
  return typeof metadata.name === "string" ? metadata.name : `${name}-${stableHex(name, 8)}`;
}

/** The dedicated servers' addresses by server number, as Robot reports them (see {@link setRobotServerIps}). */
const robotServerIps = new Map<number, string>();

/**
 * Tells the mock which address Robot reports for each dedicated server: the stack's `ipv4` of
 * that `serverNumber` (Robot's `GET /server/{n}` answers the server's real `server_ip`, which the
 * config names). Without it a server gets a stable made-up address.
 */
export function setRobotServerIps(ips: ReadonlyMap<number, string>): void {
  robotServerIps.clear();
  for (const [n, ip] of ips) robotServerIps.set(n, ip);
}

function robotServerIp(serverNumber: unknown): string {
  return robotServerIps.get(Number(serverNumber)) ?? stableIpv4(String(serverNumber));
}

/** Outputs a provider would add for a newly created resource of `type`. */
export function mockOutputs(type: string, name: string, inputs: Props): { id: string; state: Props } {
  const seed = `${type}::${name}`;
  if (type.startsWith("pulumi:providers:")) return { id: stableUuid(seed), state: inputs };
  if (type.startsWith("kubernetes:")) {
    const metadata = (inputs.metadata ?? {}) as Props;
    const resolvedName = metadataName(inputs, name);
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    return {
      id: namespace ? `${namespace}/${resolvedName}` : resolvedName,
      state: {
        ...inputs,
        metadata: {
          ...metadata,
          name: resolvedName,
          uid: stableUuid(seed),
          resourceVersion: "1",
          creationTimestamp: "2026-01-01T00:00:00Z",
        },
        ...(type === "kubernetes:helm.sh/v4:Chart" ? { resources: [] } : {}),
      },
    };
  }
  switch (type) {
    case "hcloud:index/server:Server":
      return {
        id: String(stableNumber(seed)),
        state: {
          ...inputs,
          ipv4Address: stableIpv4(seed),
          ipv6Address: `2a01:4f8:c0c:${stableHex(seed, 4)}::1`,
          ipv6Network: `2a01:4f8:c0c:${stableHex(seed, 4)}::/64`,
          status: "running",
        },
      };
    case "hcloud:index/sshKey:SshKey":
      return { id: String(stableNumber(seed)), state: { ...inputs, fingerprint: stableHex(seed, 32) } };
    case "hcloud:index/firewall:Firewall":
    case "hcloud:index/network:Network":
    case "hcloud:index/placementGroup:PlacementGroup":
    case "hcloud:index/firewallAttachment:FirewallAttachment":
      return { id: String(stableNumber(seed)), state: inputs };
    case "hcloud:index/networkSubnet:NetworkSubnet":
      return { id: `${stableNumber(seed)}-${String(inputs.ipRange ?? "10.0.1.0/24")}`, state: inputs };
    case "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared":
      return { id: stableUuid(seed), state: { ...inputs, accountTag: inputs.accountId, status: "inactive" } };
    case "cloudflare:index/apiToken:ApiToken":
      return {
        id: stableHex(seed, 32),
        state: { ...inputs, value: stableHex(`${seed}/value`, 40), status: "active" },
      };
    case "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy":
      return { id: stableUuid(seed), state: { ...inputs, reusable: true } };
    case "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication":
      return { id: stableUuid(seed), state: { ...inputs, aud: stableHex(`${seed}/aud`, 64) } };
    case "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken":
      // Cloudflare's shapes: a client id `<32 hex>.access` and a 64-hex secret.
      return {
        id: stableUuid(seed),
        state: {
          ...inputs,
          clientId: `${stableHex(`${seed}/client-id`, 32)}.access`,
          clientSecret: stableHex(`${seed}/client-secret`, 64),
        },
      };
    case "cloudflare:index/r2Bucket:R2Bucket":
      return { id: String(inputs.name ?? name), state: { ...inputs, creationDate: "2026-01-01T00:00:00Z" } };
    case "cloudflare:index/customHostname:CustomHostname":
      return {
        id: stableUuid(seed),
        state: {
          ...inputs,
          status: "pending",
          ownershipVerification: {
            type: "txt",
            name: `_cf-custom-hostname.${String(inputs.hostname)}`,
            value: stableUuid(`${seed}/v`),
          },
          ownershipVerificationHttp: {
            httpUrl: `http://${String(inputs.hostname)}/.well-known/cf-custom-hostname-challenge/${stableUuid(seed)}`,
            httpBody: stableUuid(`${seed}/b`),
          },
        },
      };
    case "pulumi-nodejs:dynamic/enclii:RobotVSwitch":
      return {
        id: String(40_000 + (stableNumber(seed) % 10_000)),
        state: { ...inputs, vswitchId: 40_000 + (stableNumber(seed) % 10_000) },
      };
    case "pulumi-nodejs:dynamic/enclii:RobotFirewall":
      return {
        id: `firewall-${String(inputs.serverNumber)}`,
        state: { ...inputs, serverIp: robotServerIp(inputs.serverNumber), state: inputs.firewall },
      };
    case "pulumi-nodejs:dynamic/enclii:RobotServerName":
      return {
        id: `server-${String(inputs.serverNumber)}`,
        state: {
          ...inputs,
          serverIp: robotServerIp(inputs.serverNumber),
          serverIpv6Net: `2a01:4f8:10a:${stableHex(String(inputs.serverNumber), 4)}::/64`,
        },
      };
    case "pulumi-nodejs:dynamic/enclii:RobotReverseDns":
      return { id: `rdns-${String(inputs.ip)}`, state: inputs };
    case "pulumi-nodejs:dynamic/enclii:JanuaOAuthClient":
      // The Pulumi id is Janua's UUID of the client; `clientId` the public jnc_ id.
      return {
        id: stableUuid(seed),
        state: {
          ...inputs,
          januaId: stableUuid(seed),
          clientId: `jnc_${stableHex(seed, 20)}`,
          clientSecret: `jns_${stableHex(`${seed}/secret`, 32)}`,
        },
      };
    case "pulumi-nodejs:dynamic/enclii:JanuaOrganization":
      return { id: stableUuid(seed), state: { ...inputs, organizationId: stableUuid(seed) } };
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString": {
      const length = typeof inputs.length === "number" ? inputs.length : 32;
      return { id: "none", state: { ...inputs, result: stableHex(seed, length) } };
    }
    case "random:index/randomId:RandomId":
    case "random:index/randomBytes:RandomBytes": {
      const bytes = Buffer.from(stableHex(seed, 2 * Number(inputs.byteLength ?? inputs.length ?? 32)), "hex");
      return {
        id: bytes.toString("base64url"),
        state: {
          ...inputs,
          hex: bytes.toString("hex"),
          b64Std: bytes.toString("base64"),
          base64: bytes.toString("base64"),
        },
      };
    }
    case "tls:index/privateKey:PrivateKey": {
      const algorithm = String(inputs.algorithm ?? "RSA");
      const pair = keyPair(algorithm, Number(inputs.rsaBits ?? 2048), seed);
      return {
        id: stableHex(seed, 40),
        state: {
          ...inputs,
          privateKeyPem: pair.privateKeyPem,
          privateKeyPemPkcs8: pair.privateKeyPem,
          publicKeyPem: pair.publicKeyPem,
          publicKeyOpenssh: pair.publicKeyOpenssh,
          publicKeyFingerprintSha256: `SHA256:${Buffer.from(stableHex(pair.publicKeyPem, 64), "hex").toString("base64")}`,
        },
      };
    }
    case "command:remote:Command":
    case "command:local:Command": {
      // k3s writes its kubeconfig for 127.0.0.1; the program rewrites it to the node address.
      // The deploy ServiceAccount command prints its token and the cluster CA as JSON.
      const create = String(inputs.create ?? "");
      const stdin = String(inputs.stdin ?? "");
      const stdout = create.includes("k3s.yaml")
        ? mockKubeconfig("127.0.0.1")
        : stdin.includes("kubernetes.io/service-account-token")
          ? JSON.stringify({
              token: `mock-sa-token-${stableHex(seed, 16)}`,
              ca: Buffer.from(`mock-ca-${name}`).toString("base64"),
            })
          : "";
      return { id: `${name}-${stableHex(seed, 8)}`, state: { ...inputs, stdout, stderr: "" } };
    }
    default:
      return { id: `${name}-id`, state: inputs };
  }
}

/** Results of the provider functions (invokes) the program calls, by token. */
export const MOCK_INVOKES: Record<string, (args: Props) => Props> = {
  "cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken": (args) => ({
    ...args,
    token: Buffer.from(
      JSON.stringify({
        a: args.accountId,
        t: args.tunnelId,
        s: Buffer.from(stableHex(String(args.tunnelId))).toString("base64"),
      }),
    ).toString("base64"),
  }),
  "cloudflare:index/getApiTokenPermissionGroupsList:getApiTokenPermissionGroupsList": (args) => ({
    ...args,
    results: [
      "DNS Write",
      "SSL and Certificates Write",
      "Cloudflare Tunnel Write",
      "Workers R2 Storage Bucket Item Read",
      "Workers R2 Storage Bucket Item Write",
      "Zone Read",
    ].map((name) => ({
      // Cloudflare's ids are global: the real ones where the table knows them.
      id: (PERMISSION_GROUP_IDS as Record<string, string>)[name] ?? stableHex(`permission-group/${name}`, 32),
      name,
      category: "other",
      isSelectable: true,
      scopes: [],
    })),
  }),
  "tls:index/getPublicKey:getPublicKey": (args) => ({
    ...args,
    publicKeyOpenssh: `ssh-ed25519 ${stableHex(String(args.privateKeyOpenssh ?? args.privateKeyPem ?? ""), 68)}\n`,
    algorithm: "ED25519",
  }),
  "hcloud:index/getSshKey:getSshKey": (args) => ({
    ...args,
    id: stableNumber(String(args.name)),
    fingerprint: stableHex(String(args.name), 32),
    publicKey: `ssh-ed25519 ${stableHex(String(args.name), 68)}`,
  }),
};

/** Answers an invoke, or throws naming the token so the missing mock is obvious. */
export function mockInvoke(token: string, args: Props): Props {
  const handler = MOCK_INVOKES[token];
  if (!handler) {
    throw new Error(`unmocked invoke ${token}: add it to MOCK_INVOKES in scripts/lib/mock-outputs.ts`);
  }
  return handler(args);
}

/** Output fields that hold generated secrets, per resource type. */
export const SECRET_OUTPUT_FIELDS: Record<string, string[]> = {
  "random:index/randomPassword:RandomPassword": ["result"],
  "random:index/randomString:RandomString": ["result"],
  "random:index/randomBytes:RandomBytes": ["base64", "hex"],
  "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyPemPkcs8"],
  "cloudflare:index/apiToken:ApiToken": ["value"],
  "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken": ["clientSecret"],
  "pulumi-nodejs:dynamic/enclii:JanuaOAuthClient": ["clientSecret"],
};

/**
 * The generated secret values the mock runtime handed out for these resources, so a plan can
 * prove none of them reaches a file in clear.
 */
export function generatedSecrets(
  resources: readonly { type: string; name: string; rawInputs: Props }[],
): string[] {
  const values: string[] = [];
  for (const r of resources) {
    const fields = SECRET_OUTPUT_FIELDS[r.type];
    if (!fields) continue;
    const { state } = mockOutputs(r.type, r.name, r.rawInputs);
    for (const field of fields) {
      const value = state[field];
      if (typeof value === "string" && value.length >= 12) values.push(value);
    }
  }
  return values;
}
