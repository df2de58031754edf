/**
 * The enclii-infra policy pack: `pulumi preview --policy-pack policies`. Only constructs the
 * pack; the policies are in ./rules, listed in ./policy-list.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { deserializeOnce } from "./lib/deserialize-once";
import { POLICIES } from "./policy-list";

// Each resource is deserialized once per request, not once per policy (./lib/deserialize-once.ts).
deserializeOnce();
new PolicyPack("enclii-infra", { policies: POLICIES });
