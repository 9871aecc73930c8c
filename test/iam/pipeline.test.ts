/**
 * The GitHub Actions pipeline's IAM documents (lib/iam/pipeline.ts): the OIDC
 * trust and permission policy of each environment's apply and read roles, and
 * the trust statement of every role they assume.
 *
 * The documents of the shipped config for `example-org/redshift-endpoints`
 * are pinned against test/fixtures/iam-pipeline/ with exact equality.
 * Regenerate them with
 *   npm run iam-policies -- --out /tmp/p --github-repository example-org/redshift-endpoints
 *   cp /tmp/p/*.pipeline-*.json test/fixtures/iam-pipeline/ && cp /tmp/p/trust/* test/fixtures/iam-pipeline/trust/
 * and review the diff. Neither lint of `npm run iam-lint` reads a trust
 * policy, so these pins and the properties below are their check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand } from "../../lib/cli/command";
import { type Config, UserError, loadConfig } from "../../lib/config";
import { PIPELINE_KINDS, PIPELINE_REASONS, type PipelineDocument, checkGitHubRepository, pipelineDocuments, pipelineRoleName } from "../../lib/iam/pipeline";
import { iamPoliciesCommand } from "../../lib/iam/policies";
import { stateReadPolicy, statePolicy } from "../../lib/rehearsal/iam-enforcement";
import { recordingIo, tempDir, validConfig } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");
const SHIPPED_CONFIG = path.join(ROOT, "config", "environments.json");
const FIXTURES = path.join(__dirname, "..", "fixtures", "iam-pipeline");
const REPOSITORY = "example-org/redshift-endpoints";

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** A document with every Action as a sorted list, as lib/iam/pipeline.ts writes it, for comparing with iam-floyd's own JSON. */
const normalized = (doc: { Version: string; Statement: any[] }) => ({
  Version: doc.Version,
  Statement: doc.Statement.map((s) => ({ ...s, Action: [s.Action].flat().sort() })),
});

const documentsOf = (config: Config, repository = REPOSITORY) => new Map(pipelineDocuments(config, repository).files.map(([f, d]) => [f, d]));

/** A config as loadConfig returns it: parsed by the schema, so the test sees what the command sees. */
function parsed(config: unknown): Config {
  const file = path.join(tempDir(), "environments.json");
  fs.writeFileSync(file, JSON.stringify(config));
  return loadConfig(file);
}

const s3Backend = (roleArn?: string) => ({
  type: "s3",
  bucket: "acme-tf-state",
  region: "ap-northeast-1",
  keyPrefix: "rme/dev",
  ...(roleArn ? { roleArn } : {}),
});

async function runIamPolicies(argv: string[]) {
  const { io, out, err } = recordingIo();
  const code = await runCommand(iamPoliciesCommand, argv, io);
  return { code, stdout: out(), stderr: err() };
}

