/**
 * The enclii-infra policy pack: `pulumi preview --policy-pack policies`. Only constructs the
 * pack; the policies are in ./rules, listed in ./policy-list.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policy-list";

new PolicyPack("enclii-infra", { policies: POLICIES });
