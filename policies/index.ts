/**
 * The CrossGuard entry: `pulumi preview --policy-pack policies`. Constructing the PolicyPack
 * starts the policy server, so nothing else may import this file (tests and the offline runner
 * use ./policy-list.ts and ./core/crossguard.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { toCrossGuardPolicy } from "./core/crossguard";
import { PLATFORM_POLICIES } from "./policy-list";

new PolicyPack("platform", { policies: PLATFORM_POLICIES.map(toCrossGuardPolicy) });
