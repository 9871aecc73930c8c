/**
 * npm run deploy and npm run destroy refuse, before anything changes, to
 * revoke an authorization that an endpoint still uses (lib/operations/
 * revoke-guard.ts): AWS documents nothing of what such a revoke does without
 * Force, so the commands do not leave it to AWS. The engine and AWS are
 * injected here; test/scenarios/destroy-order.test.ts runs it against the
 * emulator, which accepts such a revoke there (--revoke-in-use accept).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackTarget } from "../../lib/aws/clients";
import { parseConfig } from "../../lib/config";
import { environmentCommand } from "../../lib/operations/environment";
import { type RevokeLookups, heldGrants, plannedRevokes, resolveRevokes, revokeRefusal, usedRevokes, wantedGrants } from "../../lib/operations/revoke-guard";
import { tempDir, validConfig } from "../helpers";

const CLUSTER = "lake-dev";
const GRANTEE = "222222222222";

/** A producer state holding `grants` as the provider writes them. */
function state(grants: Array<{ account: string; cluster?: string; vpcIds: string[] }>) {
  return {
    version: 4,
    resources: [
      {
        mode: "data",
        type: "aws_redshift_cluster",
        name: "cluster",
        instances: [{ attributes: { id: CLUSTER } }],
      },
      {
        mode: "managed",
        type: "aws_redshift_endpoint_authorization",
        name: "authorization",
        instances: grants.map((g) => ({
          attributes: {
            account: g.account,
            cluster_identifier: g.cluster ?? CLUSTER,
            vpc_ids: g.vpcIds,
          },
        })),
      },
    ],
  };
}

/** dev with a second consumer of the same account, in another VPC. */
function twoConsumers() {
  const raw = validConfig();
  raw.environments.dev.consumers.push({
    ...raw.environments.dev.consumers[0],
    name: "ml",
    vpcId: "vpc-0a1b2c3d4e5f60799",
    endpointName: "lake-dev-ml",
  });
  return parseConfig(raw).environments.dev;
}
const VPC_BI = validConfig().environments.dev.consumers[0].vpcId;
const VPC_ML = "vpc-0a1b2c3d4e5f60799";

describe("what a producer apply would revoke", () => {
  test("reads the authorizations the producer's state holds, and none from an empty state", () => {
    expect(heldGrants(state([{ account: GRANTEE, vpcIds: ["vpc-b", "vpc-a"] }]))).toEqual([
      {
        account: GRANTEE,
        clusterIdentifier: CLUSTER,
        vpcIds: ["vpc-a", "vpc-b"],
      },
    ]);
    expect(heldGrants({})).toEqual([]);
  });

  test.each([
    ["nothing, when the config wants what the state holds", [VPC_BI, VPC_ML], []],
    [
      "the VPCs the config dropped",
      [VPC_BI, VPC_ML, "vpc-0000000000000000e"],
      [
        {
          account: GRANTEE,
          clusterIdentifier: CLUSTER,
          vpcIds: ["vpc-0000000000000000e"],
        },
      ],
    ],
  ] as const)("revokes %s", (_label, held, expected) => {
    const wanted = wantedGrants(twoConsumers());
    expect(plannedRevokes([{ account: GRANTEE, clusterIdentifier: CLUSTER, vpcIds: held }], CLUSTER, wanted)).toEqual(expected);
  });

  test("revokes a whole authorization whose account the config no longer names, or that is on another cluster", () => {
    const wanted = wantedGrants(twoConsumers());
    expect(
      plannedRevokes(
        [
          {
            account: "333333333333",
            clusterIdentifier: CLUSTER,
            vpcIds: ["vpc-c"],
          },
          { account: GRANTEE, clusterIdentifier: "lake-old", vpcIds: [VPC_BI] },
        ],
        CLUSTER,
        wanted,
      ),
    ).toEqual([
      { account: "333333333333", clusterIdentifier: CLUSTER, vpcIds: "all" },
      { account: GRANTEE, clusterIdentifier: "lake-old", vpcIds: "all" },
    ]);
  });

  test("keeps the VPCs an adopted authorization holds beyond the config's", () => {
    const wanted = wantedGrants(twoConsumers(), {
      environment: "dev",
      authorizations: [
        {
          accountId: GRANTEE,
          clusterIdentifier: CLUSTER,
          extraVpcIds: ["vpc-x"],
        },
      ],
    });
    expect(
      plannedRevokes(
        [
          {
            account: GRANTEE,
            clusterIdentifier: CLUSTER,
            vpcIds: [VPC_BI, VPC_ML, "vpc-x"],
          },
        ],
        CLUSTER,
        wanted,
      ),
    ).toEqual([]);
  });

  test("a destroy revokes every authorization the state holds", () => {
    expect(plannedRevokes([{ account: GRANTEE, clusterIdentifier: CLUSTER, vpcIds: [VPC_BI] }], CLUSTER, new Map())).toEqual([
      { account: GRANTEE, clusterIdentifier: CLUSTER, vpcIds: "all" },
    ]);
  });
});