describe("the shipped config, for example-org/redshift-endpoints", () => {
  const documents = documentsOf(loadConfig(SHIPPED_CONFIG));

  test("writes exactly the pinned documents of test/fixtures/iam-pipeline, and each equals its pin", () => {
    expect([...documents.keys()].sort()).toEqual(filesUnder(FIXTURES));
    for (const [file, document] of documents) expect([file, document]).toEqual([file, JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"))]);
  });

  test("dev's read role is assumed only by a job in GitHub environment dev-read of this repository, with the official action's audience", () => {
    expect(documents.get("trust/dev.pipeline-read.json")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GitHubEnvironment",
          Effect: "Allow",
          Principal: { Federated: ["arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"] },
          Action: ["sts:AssumeRoleWithWebIdentity"],
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": "repo:example-org/redshift-endpoints:environment:dev-read",
            },
          },
        },
      ],
    });
  });

  test("dev's apply role may assume exactly dev's two stack roles, and the consumer's role trusts exactly dev's two pipeline roles", () => {
    expect(documents.get("dev.pipeline-apply.json")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AssumeStackDeployRoles",
          Effect: "Allow",
          Action: ["sts:AssumeRole"],
          Resource: ["arn:aws:iam::111111111111:role/redshift-endpoints-deploy", "arn:aws:iam::222222222222:role/redshift-endpoints-deploy"],
        },
      ],
    });
    expect(documents.get("trust/222222222222.redshift-endpoints-deploy.json")?.Statement).toEqual([
      {
        Sid: "RedshiftEndpointsPipeline",
        Effect: "Allow",
        Principal: {
          AWS: ["arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-apply", "arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-read"],
        },
        Action: ["sts:AssumeRole"],
      },
    ]);
  });

  test("every pipeline role's trust is exact: StringEquals on aud and on the whole subject, no wildcard, no other condition, no session tags", () => {
    for (const [env, kind] of ["dev", "stg", "prod"].flatMap((e) => PIPELINE_KINDS.map((k) => [e, k] as const))) {
      const [statement, ...more] = documents.get(`trust/${env}.pipeline-${kind}.json`)!.Statement;
      expect(more).toEqual([]);
      expect(statement.Action).toEqual(["sts:AssumeRoleWithWebIdentity"]);
      expect(Object.keys(statement.Condition ?? {})).toEqual(["StringEquals"]);
      const subject = statement.Condition!.StringEquals["token.actions.githubusercontent.com:sub"];
      expect(subject).toBe(`repo:${REPOSITORY}:environment:${kind === "apply" ? env : `${env}-read`}`);
      expect(subject).not.toMatch(/[*?]/);
    }
  });

  test("every statement's Sid has its reason and a source with an address", () => {
    const sids = new Set([...documents.values()].flatMap((d) => d.Statement.map((s) => s.Sid)));
    for (const sid of sids) {
      expect(PIPELINE_REASONS[sid]?.why.length).toBeGreaterThan(20);
      expect(PIPELINE_REASONS[sid]?.source).toMatch(/https:\/\//);
    }
  });
});

