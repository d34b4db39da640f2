// Program entry for `pulumi up --stack <stage>-<region>`: config first (fails before any
// resource exists), then the platform. Stack outputs are what other regions reference.
import { declarePlatform } from "./program";
import { loadStackConfig } from "./read-config";

const outputs = declarePlatform(loadStackConfig());

export const stage = outputs.stage;
export const region = outputs.region;
export const cassandraDataCenter = outputs.cassandraDataCenter;
export const cassandraSeeds = outputs.cassandraSeeds;
export const cassandraSuperuserPassword = outputs.cassandraSuperuserPassword;
export const cassandraAppRolePasswords = outputs.cassandraAppRolePasswords;
export const cassandraCaCertPem = outputs.cassandraCaCertPem;
export const cassandraCaPrivateKeyPem = outputs.cassandraCaPrivateKeyPem;
export const publicHost = outputs.publicHost;
export const redisHost = outputs.redisHost;
// Absent on stacks without Vercel / AWS (local): null, because an undefined top-level export makes
// the engine warn "Undefined value (…) will not show as a stack output".
export const vercelProjectId = outputs.vercelProjectId ?? null;
export const alarmTopicArn = outputs.alarmTopicArn ?? null;