describe("what uses a revoke", () => {
  const asked: string[] = [];
  const lookups = (count: number, names: string[], fail = false): RevokeLookups => ({
    authorization: async (producer: StackTarget, cluster, grantee) => {
      asked.push(`count ${producer.stack} ${producer.roleArn} ${cluster} ${grantee}`);
      if (fail) throw new Error("AccessDenied: not authorized\nmore");
      return { allowedVpcs: [], endpointCount: count };
    },
    endpointsInVpcs: async (consumer: StackTarget, owner, cluster, vpcIds) => {
      asked.push(`endpoints ${consumer.stack} ${consumer.roleArn} ${owner} ${cluster} ${vpcIds.join(",")}`);
      return names;
    },
  });
  const env = twoConsumers();

  test("a whole revoke asks the producer's account for the authorization's EndpointCount", async () => {
    asked.length = 0;
    const used = await usedRevokes({
      envName: "dev",
      env,
      revokes: [{ account: GRANTEE, clusterIdentifier: CLUSTER, vpcIds: "all" }],
      lookups: lookups(2, []),
    });
    expect(used).toEqual([
      {
        revoke: { account: GRANTEE, clusterIdentifier: CLUSTER, vpcIds: "all" },
        use: "2 Redshift-managed VPC endpoints (its EndpointCount)",
      },
    ]);
    expect(asked).toEqual([`count dev-producer ${env.producer.roleArn} ${CLUSTER} ${GRANTEE}`]);
  });

  test("a revoke of some VPCs asks the grantee's account, through a consumer stack's role, for its endpoints in them", async () => {
    asked.length = 0;
    const revoke = {
      account: GRANTEE,
      clusterIdentifier: CLUSTER,
      vpcIds: [VPC_ML],
    };
    expect(
      await usedRevokes({
        envName: "dev",
        env,
        revokes: [revoke],
        lookups: lookups(0, ["lake-dev-ml"]),
      }),
    ).toEqual([{ revoke, use: "endpoint lake-dev-ml" }]);
    expect(asked).toEqual([`endpoints dev-consumer-bi ${env.consumers[0].roleArn} ${env.producer.accountId} ${CLUSTER} ${VPC_ML}`]);
    expect(
      await usedRevokes({
        envName: "dev",
        env,
        revokes: [revoke],
        lookups: lookups(0, []),
      }),
    ).toEqual([]);
  });

  test("lets a whole revoke through when forceDeleteAuthorizations says to delete the endpoints with it", async () => {
    const forced = {
      ...env,
      producer: { ...env.producer, forceDeleteAuthorizations: true },
    };
    expect(
      await usedRevokes({
        envName: "dev",
        env: forced,
        revokes: [{ account: GRANTEE, clusterIdentifier: CLUSTER, vpcIds: "all" }],
        lookups: lookups(1, []),
      }),
    ).toEqual([]);
  });

  test("counts a revoke it could not look at as used: it never lets through what it could not see", async () => {
    const revoke = {
      account: GRANTEE,
      clusterIdentifier: CLUSTER,
      vpcIds: "all" as const,
    };
    expect(
      await usedRevokes({
        envName: "dev",
        env,
        revokes: [revoke],
        lookups: lookups(0, [], true),
      }),
    ).toEqual([
      {
        revoke,
        use: "endpoints it could not read (AccessDenied: not authorized)",
      },
    ]);
  });

  test("fails the refusal naming the account, the cluster, what uses it and what to do", () => {
    const text = revokeRefusal("destroy", "dev", [
      {
        revoke: { account: GRANTEE, clusterIdentifier: CLUSTER, vpcIds: "all" },
        use: "1 Redshift-managed VPC endpoint (its EndpointCount)",
      },
    ]);
    expect(text).toMatch(/^Refusing to destroy dev-producer: it would revoke authorizations that endpoints still use\.\n/);
    expect(text).toContain(
      `  - account ${GRANTEE} on cluster ${CLUSTER}, the whole authorization: used by 1 Redshift-managed VPC endpoint (its EndpointCount)`,
    );
    expect(text).toContain("npm run destroy -- dev, which destroys every consumer first");
    expect(text).toMatch(/Nothing was destroyed of dev-producer\.$/);
    expect(revokeRefusal("deploy", "dev", [])).toBeUndefined();
  });
});

