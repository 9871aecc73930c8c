/**
 * Generated multi-environment configs of any size, for the synth rows of the
 * bench (and for anyone who needs a large valid config).
 */
import * as fs from "node:fs";

const hex17 = (n: number) => n.toString(16).padStart(17, "0");
const account = (n: number) => String(100_000_000_000 + n);
const roleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/redshift-endpoints-deploy`;

/**
 * `environments` environments, each with its own producer account and cluster
 * and two consumers in their own accounts and VPCs: 3 stacks per environment,
 * every id derived from a counter, all within the default quotas (2 grantees
 * and 2 endpoints per cluster, 1 endpoint per authorization).
 */
export function generatedConfig(environments: number): unknown {
  const envs: Record<string, unknown> = {};
  for (let e = 0; e < environments; e++) {
    const name = `env-${String(e + 1).padStart(4, "0")}`;
    const producerAccount = account(e * 3);
    envs[name] = {
      region: "ap-northeast-1",
      tags: { team: "data-platform", environment: name },
      producer: { accountId: producerAccount, roleArn: roleArn(producerAccount), clusterIdentifier: `lake-${name}`, port: 5439 },
      consumers: [1, 2].map((c) => {
        const k = e * 2 + c; // 1-based consumer counter, unique over the file
        const consumerAccount = account(e * 3 + c);
        return {
          name: `c${c}`,
          accountId: consumerAccount,
          roleArn: roleArn(consumerAccount),
          vpcId: `vpc-${hex17(0x1000000 + k)}`,
          subnetIds: [`subnet-${hex17(0x2000000 + k)}`],
          endpointName: `lake-${name}-c${c}`,
          allowedCidrs: [`10.${(k >> 8) & 255}.${k & 255}.0/24`],
        };
      }),
    };
  }
  return { environments: envs };
}

export function stacksIn(configFile: string): number {
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as { environments: Record<string, { consumers: unknown[] }> };
  return Object.values(config.environments).reduce((n, env) => n + 1 + env.consumers.length, 0);
}

/**
 * The environments `npm run bench:drift` measures: `drift1`, `drift3` and
 * `drift10`, each with its own cluster in account 111111111111 and 1, 3 or 10
 * consumers alike, spread over two consumer accounts (five VPCs each at 10),
 * within the default quotas (2 grantees per cluster, 5 endpoints per
 * authorization).
 */
export function driftBenchConfig(sizes: readonly number[]): unknown {
  const producer = "111111111111";
  const environments: Record<string, unknown> = {};
  for (const size of sizes) {
    const name = `drift${size}`;
    environments[name] = {
      region: "eu-west-1",
      producer: { accountId: producer, roleArn: roleArn(producer), clusterIdentifier: `lake-${name}`, port: 5439 },
      consumers: Array.from({ length: size }, (_, i) => {
        const consumerAccount = i % 2 === 0 ? "222222222222" : "333333333333";
        const k = size * 100 + i; // unique over the file
        return {
          name: `c${i + 1}`,
          accountId: consumerAccount,
          roleArn: roleArn(consumerAccount),
          vpcId: `vpc-${hex17(0x3000000 + k)}`,
          subnetIds: [`subnet-${hex17(0x4000000 + k)}`],
          endpointName: `lake-${name}-c${i + 1}`,
          allowedCidrs: [`10.${(k >> 8) & 255}.${k & 255}.0/24`],
        };
      }),
    };
  }
  return { environments };
}
