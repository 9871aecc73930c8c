/**
 * `npm run deploy`'s check of tainted endpoints (lib/operations/taint-guard.ts):
 * finding them in a raw state, what each AWS status leads to, and the steps
 * of a deploy that runs the check, with the engine, AWS and cdktf injected.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { environmentCommand } from "../../lib/operations/environment";
import { type TaintedEndpoint, resolveTaintedEndpoints, taintDecision, taintedEndpoints } from "../../lib/operations/taint-guard";
import type { StackTarget } from "../../lib/aws/clients";
import { tempDir, validConfig } from "../helpers";

const ADDRESS = "aws_redshift_endpoint_access.endpoint_F9556B44";

/** A raw state (terraform state pull) with the endpoint in `status` (undefined: not tainted), a data source and a security group. */
function state(status?: string): unknown {
  return {
    version: 4,
    resources: [
      { mode: "data", type: "aws_redshift_endpoint_access", name: "ignored", instances: [{ status: "tainted", attributes: { endpoint_name: "x" } }] },
      { mode: "managed", type: "aws_security_group", name: "security-group", instances: [{ status: "tainted", attributes: { id: "sg-1" } }] },
      {
        mode: "managed",
        type: "aws_redshift_endpoint_access",
        name: "endpoint_F9556B44",
        instances: [{ ...(status ? { status } : {}), attributes: { id: "lake-dev-bi", endpoint_name: "lake-dev-bi" } }],
      },
    ],
  };
}

describe("tainted endpoints in a state", () => {
  test("finds a managed endpoint marked tainted, with its address and name, and nothing else", () => {
    expect(taintedEndpoints(state("tainted"))).toEqual([{ address: ADDRESS, endpointName: "lake-dev-bi" }]);
    expect(taintedEndpoints(state())).toEqual([]);
    expect(taintedEndpoints({})).toEqual([]);
    expect(taintedEndpoints(null)).toEqual([]);
  });

  test("gives a module's endpoint and a counted one their full address", () => {
    const raw = {
      resources: [
        {
          module: "module.edge",
          mode: "managed",
          type: "aws_redshift_endpoint_access",
          name: "e",
          instances: [{ index_key: 1, status: "tainted", attributes: { endpoint_name: "a" } }],
        },
      ],
    };
    expect(taintedEndpoints(raw)).toEqual([{ address: "module.edge.aws_redshift_endpoint_access.e[1]", endpointName: "a" }]);
  });
});

describe("what each status in AWS leads to", () => {
  const endpoint: TaintedEndpoint = { address: ADDRESS, endpointName: "lake-dev-bi" };

  test("active: untaint it, so the deploy keeps it", () => {
    const decision = taintDecision("dev", "dev-consumer-bi", endpoint, "active");
    expect(decision.action).toBe("untaint");
    expect(decision.message).toBe(
      `> dev-consumer-bi: endpoint lake-dev-bi (${ADDRESS}) is tainted in state: an earlier deploy stopped while AWS was creating it. ` +
        "AWS reports it active, so this deploy untaints it and keeps it, instead of replacing it (docs/runbooks.md: When the endpoint wait times out).",
    );
  });

  test.each(["creating", "modifying"])("%s: refuse, and say to wait and deploy again", (status) => {
    const decision = taintDecision("dev", "dev-consumer-bi", endpoint, status);
    expect(decision.action).toBe("refuse");
    expect(decision.message).toContain(`Refusing to deploy dev-consumer-bi. dev-consumer-bi: endpoint lake-dev-bi (${ADDRESS}) is tainted in state`);
    expect(decision.message).toContain(`AWS still reports it ${status}. Deploying now would replace it`);
    expect(decision.message).toContain("then run `npm run deploy -- dev` again: it untaints the endpoint and keeps it.");
    expect(decision.message).toContain("Nothing of the consumer stacks was applied.");
  });

  test.each([
    [undefined, "gone"],
    ["failed", "failed"],
    ["deleting", "deleting"],
  ])("%s: it cannot be kept, so the deploy replaces it and says so", (status, word) => {
    const decision = taintDecision("dev", "dev-consumer-bi", endpoint, status);
    expect(decision).toEqual({ action: "replace", message: expect.stringContaining(`AWS reports it ${word}, so it cannot be kept: this deploy replaces it.`) });
  });

  test("an unreadable status: refuse, with the error and the manual procedure", () => {
    const decision = taintDecision("dev", "dev-consumer-bi", endpoint, undefined, new Error("AccessDenied: not authorized"));
    expect(decision.action).toBe("refuse");
    expect(decision.message).toContain("Reading its status in AWS failed: AccessDenied: not authorized");
    expect(decision.message).toContain(`run \`terraform untaint ${ADDRESS}\` in the stack's folder and deploy again`);
  });
});

const TARGET: StackTarget = { stack: "dev-consumer-bi", role: "consumer", accountId: "222222222222", region: "eu-west-1" };