describe("npm run deploy and npm run destroy with the check", () => {
  /** Runs the command against a fake engine whose state pull answers `held`, with lookups that see `count` endpoints. */
  async function run(command: "deploy" | "destroy", held: ReturnType<typeof state>, count: number, config = validConfig()) {
    const file = path.join(tempDir(), "environments.json");
    fs.writeFileSync(file, JSON.stringify(config));
    const spawned: string[][] = [];
    const engine: string[] = [];
    const announced: string[] = [];
    const exitCode = await environmentCommand({
      command,
      environment: "dev",
      extraArgs: ["--auto-approve"],
      configFile: file,
      spawn: async (_c, args) => {
        spawned.push([...args]);
        return 0;
      },
      announce: (line) => announced.push(line),
      runEngine: async (command, args, cwd) => {
        engine.push(`${path.basename(command)} ${args.join(" ")} (${path.relative(process.cwd(), cwd)})`);
        return {
          exitCode: 0,
          stdout: args[0] === "state" ? JSON.stringify(held) : "",
          stderr: "",
        };
      },
      revokeLookups: {
        authorization: async () => ({ allowedVpcs: [VPC_BI], endpointCount: count }),
        endpointsInVpcs: async () => [],
      },
      terraformBinary: "tofu",
    });
    return { exitCode, spawned, engine, announced };
  }
  const held = state([{ account: GRANTEE, vpcIds: [VPC_BI] }]);

  test("a deploy synthesizes, checks the producer's state, then applies the producer from that synth and the consumers", async () => {
    const { exitCode, spawned, engine } = await run("deploy", held, 1);
    expect(exitCode).toBe(0);
    expect(spawned).toEqual([
      ["cdktf", "synth"],
      ["cdktf", "deploy", "dev-producer", "--skip-synth", "--auto-approve"],
      ["cdktf", "deploy", "dev-consumer-bi", "--skip-synth", "--ignore-missing-stack-dependencies", "--auto-approve"],
    ]);
    expect(engine).toEqual(["tofu init -input=false -no-color (cdktf.out/stacks/dev-producer)", "tofu state pull (cdktf.out/stacks/dev-producer)"]);
  });

  test("fails a deploy whose config drops a consumer whose endpoint still exists, before applying the producer, with exit 1 and the refusal", async () => {
    const config = validConfig();
    config.environments.dev.consumers[0].accountId = "333333333333";
    config.environments.dev.consumers[0].roleArn = "arn:aws:iam::333333333333:role/deploy";
    const { exitCode, spawned, announced } = await run("deploy", held, 1, config);
    expect(exitCode).toBe(1);
    expect(spawned).toEqual([["cdktf", "synth"]]);
    expect(announced.join("\n")).toContain(
      `Refusing to deploy dev-producer: it would revoke authorizations that endpoints still use.\n  - account ${GRANTEE} on cluster ${CLUSTER}, the whole authorization`,
    );
  });

  test("a destroy destroys the consumers, checks, then destroys the producer; an endpoint still there stops it before the producer", async () => {
    const clean = await run("destroy", held, 0);
    expect(clean.exitCode).toBe(0);
    expect(clean.spawned).toEqual([
      ["cdktf", "destroy", "dev-consumer-bi", "--auto-approve"],
      ["cdktf", "destroy", "dev-producer", "--skip-synth", "--ignore-missing-stack-dependencies", "--auto-approve"],
    ]);
    const used = await run("destroy", held, 1);
    expect(used.exitCode).toBe(1);
    expect(used.spawned).toEqual([["cdktf", "destroy", "dev-consumer-bi", "--auto-approve"]]);
    expect(used.announced.join("\n")).toContain("Refusing to destroy dev-producer");
  });

  test("a VPC authorized by hand is in no state, yet the provider revokes it: with an endpoint in it, a deploy is refused", async () => {
    const handVpc = "vpc-0fedcba9876543210";
    const asked: string[] = [];
    const refusal = await resolveRevokes({
      command: "deploy",
      envName: "dev",
      env: parseConfig(validConfig()).environments.dev,
      stackDir: "/out/stacks/dev-producer",
      terraformBinary: "tofu",
      run: async (_c, args) => ({ exitCode: 0, stdout: args[0] === "state" ? JSON.stringify(held) : "", stderr: "" }),
      lookups: {
        authorization: async () => ({ allowedVpcs: [VPC_BI, handVpc], endpointCount: 2 }),
        endpointsInVpcs: async (_t, _o, _c, vpcIds) => {
          asked.push(vpcIds.join(","));
          return vpcIds.includes(handVpc) ? ["made-by-hand"] : [];
        },
      },
    });
    expect(asked).toEqual([handVpc]);
    expect(refusal).toContain(`  - account ${GRANTEE} on cluster ${CLUSTER}, VPC ${handVpc}: used by endpoint made-by-hand`);
  });

  test("fails closed when the producer's state cannot be read, naming the engine's error", async () => {
    const refusal = await resolveRevokes({
      command: "deploy",
      envName: "dev",
      env: parseConfig(validConfig()).environments.dev,
      stackDir: "/out/stacks/dev-producer",
      terraformBinary: "tofu",
      run: async () => ({
        exitCode: 1,
        stdout: "",
        stderr: "Error: backend unreachable",
      }),
      lookups: {
        authorization: async () => undefined,
        endpointsInVpcs: async () => [],
      },
    }).catch((e: Error) => e.message);
    expect(refusal).toBe("tofu init -input=false -no-color in /out/stacks/dev-producer failed (exit 1):\nError: backend unreachable");
  });
});
