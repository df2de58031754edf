/**
 * Entry point of the Pulumi program: read the config, build the platform, export outputs.
 * A bad config throws a `StackConfigError` before any resource is registered.
 */
import { loadStackConfig } from "./config";
import { buildPlatform } from "./platform";

const { config, secrets } = loadStackConfig();
const platform = buildPlatform(config, secrets);

/** Environment of this stack (`production`, `staging`, `local`). */
export const environment = config.environment;
/** Apex domain served by the stack. */
export const domain = config.domain;
/** Platform namespaces by name. */
export const namespaces = platform.namespaces;
