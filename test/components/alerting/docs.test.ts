import { describe, expect, it } from "vitest";
import { alertTableMarkdown, thresholdText } from "../../../components/alerting/docs";
import { PLATFORM_ALERT_RULES } from "../../../components/alerting/rules";

describe("alert table", () => {
  const table = alertTableMarkdown(PLATFORM_ALERT_RULES);

  it("has one row per rule with its meaning and first check", () => {
    const rows = table.split("\n").slice(2);
    expect(rows).toHaveLength(PLATFORM_ALERT_RULES.length);
    for (const [i, r] of PLATFORM_ALERT_RULES.entries()) {
      expect(rows[i]).toContain(`\`${r.name}\``);
      expect(rows[i]).toContain(r.description);
      expect(rows[i]).toContain(r.firstCheck.replace(/\|/g, "\\|"));
    }
  });

  it("lists the threshold of every stage that has one", () => {
    const p99 = PLATFORM_ALERT_RULES.find((r) => r.name === "GatewayHighP99Latency")!;
    expect(thresholdText(p99)).toBe("local > 2s, dev > 2s, staging > 1s, prod > 0.5s");
    const ratio = PLATFORM_ALERT_RULES.find((r) => r.name === "GatewayHigh5xxRatio")!;
    expect(thresholdText(ratio)).toBe("local > 50%, dev > 20%, staging > 5%, prod > 2%");
    const evictions = PLATFORM_ALERT_RULES.find((r) => r.name === "ElastiCacheEvictions")!;
    expect(thresholdText(evictions)).toBe("dev > 1000 per 1m, staging > 500 per 1m, prod > 100 per 1m");
  });
});
