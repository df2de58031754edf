/**
 * `npm run -s cluster:access -- --stack <name>` prints one line per tunnel route of the stack:
 * `<stable name> <tunnel hostname> <loopback> <port>` (the API first, then each node's SSH), derived
 * from `Pulumi.<stack>.yaml` alone, with the same function the program uses, so a runner needs no
 * credentials to know them. `--cloudflared-version` prints the pinned cloudflared release.
 * Used by scripts/ci/cluster-tunnel.sh (deploy and drift workflows); see docs/deploy.md.
 *
 * Exit codes: 0 printed, 1 the stack config is invalid, 2 bad arguments.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { clusterAccessEndpoints } from "../components/edge/cluster-access";
import { IMAGES } from "../components/versions";
import { parseStackConfig, StackConfigError } from "../stacks/config";
import { readProjectName, readStackFile } from "./lib/stack-file";

const USAGE = "usage: npm run -s cluster:access -- (--stack <name> | --cloudflared-version)";

function main(): number {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, "cloudflared-version": { type: "boolean" } },
  });
  if (values["cloudflared-version"]) {
    process.stdout.write(`${IMAGES.cloudflared.tag}\n`);
    return 0;
  }
  if (!values.stack) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const root = join(__dirname, "..");
  const project = readProjectName(join(root, "Pulumi.yaml"));
  const file = readStackFile(join(root, `Pulumi.${values.stack}.yaml`), project);
  let config: ReturnType<typeof parseStackConfig>;
  try {
    config = parseStackConfig(file.config, values.stack, { checkSecrets: false });
  } catch (e) {
    if (e instanceof StackConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (config.nodes.every((n) => n.kind === "existing")) return 0;
  const endpoints = clusterAccessEndpoints({
    domain: config.domain,
    apiHostname: config.k3s.apiHostname,
    nodeNames: config.nodes.map((n) => n.name),
  });
  for (const e of endpoints) process.stdout.write(`${e.name} ${e.tunnelHostname} ${e.loopback} ${e.port}\n`);
  return 0;
}

process.exitCode = main();