describe("npm run iam-policies", () => {
  test("--github-repository writes the pipeline's documents beside the stacks' and warns of read roles that may assume deploy roles", async () => {
    const out = path.join(tempDir(), "iam");
    const run = await runIamPolicies(["--out", out, "--config", SHIPPED_CONFIG, "--github-repository", REPOSITORY]);
    expect(run.code).toBe(0);
    expect(filesUnder(out).filter((f) => f.includes("pipeline") || f.startsWith("trust"))).toEqual(filesUnder(FIXTURES));
    expect(run.stderr.split("\n").filter(Boolean)).toEqual(
      ["dev", "stg", "prod"].map((env) =>
        expect.stringMatching(new RegExp(`^warning: ${env}'s read role \\(redshift-endpoints-github-${env}-read\\) may assume deploy roles`)),
      ),
    );
  });

  test("without --github-repository, writes nothing of the pipeline", async () => {
    const out = path.join(tempDir(), "iam");
    const run = await runIamPolicies(["--out", out, "--config", SHIPPED_CONFIG]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(filesUnder(out).filter((f) => f.includes("pipeline") || f.startsWith("trust"))).toEqual([]);
  });

  test("fails with exit 2 on a repository that is not OWNER/REPO, naming it, before it synthesizes anything", async () => {
    const out = path.join(tempDir(), "iam");
    const run = await runIamPolicies(["--out", out, "--config", SHIPPED_CONFIG, "--github-repository", "repo:acme/x"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^iam-policies: --github-repository must be OWNER\/REPO as GitHub's OIDC subject claim spells it, case included .*; got "repo:acme\/x"\n/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test("fails with exit 1 when a stack of a pipeline environment has no roleArn, naming the stack and the field", async () => {
    const config = validConfig();
    delete config.environments.dev.consumers[0].roleArn;
    const file = path.join(tempDir(), "c.json");
    fs.writeFileSync(file, JSON.stringify(config));
    const run = await runIamPolicies(["--out", path.join(tempDir(), "iam"), "--config", file, "--github-repository", REPOSITORY]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "dev-consumer-bi has no roleArn (environments.dev.consumers[0].roleArn): the pipeline's roles reach each stack by assuming its role, so every stack of an environment the pipeline runs needs one, in the stack's own account\n",
    );
  });
});

describe("state on S3", () => {
  test("without backend.roleArn, the apply role holds the state policy the rehearsal gives the state role, and the read role may only read state", () => {
    const config = validConfig();
    config.environments.dev.backend = s3Backend();
    const documents = documentsOf(parsed(config));
    const apply = documents.get("dev.pipeline-apply.json")!;
    expect(apply.Statement[0].Sid).toBe("AssumeStackDeployRoles");
    expect({ Version: apply.Version, Statement: apply.Statement.slice(1) }).toEqual(normalized(statePolicy("acme-tf-state", "rme/dev")));
    expect(documents.get("dev.pipeline-read.json")!.Statement.slice(1)).toEqual([
      { Sid: "ListStateBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::acme-tf-state" },
      { Sid: "ReadState", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::acme-tf-state/rme/dev/*" },
    ]);
    expect(documents.get("dev.pipeline-read.json")!.Statement.slice(1)).toEqual(normalized(stateReadPolicy("acme-tf-state", "rme/dev")).Statement);
  });

  test("with backend.roleArn alone, both roles assume the state role, and the read role is warned of: it could write state", () => {
    const config = validConfig();
    config.environments.dev.backend = s3Backend("arn:aws:iam::999999999999:role/tf-state");
    const documents = documentsOf(parsed(config));
    expect(documents.get("dev.pipeline-apply.json")!.Statement.slice(1)).toEqual([
      { Sid: "AssumeStateRole", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "arn:aws:iam::999999999999:role/tf-state" },
    ]);
    expect(documents.get("dev.pipeline-read.json")!.Statement.slice(1)).toEqual([
      { Sid: "AssumeStateReadRole", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "arn:aws:iam::999999999999:role/tf-state" },
    ]);
    expect(documents.get("trust/999999999999.tf-state.json")!.Statement[0].Principal).toEqual({
      AWS: ["arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-apply", "arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-read"],
    });
    expect(pipelineDocuments(parsed(config), REPOSITORY).notes.join("\n")).toContain(
      "arn:aws:iam::999999999999:role/tf-state (the state role, which writes state; set backend.readOnlyRoleArn)",
    );
  });

  test("with backend.readOnlyRoleArn, the read role assumes it, and only it trusts the read role", () => {
    const config = validConfig();
    config.environments.dev.backend = {
      ...s3Backend("arn:aws:iam::999999999999:role/tf-state"),
      readOnlyRoleArn: "arn:aws:iam::999999999999:role/tf-state-read",
    };
    const documents = documentsOf(parsed(config));
    expect(documents.get("dev.pipeline-read.json")!.Statement.slice(1)).toEqual([
      { Sid: "AssumeStateReadRole", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "arn:aws:iam::999999999999:role/tf-state-read" },
    ]);
    expect(documents.get("trust/999999999999.tf-state.json")!.Statement[0].Principal).toEqual({
      AWS: ["arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-apply"],
    });
    expect(documents.get("trust/999999999999.tf-state-read.json")!.Statement[0].Principal).toEqual({
      AWS: ["arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-read"],
    });
  });
});

describe("which environments, which roles", () => {
  test("a Terraform Cloud environment gets no documents and a note saying why; a local one gets its documents", () => {
    const config = validConfig();
    config.environments.tfc = { ...structuredClone(config.environments.dev), backend: { type: "cloud", organization: "acme", workspacePrefix: "rme" } };
    config.environments.tfc.consumers[0].endpointName = "lake-tfc-bi";
    config.environments.tfc.producer.clusterIdentifier = "lake-tfc";
    const { files, notes } = pipelineDocuments(parsed(config), REPOSITORY);
    expect(files.map(([f]) => f).filter((f) => f.includes("tfc"))).toEqual([]);
    expect(files.map(([f]) => f)).toContain("dev.pipeline-apply.json");
    expect(notes).toContain("skipped tfc: its state is in Terraform Cloud, whose runs get AWS credentials there (docs/terraform-cloud.md)");
  });

  test("a stack's readOnlyRoleArn is what the read role assumes, and it trusts the read role alone; no warning then", () => {
    const config = parsed(validConfig());
    const env = config.environments.dev as any;
    env.producer.readOnlyRoleArn = "arn:aws:iam::111111111111:role/redshift-endpoints-read";
    env.consumers[0].readOnlyRoleArn = "arn:aws:iam::222222222222:role/redshift-endpoints-read";
    const { files, notes } = pipelineDocuments(config, REPOSITORY);
    const documents = new Map(files.map(([f, d]) => [f, d]));
    expect(documents.get("dev.pipeline-read.json")!.Statement[0].Resource).toEqual([
      "arn:aws:iam::111111111111:role/redshift-endpoints-read",
      "arn:aws:iam::222222222222:role/redshift-endpoints-read",
    ]);
    expect(documents.get("trust/222222222222.redshift-endpoints-read.json")!.Statement[0].Principal).toEqual({
      AWS: ["arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-read"],
    });
    expect(documents.get("trust/222222222222.deploy.json")!.Statement[0].Principal).toEqual({
      AWS: ["arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-apply"],
    });
    expect(notes).toEqual([]);
  });

  test("a role two environments share trusts both environments' pipeline roles, in one document", () => {
    const config = validConfig();
    config.environments.qa = structuredClone(config.environments.dev);
    config.environments.qa.producer.clusterIdentifier = "lake-qa";
    config.environments.qa.consumers[0].endpointName = "lake-qa-bi";
    config.environments.qa.consumers[0].vpcId = "vpc-1b2c3d4e5f6071829";
    config.environments.qa.consumers[0].subnetIds = ["subnet-1b2c3d4e5f6071829"];
    const documents = documentsOf(parsed(config));
    expect(documents.get("trust/222222222222.deploy.json")!.Statement).toEqual([
      {
        Sid: "RedshiftEndpointsPipeline",
        Effect: "Allow",
        Principal: {
          AWS: [
            "arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-apply",
            "arn:aws:iam::111111111111:role/redshift-endpoints-github-dev-read",
            "arn:aws:iam::111111111111:role/redshift-endpoints-github-qa-apply",
            "arn:aws:iam::111111111111:role/redshift-endpoints-github-qa-read",
          ],
        },
        Action: ["sts:AssumeRole"],
      },
    ]);
  });

  test("a repository with immutable subject claims is written into the subject as given", () => {
    const documents = documentsOf(parsed(validConfig()), "octo-org@123456/octo-repo@456789");
    const statement = documents.get("trust/dev.pipeline-apply.json")!.Statement[0];
    expect(statement.Condition!.StringEquals["token.actions.githubusercontent.com:sub"]).toBe("repo:octo-org@123456/octo-repo@456789:environment:dev");
  });

  test("a China region's trust expects the China audience, in the aws-cn partition", () => {
    const config = validConfig();
    config.environments.dev.region = "cn-north-1";
    for (const stack of [config.environments.dev.producer, config.environments.dev.consumers[0]])
      stack.roleArn = stack.roleArn.replace("arn:aws:", "arn:aws-cn:");
    const statement = (documentsOf(parsed(config)).get("trust/dev.pipeline-read.json") as PipelineDocument).Statement[0];
    expect(statement.Principal).toEqual({ Federated: ["arn:aws-cn:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"] });
    expect(statement.Condition!.StringEquals["token.actions.githubusercontent.com:aud"]).toBe("sts.amazonaws.com.cn");
  });

  test("a pipeline role's name fits IAM's 64 characters for the longest environment name the schema allows", () => {
    const longest = `e${"x".repeat(31)}`;
    for (const kind of PIPELINE_KINDS) expect(pipelineRoleName(longest, kind).length).toBeLessThanOrEqual(64);
  });
});

describe("fails on a repository GitHub's subject claim cannot hold", () => {
  test.each([
    ["acme"],
    ["acme/"],
    ["/repo"],
    ["-acme/repo"],
    ["ac--me/repo"],
    ["acme/re po"],
    ["repo:acme/repo"],
    ["acme/repo:environment:dev"],
    ["acme@/repo"],
    ["acme/repo@x1"],
    ["*/*"],
  ])("%s", (repository) => {
    expect(() => checkGitHubRepository(repository)).toThrow(`got ${JSON.stringify(repository)}`);
  });

  test.each([["acme/repo"], ["Octo-Org/octo.repo_2"], ["octo-org@123456/octo-repo@456789"]])("and accepts %s", (repository) => {
    expect(() => checkGitHubRepository(repository)).not.toThrow();
  });

  test("a UserError, not a stack trace, for a stack without a role", () => {
    const config = parsed(validConfig());
    delete (config.environments.dev.producer as any).roleArn;
    expect(() => pipelineDocuments(config, REPOSITORY)).toThrow(UserError);
    expect(() => pipelineDocuments(config, REPOSITORY)).toThrow("dev-producer has no roleArn (environments.dev.producer.roleArn)");
  });
});
