// Program entry for `pulumi up --stack <stage>-<region>`: config first (fails before any
// resource exists), then the platform. Stack outputs are what other regions reference.
import { declarePlatform } from "./program";
import { loadStackConfig } from "./read-config";

export = declarePlatform(loadStackConfig());
