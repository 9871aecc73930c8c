/**
 * `npm run deploy -- <env>` and `npm run diff -- <env>`: which stacks, in
 * which order, and the exact cdktf command lines, with the spawner injected
 * so that no cdktf runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../../lib/config";
import { type CommandIo, runCommand } from "../../lib/cli/command";
import { type CdktfCommand, cdktfInvocations, environmentCommands, environmentStackIds } from "../../lib/operations/environment";
import { runSynth, tempDir, validConfig } from "../helpers";

/** dev with two consumers, plus stg and prod. */
function threeEnvironments(): any {
  const config = validConfig();
  const dev = config.environments.dev;
  dev.consumers.push({
    ...dev.consumers[0],
    name: "ml",
    vpcId: "vpc-0a1b2c3d4e5f60799",
    endpointName: "lake-dev-ml",
  });
  config.environments.stg = {
    ...structuredClone(dev),
    producer: { ...dev.producer, clusterIdentifier: "lake-stg" },
  };
  config.environments.stg.consumers = [
    {
      ...dev.consumers[0],
      endpointName: "lake-stg-bi",
      vpcId: "vpc-0a1b2c3d4e5f60700",
    },
  ];
  config.environments.prod = {
    ...structuredClone(config.environments.stg),
    producer: { ...dev.producer, clusterIdentifier: "lake-prod" },
  };
  config.environments.prod.consumers = [
    {
      ...dev.consumers[0],
      endpointName: "lake-prod-bi",
      vpcId: "vpc-0a1b2c3d4e5f60701",
    },
  ];
  return config;
}

function configFile(config: unknown = threeEnvironments()): string {
  const file = path.join(tempDir(), "environments.json");
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Runs the command as a user does (`npm run <command> -- <args>`), from a terminal, with a spawner that records each call and answers with the given exit codes. */
async function run(
  argv: string[],
  options: {
    exitCodes?: number[];
    file?: string;
    engine?: { env: Record<string, string>; args: string[] };
    interactive?: boolean;
  } = {},
) {
  const calls: Array<[string, string[]]> = [];
  const envs: Array<Readonly<Record<string, string>>> = [];
  const exitCodes = [...(options.exitCodes ?? [])];
  let stderr = "";
  const commands = environmentCommands({
    engineFor: options.engine ? () => ({ ...options.engine!, terraformBinary: "tofu" }) : undefined,
    spawn: async (command, args, env) => {
      calls.push([command, [...args]]);
      envs.push(env);
      return exitCodes.shift() ?? 0;
    },
    endpointStatus: null,
    revokeLookups: null,
  });
  const [name, ...rest] = argv;
  const command = commands[name as CdktfCommand];
  const io: CommandIo = {
    stdout: () => undefined,
    stderr: (text) => {
      stderr += text;
    },
    env: { REDSHIFT_ENDPOINTS_CONFIG: options.file ?? configFile() },
    cwd: process.cwd(),
    interactive: options.interactive ?? true,
  };
  const exitCode = await runCommand(command, rest, io);
  const announced = stderr.split("\n").filter((l) => l.startsWith("> "));
  return {
    exitCode,
    stderr: stderr
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("> "))
      .join("\n"),
    calls,
    announced,
    envs,
  };
}

