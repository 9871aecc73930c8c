/**
 * `npm run bench:deploy`'s parts: reading endpoint creates out of a cdktf
 * deploy's output (lib/rehearsal/deploy-timeline.ts), and scheduling,
 * judging and printing the rounds (lib/bench/deploy.ts).
 */
import { type DeploySample, formatDeployBench, judgeDeployBench, roundOrder, runDeployBench, spread } from "../../lib/bench/deploy";
import { endpointCreations, sideBySideProblem } from "../../lib/rehearsal/deploy-timeline";

// As cdktf prints it: colours, the stack id on a chunk's first line only, and the next lines of the chunk indented instead.
const ESC = "\u001b";
const SIDE_BY_SIDE = [
  `dev-producer  ${ESC}[0m${ESC}[1maws_redshift_endpoint_authorization.authorization-222222222222: Creation complete after 0s [id=222222222222:lake]${ESC}[0m`,
  `dev-consumer-a  ${ESC}[0m${ESC}[1maws_redshift_endpoint_access.endpoint_F9556B44: Creating...${ESC}[0m${ESC}[0m`,
  `dev-consumer-b  ${ESC}[0m${ESC}[1maws_security_group.security-group: Creation complete after 0s [id=sg-1]${ESC}[0m`,
  `                ${ESC}[0m${ESC}[1maws_redshift_endpoint_access.endpoint_F9556B44: Creating...${ESC}[0m${ESC}[0m`,
  "dev-consumer-a  aws_redshift_endpoint_access.endpoint_F9556B44: Still creating... [30s elapsed]",
  "dev-consumer-a  aws_redshift_endpoint_access.endpoint_F9556B44: Creation complete after 31s [id=lake-a]",
  "dev-consumer-b  aws_redshift_endpoint_access.endpoint_F9556B44: Creation complete after 1m2s [id=lake-b]",
].join("\n");

const ONE_AFTER_ANOTHER = [
  "dev-consumer-a  aws_redshift_endpoint_access.endpoint_F9556B44: Creating...",
  "dev-consumer-a  aws_redshift_endpoint_access.endpoint_F9556B44: Creation complete after 30s [id=lake-a]",
  "dev-consumer-b  aws_redshift_endpoint_access.endpoint_F9556B44: Creating...",
  "dev-consumer-b  aws_redshift_endpoint_access.endpoint_F9556B44: Creation complete after 30s [id=lake-b]",
].join("\n");

describe("endpoint creates in a deploy's output", () => {
  test("each stack's create, with the line it started and completed on and the seconds the provider reported", () => {
    expect(endpointCreations(SIDE_BY_SIDE)).toEqual([
      { stack: "dev-consumer-a", startLine: 1, completeLine: 5, seconds: 31 },
      { stack: "dev-consumer-b", startLine: 3, completeLine: 6, seconds: 62 },
    ]);
  });

  test("side by side: every create started before any completed", () => {
    expect(sideBySideProblem(endpointCreations(SIDE_BY_SIDE), ["dev-consumer-a", "dev-consumer-b"])).toBeUndefined();
  });

  test("one after another is named", () => {
    expect(sideBySideProblem(endpointCreations(ONE_AFTER_ANOTHER), ["dev-consumer-a", "dev-consumer-b"])).toBe(
      "dev-consumer-b started creating its endpoint only after dev-consumer-a's was complete: the stacks deployed one after another",
    );
  });

  test("a stack without a completed create is named", () => {
    const failed = SIDE_BY_SIDE.split("\n").slice(0, 6).join("\n");
    expect(sideBySideProblem(endpointCreations(failed), ["dev-consumer-a", "dev-consumer-b", "dev-consumer-c"])).toBe(
      "no completed endpoint create in the output for dev-consumer-b, dev-consumer-c",
    );
  });
});

describe("deploy bench", () => {
  const options = { rounds: 3, one: "solo", three: "alike", limit: 1.5 };
  const sample = (seconds: number): DeploySample => ({ seconds, endpointWaitSeconds: 30 });

  test("rounds alternate which environment deploys first", () => {
    expect([0, 1, 2].map((r) => roundOrder(options, r))).toEqual([
      ["solo", "alike"],
      ["alike", "solo"],
      ["solo", "alike"],
    ]);
  });

  test("runs every round in that order and judges the medians", async () => {
    const times: Record<string, number[]> = { solo: [40, 44, 42], alike: [46, 80, 47] };
    const order: string[] = [];
    const log: string[] = [];
    const result = await runDeployBench(
      async (env) => {
        order.push(env);
        return sample(times[env].shift() as number);
      },
      options,
      (line) => log.push(line),
    );
    expect(order).toEqual(["solo", "alike", "alike", "solo", "solo", "alike"]);
    expect(log[0]).toBe("round 1/3: solo deployed in 40.0 s (endpoint wait 30 s)");
    expect(result.one).toEqual({ samples: [40, 44, 42], median: 42, min: 40, max: 44 });
    expect(result.three.median).toBe(47);
    expect(result.ratio).toBeCloseTo(47 / 42);
    expect(result.roundRatios.max).toBeCloseTo(80 / 44);
    expect(result.pass).toBe(true);
  });

  test("fails when the median ratio is over the limit, and says so", () => {
    const result = judgeDeployBench(options, [sample(40), sample(40)], [sample(61), sample(62)]);
    expect(result.pass).toBe(false);
    expect(formatDeployBench(result)).toContain("3 consumers / 1 consumer: 1.54x (ratio of medians; target <= 1.5x): FAIL");
  });

  test("a failed deploy ends the bench with its error", async () => {
    await expect(
      runDeployBench(
        async () => {
          throw new Error("deploy: exit 1: Error: creating Redshift Endpoint Access");
        },
        options,
        () => {},
      ),
    ).rejects.toThrow("deploy: exit 1: Error: creating Redshift Endpoint Access");
  });

  test("unpaired samples and empty rows are refused", () => {
    expect(() => judgeDeployBench(options, [sample(40)], [])).toThrow("unpaired samples: 1 of solo, 0 of alike");
    expect(() => spread([])).toThrow("spread of no samples");
  });

  test("the table has the floor, the three-consumer row, the provider's wait and the per-round ratios", () => {
    const text = formatDeployBench(judgeDeployBench(options, [sample(40), sample(42)], [sample(44), sample(46)]));
    expect(text).toContain("deploy s, 1 consumer (solo): the floor     2    41.0  40.0-42.0");
    expect(text).toContain("deploy s, 3 consumers (alike)              2    45.0  44.0-46.0");
    expect(text).toContain("provider's endpoint wait s, per deploy     4    30.0  30.0-30.0");
    expect(text).toContain("3 consumers / 1, per round                 2    1.10  1.10-1.10");
    expect(text).toContain("3 consumers / 1 consumer: 1.10x (ratio of medians; target <= 1.5x): pass");
  });
});