/** A fake engine answering `state pull` with `pulled`; records every command. */
function engine(pulled: string, failOn?: string) {
  const calls: string[] = [];
  return {
    calls,
    run: async (command: string, args: readonly string[], cwd: string) => {
      calls.push(`${path.basename(command)} ${args.join(" ")} (${cwd})`);
      if (failOn && args[0] === failOn) return { exitCode: 1, stdout: "", stderr: `Error: ${failOn} failed` };
      return { exitCode: 0, stdout: args[0] === "state" ? pulled : "", stderr: "" };
    },
  };
}

describe("resolving a stack's tainted endpoints", () => {
  const resolve = (pulled: string, status: () => Promise<string | undefined>, failOn?: string) => {
    const fake = engine(pulled, failOn);
    const announced: string[] = [];
    const result = resolveTaintedEndpoints({
      envName: "dev",
      stack: "dev-consumer-bi",
      target: TARGET,
      stackDir: "/out/stacks/dev-consumer-bi",
      terraformBinary: "/bin/tofu",
      run: fake.run,
      status,
      announce: (l) => announced.push(l),
    });
    return { result, calls: fake.calls, announced };
  };

  test("an active one is untainted in the stack's folder", async () => {
    const { result, calls, announced } = resolve(JSON.stringify(state("tainted")), async () => "active");
    expect(await result).toBeUndefined();
    expect(calls).toEqual([
      "tofu init -input=false -no-color (/out/stacks/dev-consumer-bi)",
      "tofu state pull (/out/stacks/dev-consumer-bi)",
      `tofu untaint -no-color ${ADDRESS} (/out/stacks/dev-consumer-bi)`,
    ]);
    expect(announced).toHaveLength(1);
  });

  test("a creating one refuses the deploy and untaints nothing", async () => {
    const { result, calls } = resolve(JSON.stringify(state("tainted")), async () => "creating");
    expect(await result).toMatch(/^Refusing to deploy dev-consumer-bi\./);
    expect(calls.some((c) => c.includes("untaint"))).toBe(false);
  });

  test("the lookup's error refuses the deploy, quoting it", async () => {
    const { result } = resolve(JSON.stringify(state("tainted")), async () => {
      throw new Error("ExpiredToken");
    });
    expect(await result).toContain("Reading its status in AWS failed: ExpiredToken");
  });

  test("no state yet, or nothing tainted: nothing asked of AWS", async () => {
    for (const pulled of ["", JSON.stringify(state())]) {
      let asked = false;
      const { result, calls } = resolve(pulled, async () => {
        asked = true;
        return "active";
      });
      expect(await result).toBeUndefined();
      expect(calls).toHaveLength(2);
      expect(asked).toBe(false);
    }
  });

  test("a failed engine step throws with the engine's message", async () => {
    await expect(resolve("", async () => "active", "init").result).rejects.toThrow(
      "tofu init -input=false -no-color in /out/stacks/dev-consumer-bi failed (exit 1):\nError: init failed",
    );
  });
});

describe("npm run deploy with the check", () => {
  async function deploy(status: string, extraArgs: string[] = []) {
    const file = path.join(tempDir(), "environments.json");
    fs.writeFileSync(file, JSON.stringify(validConfig()));
    const fake = engine(JSON.stringify(state("tainted")));
    const spawned: string[][] = [];
    const looked: Array<[StackTarget, string]> = [];
    let stderr = "";
    const exitCode = await environmentCommand({
      command: "deploy",
      environment: "dev",
      extraArgs: ["--auto-approve", ...extraArgs],
      configFile: file,
      announce: (line) => {
        if (!line.startsWith("> ")) stderr += `${line}\n`;
      },
      spawn: async (_command, args) => {
        spawned.push([...args]);
        return 0;
      },
      runEngine: fake.run,
      endpointStatus: async (target, name) => {
        looked.push([target, name]);
        return status;
      },
      terraformBinary: "tofu",
    });
    return { result: { exitCode, stderr }, spawned, looked, calls: fake.calls };
  }

  test("applies the producer, checks each consumer's state, then applies the consumers side by side from the same synth", async () => {
    const { result, spawned, looked, calls } = await deploy("active", ["--output", "/o"]);
    expect(result).toEqual({ exitCode: 0, stderr: "" });
    expect(spawned).toEqual([
      ["cdktf", "deploy", "dev-producer", "--auto-approve", "--output", "/o"],
      ["cdktf", "deploy", "dev-consumer-bi", "--skip-synth", "--ignore-missing-stack-dependencies", "--auto-approve", "--output", "/o"],
    ]);
    const config = validConfig();
    expect(looked).toEqual([
      [
        {
          stack: "dev-consumer-bi",
          role: "consumer",
          accountId: config.environments.dev.consumers[0].accountId,
          roleArn: config.environments.dev.consumers[0].roleArn,
          region: config.environments.dev.region,
        },
        "lake-dev-bi",
      ],
    ]);
    expect(calls[2]).toBe(`tofu untaint -no-color ${ADDRESS} (/o/stacks/dev-consumer-bi)`);
  });

  test("a refusal stops the deploy after the producer, with exit 1 and the message", async () => {
    const { result, spawned } = await deploy("creating");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Refusing to deploy dev-consumer-bi\. .*\n.*AWS still reports it creating/);
    expect(spawned).toEqual([["cdktf", "deploy", "dev-producer", "--auto-approve"]]);
  });
});