describe("environment stacks", () => {
  test("lists the producer first, then each consumer in config order", () => {
    const config = parseConfig(threeEnvironments());
    expect(environmentStackIds(config, "dev")).toEqual(["dev-producer", "dev-consumer-bi", "dev-consumer-ml"]);
    expect(environmentStackIds(config, "prod")).toEqual(["prod-producer", "prod-consumer-bi"]);
  });

  test("names exactly the stacks the app synthesizes for that environment, dependencies first", () => {
    const raw = threeEnvironments();
    const { outdir, exitCode } = runSynth(raw);
    expect(exitCode).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    const config = parseConfig(raw);
    for (const env of ["dev", "stg", "prod"]) {
      const ids = environmentStackIds(config, env);
      expect(ids.slice().sort()).toEqual(
        Object.keys(manifest.stacks)
          .filter((id) => id.startsWith(`${env}-`))
          .sort(),
      );
      ids.forEach((id, i) => {
        for (const dependency of manifest.stacks[id].dependencies) expect(ids.indexOf(dependency)).toBeLessThan(i);
      });
    }
  });

  test("fails for an unknown environment, listing the known ones", () => {
    expect(() => environmentStackIds(parseConfig(threeEnvironments()), "qa", "config/environments.json")).toThrow(
      'unknown environment "qa": config/environments.json defines "dev", "stg", "prod"',
    );
  });

  test("fails for a name that only exists on Object.prototype", () => {
    expect(() => environmentStackIds(parseConfig(threeEnvironments()), "constructor")).toThrow('unknown environment "constructor"');
  });

  test.each([
    ["deploy", [], [["cdktf", "deploy", "dev-producer", "dev-consumer-bi"]]],
    ["deploy", ["--auto-approve"], [["cdktf", "deploy", "dev-producer", "dev-consumer-bi", "--auto-approve"]]],
    [
      "diff",
      [],
      [
        ["cdktf", "diff", "dev-producer"],
        ["cdktf", "diff", "dev-consumer-bi", "--skip-synth"],
      ],
    ],
    [
      "diff",
      ["--skip-synth"],
      [
        ["cdktf", "diff", "dev-producer", "--skip-synth"],
        ["cdktf", "diff", "dev-consumer-bi", "--skip-synth"],
      ],
    ],
  ] as const)("%s with extra args %j runs %j", (command, extra, expected) => {
    expect(cdktfInvocations(command, ["dev-producer", "dev-consumer-bi"], extra)).toEqual(expected);
  });
});

