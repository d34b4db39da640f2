/**
 * The CrossGuard entry: `pulumi preview --policy-pack policies`. Constructing the PolicyPack
 * starts the policy server, so nothing else may import this file (tests and the offline runner
 * use ./policy-list.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { toStackValidationPolicy } from "./core/crossguard";
import { PLATFORM_POLICIES } from "./policy-list";

new PolicyPack("platform", { policies: PLATFORM_POLICIES.map(toStackValidationPolicy) });
