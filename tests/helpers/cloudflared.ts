/**
 * The real cloudflared (built from its Go module by `npm run tools:build`) on the program's
 * rendered ingress rules: the configuration file it reads and its `tunnel ingress` subcommands.
 *
 * Upstream: cloudflare/cloudflared 2026.8.2 (commit 733bfb9; tools/cloudflared/go.mod says why
 * not 2026.9.1).
 * - The file: `config/configuration.go` lines 177-182 (`UnvalidatedIngressRule`: `hostname`,
 *   `path`, `service`, `originRequest`), 236-247 (`AccessConfig`: `required`, `teamName`,
 *   `audTag`) and 255-261 (`Configuration`: `ingress`). A remotely-managed tunnel gets the same
 *   rules from the edge and parses them with the same `ingress.ParseIngress`.
 * - `cmd/cloudflared/tunnel/ingress_subcommands.go`: `validate` (lines 82-101) prints `OK`, or a
 *   list of the keys it did not understand; `rule <URL>` (120-144) parses the URL with Go's
 *   `url.Parse`, calls `FindMatchingRule(url.Hostname(), url.Path)` and prints
 *   `Matched rule #<index>` (0-based) and the rule.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import type { IngressRule } from "../../components/edge/routes";

const run = promisify(execFile);

/** The rules as cloudflared's config file spells them (`audTags` of @pulumi/cloudflare is `audTag`). */
export function cloudflaredConfigYaml(rules: readonly IngressRule<unknown>[]): string {
  const ingress = rules.map((rule) => {
    const { originRequest, ...plain } = rule;
    if (originRequest === undefined) return plain;
    const { access, ...rest } = originRequest;
    const file: Record<string, unknown> = { ...rest };
    if (access !== undefined) {
      file.access = { required: access.required, teamName: access.teamName, audTag: access.audTags };
    }
    return { ...plain, originRequest: file };
  });
  return stringify({ ingress });
}

/** A cloudflared bound to one config file, with a clean environment and home (no ~/.cloudflared). */
export interface Cloudflared {
  readonly configPath: string;
  /** `cloudflared tunnel --config <file> ingress <args...>`: exit status and output. */
  ingress(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Writes `rules` to a fresh config file for `binary`. */
export function cloudflaredOn(binary: string, rules: readonly IngressRule<unknown>[]): Cloudflared {
  const home = mkdtempSync(join(tmpdir(), "cloudflared-"));
  const configPath = join(home, "config.yml");
  writeFileSync(configPath, cloudflaredConfigYaml(rules));
  // Only PATH and HOME: TUNNEL_* variables would set flags (urfave/cli EnvVars).
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home };
  return {
    configPath,
    async ingress(args) {
      try {
        const { stdout, stderr } = await run(binary, ["tunnel", "--config", configPath, "ingress", ...args], {
          env,
          timeout: 30_000,
        });
        return { code: 0, stdout, stderr };
      } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return {
          code: typeof err.code === "number" ? err.code : -1,
          stdout: err.stdout ?? "",
          stderr: err.stderr ?? "",
        };
      }
    },
  };
}

/**
 * The rule `cloudflared tunnel ingress rule` printed: its index and its service (ingress/rule.go
 * MultiLineString, lines 37-52). @throws when it printed none
 */
export function matchedRule(stdout: string): { index: number; service: string } {
  const m = /^Matched rule #(-?\d+)$/m.exec(stdout);
  const service = /^\tservice: (.*)$/m.exec(stdout);
  if (!m || !service) throw new Error(`cloudflared printed no matched rule:\n${stdout}`);
  return { index: Number(m[1]), service: service[1] as string };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