describe("deploy, diff and destroy commands", () => {
  test("deploy spawns one npx cdktf deploy over the environment's stacks, passing extra args through", async () => {
    const result = await run(["deploy", "dev", "--auto-approve", "--parallelism", "1"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(result.calls).toEqual([["npx", ["cdktf", "deploy", "dev-producer", "dev-consumer-bi", "dev-consumer-ml", "--auto-approve", "--parallelism", "1"]]]);
    expect(result.announced).toEqual(["> npx cdktf deploy dev-producer dev-consumer-bi dev-consumer-ml --auto-approve --parallelism 1"]);
  });

  test("diff spawns one npx cdktf diff per stack, producer first", async () => {
    const result = await run(["diff", "stg"]);
    expect(result.exitCode).toBe(0);
    expect(result.calls).toEqual([
      ["npx", ["cdktf", "diff", "stg-producer"]],
      ["npx", ["cdktf", "diff", "stg-consumer-bi", "--skip-synth"]],
    ]);
  });

  test("passes cdktf's exit code through and stops at the first failing run", async () => {
    const result = await run(["diff", "dev"], { exitCodes: [0, 3] });
    expect(result).toMatchObject({ exitCode: 3, stderr: "" });
    expect(result.calls.map(([, args]) => args[2])).toEqual(["dev-producer", "dev-consumer-bi"]);
  });

  test("fails with exit 2 for an unknown environment, listing the known ones, and runs nothing", async () => {
    const file = configFile();
    const result = await run(["deploy", "qa", "--auto-approve"], { file });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^deploy: unknown environment "qa": ${file.replace(
          /[.\\/]/g,
          "\\$&",
        )} defines "dev", "stg", "prod"\nUsage: npm run deploy -- <environment> \\[cdktf deploy options, such as --auto-approve\\]`,
      ),
    );
    expect(result.calls).toEqual([]);
  });

  test.each([
    ["no environment", ["deploy"], "deploy: missing <environment>"],
    ["an option where the environment belongs", ["deploy", "--auto-approve"], "deploy: missing <environment>"],
  ])("fails with exit 2 and the usage for %s", async (_label, argv, message) => {
    const result = await run(argv);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${message}\nUsage: npm run deploy -- <environment>`));
    expect(result.calls).toEqual([]);
  });

  test.each(["deploy", "destroy"])("fails at once with exit 2 to %s with no terminal and no --auto-approve, saying what to pass", async (command) => {
    const result = await run([command, "dev"], { interactive: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^${command}: no terminal to confirm the ${command} on: pass --auto-approve \\(a pipeline\\), or run it from a terminal\n`),
    );
    expect(result.calls).toEqual([]);
    expect((await run([command, "dev", "--auto-approve"], { interactive: false })).exitCode).toBe(0);
  });

  test("diff needs no terminal", async () => {
    expect((await run(["diff", "dev"], { interactive: false })).exitCode).toBe(0);
  });

  test("destroy spawns one npx cdktf destroy over the environment's stacks; cdktf destroys the consumers before the producer", async () => {
    const result = await run(["destroy", "dev", "--auto-approve"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(result.calls).toEqual([["npx", ["cdktf", "destroy", "dev-producer", "dev-consumer-bi", "dev-consumer-ml", "--auto-approve"]]]);
  });

  test("with the offline engine, passes its environment and arguments to every run", async () => {
    const env = {
      TERRAFORM_BINARY_NAME: "/cache/bin/tofu",
      TF_CLI_CONFIG_FILE: "/cache/tofurc",
    };
    const result = await run(["diff", "stg", "--skip-provider-lock"], {
      engine: {
        env,
        args: ["--skip-provider-lock", "--output", "/p/.emulator-state/cdktf.out"],
      },
    });
    expect(result.calls).toEqual([
      ["npx", ["cdktf", "diff", "stg-producer", "--skip-provider-lock", "--output", "/p/.emulator-state/cdktf.out"]],
      ["npx", ["cdktf", "diff", "stg-consumer-bi", "--skip-synth", "--skip-provider-lock", "--output", "/p/.emulator-state/cdktf.out"]],
    ]);
    expect(result.envs).toEqual([env, env]);
  });

  test("without the offline engine, adds nothing to cdktf's environment or arguments", async () => {
    const result = await run(["deploy", "stg"]);
    expect(result.calls).toEqual([["npx", ["cdktf", "deploy", "stg-producer", "stg-consumer-bi"]]]);
    expect(result.envs).toEqual([{}]);
  });

  test("fails with exit 1 and the config's problems when the config is invalid, and runs nothing", async () => {
    const config = threeEnvironments();
    config.environments.dev.consumers[0].subnetIds.push("subnet-0a1b2c3d");
    const result = await run(["deploy", "dev"], { file: configFile(config) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("environments.dev.consumers[0].subnetIds: must hold exactly 1 subnet");
    expect(result.calls).toEqual([]);
  });
});

describe("npm run diff -- <env> --read-only", () => {
  test("runs cdktf with REDSHIFT_ENDPOINTS_ROLES=read-only and no lock, into its own output folder; a plain diff and a deploy do not", async () => {
    const readOnly = await run(["diff", "dev", "--read-only"]);
    expect(readOnly.exitCode).toBe(0);
    expect(readOnly.calls.map(([, args]) => args)).toEqual([
      ["cdktf", "diff", "dev-producer", "--output", "cdktf.out.read-only"],
      ["cdktf", "diff", "dev-consumer-bi", "--skip-synth", "--output", "cdktf.out.read-only"],
      ["cdktf", "diff", "dev-consumer-ml", "--skip-synth", "--output", "cdktf.out.read-only"],
    ]);
    const engine = await run(["diff", "dev", "--read-only"], { engine: { env: {}, args: ["--skip-provider-lock", "--output", "/w/cdktf.out"] } });
    expect(engine.calls[0][1]).toEqual(["cdktf", "diff", "dev-producer", "--skip-provider-lock", "--output", "/w/cdktf.out.read-only"]);
    for (const env of readOnly.envs) expect([env.REDSHIFT_ENDPOINTS_ROLES, env.TF_CLI_ARGS_plan]).toEqual(["read-only", "-lock=false"]);
    for (const env of (await run(["diff", "dev"])).envs) expect(env.REDSHIFT_ENDPOINTS_ROLES).toBeUndefined();
  });

  test("is diff's option only: deploy hands it on to cdktf as one of cdktf's options and keeps the deploy roles", async () => {
    const deploy = await run(["deploy", "dev", "--read-only"]);
    expect(deploy.calls[0][1]).toContain("--read-only");
    for (const env of deploy.envs) expect(env.REDSHIFT_ENDPOINTS_ROLES).toBeUndefined();
  });
});
