/**
 * The dated price table behind `npm run cost` and the offline diff's cost line. On-demand list
 * prices in USD, Linux, no discounts (Savings Plans, reserved nodes and the free tier are left
 * out on purpose: the estimate is the ceiling a change moves).
 *
 * Recorded by hand from the public price pages below on `RECORDED_ON`; this repo cannot reach
 * AWS, so nothing here is fetched or checked at run time. When AWS changes a price, edit the row
 * and the date in the same commit. A region or type missing here is reported as "no price"
 * (never guessed), and the estimate says which lines it could not price.
 */
export const RECORDED_ON = "2026-12-02";

export const SOURCES = {
  ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
  elasticache: "https://aws.amazon.com/elasticache/pricing/",
  ebs: "https://aws.amazon.com/ebs/pricing/",
  elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  vercel: "https://vercel.com/pricing",
} as const;

/** AWS bills these per hour; a month here is 730 hours (AWS's own calculator's month). */
export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** EC2 instance, USD per hour. */
  readonly ec2Hour: Readonly<Record<string, number>>;
  /** ElastiCache node, USD per hour. */
  readonly cacheNodeHour: Readonly<Record<string, number>>;
  /** EBS volume type, USD per GiB-month. */
  readonly ebsGiBMonth: Readonly<Record<string, number>>;
  /** Network Load Balancer, USD per hour (LCUs not included). */
  readonly nlbHour: number;
}

export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": {
    ec2Hour: { "m6i.xlarge": 0.192, "m6i.2xlarge": 0.384, "r6i.4xlarge": 1.008 },
    cacheNodeHour: { "cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.r7g.large": 0.219, "cache.r7g.xlarge": 0.437 },
    ebsGiBMonth: { gp3: 0.08, gp2: 0.1 },
    nlbHour: 0.0225,
  },
  "eu-west-1": {
    ec2Hour: { "m6i.xlarge": 0.214, "m6i.2xlarge": 0.428, "r6i.4xlarge": 1.128 },
    cacheNodeHour: { "cache.r7g.large": 0.243, "cache.r7g.xlarge": 0.486 },
    ebsGiBMonth: { gp3: 0.088, gp2: 0.11 },
    nlbHour: 0.0252,
  },
  "ap-southeast-1": {
    ec2Hour: { "m6i.xlarge": 0.24, "m6i.2xlarge": 0.48, "r6i.4xlarge": 1.216 },
    cacheNodeHour: { "cache.r7g.large": 0.262, "cache.r7g.xlarge": 0.524 },
    ebsGiBMonth: { gp3: 0.096, gp2: 0.12 },
    nlbHour: 0.0252,
  },
};

/** Vercel plan base price, USD per month for one member seat (usage beyond the plan is not estimated). */
export const VERCEL_PLAN_MONTH: Readonly<Record<string, number | undefined>> = { hobby: 0, pro: 20, enterprise: undefined };
