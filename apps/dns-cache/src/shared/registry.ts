import { z } from "zod";
import { jsonEnv } from "./json-env.js";
import { DOMAIN_NAME, TENANT_ID } from "./record.js";

/**
 * The registry as both apps read it (env key CUSTOM_DOMAINS): JSON `{ "<domain>": "<tenant>" }`,
 * rendered from stack config by the components, so a domain is bound to a tenant in a reviewed PR.
 */
export const domainsJson = jsonEnv.pipe(
    z.record(z.string(), z.string().regex(TENANT_ID, "must be a tenant id (a-z, 0-9, -)")).superRefine((domains, ctx) => {
      // Not the record's key schema: zod would say only "Invalid key in record".
      for (const d of Object.keys(domains)) if (!DOMAIN_NAME.test(d)) ctx.addIssue({ code: "custom", path: [d], message: "must be a lower-case domain name" });
    }),
  );

