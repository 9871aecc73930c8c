/**
 * The IAM documents of the GitHub Actions pipeline (examples/github-actions/),
 * written from the config by `npm run iam-policies -- --out DIR
 * --github-repository OWNER/REPO`. Per environment, two roles in the
 * producer's account, each assumed by one GitHub environment through
 * GitHub's OIDC provider, never with a stored key:
 *
 * - `redshift-endpoints-github-<env>-apply`, for GitHub environment `<env>`
 *   (protected: required reviewers, the default branch only), which runs
 *   `npm run deploy`: it may assume every stack's `roleArn`;
 * - `redshift-endpoints-github-<env>-read`, for GitHub environment
 *   `<env>-read`, which plans pull requests and checks drift on a schedule:
 *   it may assume every stack's read-only role (`readOnlyRoleArn`, by
 *   default the stack's `roleArn`).
 *
 * Both may reach the S3 backend's state: by assuming its `roleArn`, or, when
 * it names none, with their own S3 permissions (the read role may then
 * write only the lock file). Files, in DIR:
 *
 * - `<env>.pipeline-apply.json`, `<env>.pipeline-read.json`: each role's
 *   permission policy (identity policies, linted with the stacks' ones);
 * - `trust/<env>.pipeline-apply.json`, `trust/<env>.pipeline-read.json`:
 *   each role's trust policy;
 * - `trust/<account>.<role name>.json`: the statement each stack role (and
 *   the state role) must add to its own trust policy so that the pipeline
 *   roles may assume it.
 *
 * What decides the documents, and where it is written (cited at each use):
 * - GitHub, "Configuring OpenID Connect in Amazon Web Services"
 *   (https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws):
 *   the provider is https://token.actions.githubusercontent.com, the
 *   audience `sts.amazonaws.com` with the official action, the trust policy
 *   must evaluate `token.actions.githubusercontent.com:sub`, and a job that
 *   uses an environment has the subject
 *   `repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME`.
 * - GitHub, "OpenID Connect reference", filtering for a specific environment
 *   (https://docs.github.com/en/actions/reference/security/oidc), and the
 *   changelog "Immutable subject claims for GitHub Actions OIDC tokens"
 *   (https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens):
 *   newer repositories carry the owner's and the repository's numeric ids in
 *   the subject. The sources disagree on the separator (`@` in
 *   aws-actions/configure-aws-credentials' README and GitHub's docs pull
 *   request 45221, `-` in the changelog), so the repository is taken exactly
 *   as the user's tokens spell it, never built here.
 * - AWS IAM User Guide, "Create a role for OpenID Connect federation"
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html)
 *   and "Available keys for AWS OIDC federation"
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif):
 *   the principal is the account's IAM OIDC provider, the action
 *   `sts:AssumeRoleWithWebIdentity`, the keys `<provider>:aud` and
 *   `<provider>:sub`.
 * - aws-actions/configure-aws-credentials, README, "Session tagging" and
 *   "Audience": with a web identity the action sets no session tags (so the
 *   trust policy grants no `sts:TagSession`), and a China partition's
 *   audience is `sts.amazonaws.com.cn`.
 *
 * Neither lint reads a trust policy (parliament 1.6.4 checks identity
 * policies only; the reference check refuses Principal), so the trust
 * documents are pinned by test/iam/pipeline.test.ts instead.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { S3 } from "iam-floyd/lib/generated/policy-statements/s3";
import { Sts } from "iam-floyd/lib/generated/policy-statements/sts";
import { UsageError } from "../cli/command";
import { type Config, type EnvironmentConfig, UserError } from "../config";
import { consumerStackId, producerStackId } from "../config/layout";
import { ROLE_ARN } from "../config/rules";

/** GitHub's OIDC issuer host: the IAM OIDC provider's URL without `https://`, and the prefix of its condition keys. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The two pipeline roles of an environment: `apply` deploys, `read` plans and checks drift. */
export type PipelineKind = "apply" | "read";
export const PIPELINE_KINDS: readonly PipelineKind[] = ["apply", "read"];

/** A statement of a pipeline document: an identity statement (Resource) or a trust statement (Principal). */
export interface PipelineStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: Record<string, string[]>;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PipelineDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PipelineStatement[];
}

/** Why a statement is there, and the document that decides it; every Sid the generator writes has one. */
export interface PipelineReason {
  readonly why: string;
  readonly source: string;
}

const GITHUB_OIDC_IN_AWS =
  "GitHub Docs, Configuring OpenID Connect in Amazon Web Services (https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws)";
const GITHUB_OIDC_REFERENCE =
  "GitHub Docs, OpenID Connect reference, filtering for a specific environment (https://docs.github.com/en/actions/reference/security/oidc)";
const IAM_OIDC_ROLE =
  "IAM User Guide, Create a role for OpenID Connect federation (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html); Available keys for AWS OIDC federation (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif)";
const IAM_CROSS_ACCOUNT =
  "AWS STS API Reference, AssumeRole: a caller in another account needs a policy that allows sts:AssumeRole on the role's ARN, and the role's trust policy must name it as principal (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)";
const S3_BACKEND =
  "Terraform, backend s3, S3 bucket permissions: s3:ListBucket on the bucket, s3:GetObject and s3:PutObject on the state, and with use_lockfile s3:GetObject, s3:PutObject and s3:DeleteObject on the lock file; s3:DeleteObject is not required on the state (https://developer.hashicorp.com/terraform/language/backend/s3#s3-bucket-permissions); the same document as statePolicy in lib/rehearsal/iam-enforcement.ts";

/** Every Sid the pipeline documents use, with its reason and source. */
export const PIPELINE_REASONS: Readonly<Record<string, PipelineReason>> = {
  GitHubEnvironment: {
    why: "GitHub's OIDC token of a job in this one GitHub environment of this one repository, with the audience the official action asks for, may assume the role; nothing else may",
    source: `${GITHUB_OIDC_IN_AWS}; ${GITHUB_OIDC_REFERENCE}; ${IAM_OIDC_ROLE}`,
  },
  AssumeStackDeployRoles: {
    why: "npm run deploy (and npm run verify after it) runs each stack's provider and checks as the stack's roleArn, assumed from the pipeline's credentials",
    source: IAM_CROSS_ACCOUNT,
  },
  AssumeStackReadOnlyRoles: {
    why: "npm run diff --read-only and npm run drift run each stack's provider as its read-only role (readOnlyRoleArn, by default roleArn)",
    source: IAM_CROSS_ACCOUNT,
  },
  AssumeStateRole: {
    why: "the S3 backend reads and writes state, and takes its lock, as backend.roleArn, assumed from the pipeline's credentials",
    source: IAM_CROSS_ACCOUNT,
  },
  AssumeStateReadRole: {
    why: "npm run diff --read-only and npm run drift read state as backend.readOnlyRoleArn (by default backend.roleArn), taking no lock",
    source: IAM_CROSS_ACCOUNT,
  },
  ListStateBucket: { why: "the S3 backend lists the bucket (no backend.roleArn: the pipeline's credentials reach the state)", source: S3_BACKEND },
  ReadWriteStateAndLock: { why: "the S3 backend reads and writes each stack's state and its lock file", source: S3_BACKEND },
  DeleteLockFile: { why: "the S3 backend releases the lock by deleting the lock file", source: S3_BACKEND },
  ReadState: {
    why: "a read-only plan reads each stack's state (and the producer's, through the consumers' remote state); it takes no lock (-lock=false), so it writes nothing",
    source: S3_BACKEND,
  },
  RedshiftEndpointsPipeline: {
    why: "the environment's pipeline roles may assume this role; add the statement to the role's trust policy",
    source: IAM_CROSS_ACCOUNT,
  },
};

/** What the documents of one environment are built from. */
export interface PipelineEnvironment {
  readonly name: string;
  readonly partition: string;
  /** The producer's account: the pipeline roles and GitHub's IAM OIDC provider live there. */
  readonly accountId: string;
  /** Each stack's deploy role, in stack order (producer first). */
  readonly deployRoles: readonly string[];
  /** Each stack's read-only role, in stack order. */
  readonly readOnlyRoles: readonly string[];
  readonly backend: EnvironmentConfig["backend"];
}

/**
 * A repository as GitHub's OIDC subject claim spells it: `OWNER/REPO`, or
 * `OWNER@ID/REPO@ID` for a repository that uses immutable subject claims.
 * Owner: letters, digits and single hyphens, at most 39; repository: letters,
 * digits, `.`, `_`, `-`, at most 100.
 */
export const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:@\d+)?\/[A-Za-z0-9._-]{1,100}(?:@\d+)?$/;

/** @throws UsageError when `repository` is not a repository as the subject claim spells it */
export function checkGitHubRepository(repository: string): void {
  if (!GITHUB_REPOSITORY.test(repository)) {
    throw new UsageError(
      `--github-repository must be OWNER/REPO as GitHub's OIDC subject claim spells it, case included (OWNER@ID/REPO@ID for a repository with immutable subject claims); got ${JSON.stringify(repository)}`,
    );
  }
}

/** The GitHub environment whose jobs assume the role of `kind`: `<env>` applies, `<env>-read` reads. */
export function githubEnvironment(envName: string, kind: PipelineKind): string {
  return kind === "apply" ? envName : `${envName}-read`;
}

/** The pipeline role's name: at most 64 characters, since environment names are at most 32. */
export function pipelineRoleName(envName: string, kind: PipelineKind): string {
  return `redshift-endpoints-github-${envName}-${kind}`;
}

export function pipelineRoleArn(env: Pick<PipelineEnvironment, "name" | "partition" | "accountId">, kind: PipelineKind): string {
  return `arn:${env.partition}:iam::${env.accountId}:role/${pipelineRoleName(env.name, kind)}`;
}

/** File name of a pipeline role's documents (its permission policy in DIR, its trust policy in DIR/trust). The dot keeps it apart from stack ids. */
export const pipelinePolicyFile = (envName: string, kind: PipelineKind): string => `${envName}.pipeline-${kind}.json`;

/** The partition of a region, as stackContext in ./policies.ts reads it. */
function partitionOf(region: string): string {
  return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The stack's read-only role: `readOnlyRoleArn` where the config gives one (npm run drift assumes it), else its `roleArn`. */
function readOnlyRoleOf(stack: { readonly roleArn?: string; readonly readOnlyRoleArn?: string }): string | undefined {
  return stack.readOnlyRoleArn ?? stack.roleArn;
}

/**
 * What the documents of environment `name` are built from.
 * @throws UserError naming a stack without roleArn: a pipeline role assumes each stack's role, so every stack needs one
 */
export function pipelineEnvironment(name: string, env: EnvironmentConfig): PipelineEnvironment {
  const stacks = [
    { id: producerStackId(name), stack: env.producer, field: `environments.${name}.producer.roleArn` },
    ...env.consumers.map((c, i) => ({ id: consumerStackId(name, c.name), stack: c, field: `environments.${name}.consumers[${i}].roleArn` })),
  ];
  const missing = stacks.find((s) => s.stack.roleArn === undefined);
  if (missing !== undefined) {
    throw new UserError(
      `${missing.id} has no roleArn (${missing.field}): the pipeline's roles reach each stack by assuming its role, so every stack of an environment the pipeline runs needs one, in the stack's own account`,
    );
  }
  return {
    name,
    partition: partitionOf(env.region),
    accountId: env.producer.accountId,
    deployRoles: stacks.map((s) => s.stack.roleArn as string),
    readOnlyRoles: stacks.map((s) => readOnlyRoleOf(s.stack) as string),
    backend: env.backend,
  };
}

const sorted = (values: readonly string[]): string[] => [...new Set(values)].sort();

/** `sts:AssumeRole` on the roles, typed by iam-floyd's `role` resource of STS. */
function assumeRoles(sid: string, roleArns: readonly string[]): Sts {
  const statement = new Sts(sid).allow().toAssumeRole();
  for (const arn of sorted(roleArns)) {
    const match = ROLE_ARN.exec(arn);
    if (match === null) throw new UserError(`${arn} is not an IAM role ARN`);
    statement.onRole(arn.slice(arn.indexOf(":role/") + ":role/".length), match[2], match[1]);
  }
  return statement;
}

/** The state statements of a role of `kind`, for the environment's backend. */
function stateStatements(env: PipelineEnvironment, kind: PipelineKind): Array<Sts | S3> {
  const backend = env.backend;
  if (backend?.type !== "s3") return [];
  if (kind === "apply" && backend.roleArn !== undefined) return [assumeRoles("AssumeStateRole", [backend.roleArn])];
  const readRole = backend.readOnlyRoleArn ?? backend.roleArn;
  if (kind === "read" && readRole !== undefined) return [assumeRoles("AssumeStateReadRole", [readRole])];
  const { bucket, keyPrefix } = backend;
  if (kind === "apply") {
    return [
      new S3("ListStateBucket").allow().toListBucket().onBucket(bucket, env.partition),
      new S3("ReadWriteStateAndLock").allow().toGetObject().toPutObject().onObject(bucket, `${keyPrefix}/*`, env.partition),
      new S3("DeleteLockFile").allow().toDeleteObject().onObject(bucket, `${keyPrefix}/*.tflock`, env.partition),
    ];
  }
  // npm run diff --read-only and npm run drift plan with -lock=false: reading is all the read role does to state.
  return [
    new S3("ListStateBucket").allow().toListBucket().onBucket(bucket, env.partition),
    new S3("ReadState").allow().toGetObject().onObject(bucket, `${keyPrefix}/*`, env.partition),
  ];
}

/** A statement as plain JSON in the order the other documents write it: Sid, Effect, Principal, Action, Resource, Condition. */
function plain(statement: Sts | S3): PipelineStatement {
  const json = statement.toJSON() as PipelineStatement;
  return {
    Sid: json.Sid,
    Effect: "Allow",
    ...(json.Principal ? { Principal: json.Principal } : {}),
    Action: [json.Action].flat().sort(),
    ...(json.Resource ? { Resource: json.Resource } : {}),
    ...(json.Condition ? { Condition: json.Condition } : {}),
  };
}

const documentOf = (statements: ReadonlyArray<Sts | S3>): PipelineDocument => ({ Version: "2012-10-17", Statement: statements.map(plain) });

/** The permission policy of the pipeline role of `kind`: the stack roles it assumes, and the state. */
export function pipelineRolePolicy(env: PipelineEnvironment, kind: PipelineKind): PipelineDocument {
  const stackRoles = kind === "apply" ? assumeRoles("AssumeStackDeployRoles", env.deployRoles) : assumeRoles("AssumeStackReadOnlyRoles", env.readOnlyRoles);
  return documentOf([stackRoles, ...stateStatements(env, kind)]);
}

/**
 * The trust policy of the pipeline role of `kind`: GitHub's OIDC provider in
 * the producer's account, the official action's audience, and the subject of
 * a job in that one GitHub environment of `repository`, compared exactly
 * (StringEquals, no wildcard: a job's subject is always this whole string).
 */
export function pipelineTrustPolicy(env: PipelineEnvironment, kind: PipelineKind, repository: string): PipelineDocument {
  const provider = `arn:${env.partition}:iam::${env.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
  const audience = env.partition === "aws-cn" ? "sts.amazonaws.com.cn" : "sts.amazonaws.com";
  const statement = new Sts("GitHubEnvironment")
    .allow()
    .toAssumeRoleWithWebIdentity()
    .forFederated(provider)
    .if(`${GITHUB_OIDC_HOST}:aud`, audience, "StringEquals")
    .if(`${GITHUB_OIDC_HOST}:sub`, `repo:${repository}:environment:${githubEnvironment(env.name, kind)}`, "StringEquals");
  return documentOf([statement]);
}

/** The role a trust document is for, with the pipeline roles that may assume it. */
export interface RoleTrust {
  readonly roleArn: string;
  readonly document: PipelineDocument;
}

/**
 * For every stack role and state role of `envs`, the statement its trust
 * policy needs: the pipeline roles that assume it, across environments (a
 * role several environments share trusts each one's pipeline roles).
 */
export function stackRoleTrust(envs: readonly PipelineEnvironment[]): RoleTrust[] {
  const trusted = new Map<string, Set<string>>();
  const add = (roleArn: string, principal: string) => trusted.set(roleArn, (trusted.get(roleArn) ?? new Set()).add(principal));
  for (const env of envs) {
    for (const role of env.deployRoles) add(role, pipelineRoleArn(env, "apply"));
    for (const role of env.readOnlyRoles) add(role, pipelineRoleArn(env, "read"));
    if (env.backend?.type === "s3" && env.backend.roleArn !== undefined) add(env.backend.roleArn, pipelineRoleArn(env, "apply"));
    const stateReadRole = env.backend?.type === "s3" ? (env.backend.readOnlyRoleArn ?? env.backend.roleArn) : undefined;
    if (stateReadRole !== undefined) add(stateReadRole, pipelineRoleArn(env, "read"));
  }
  return [...trusted.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([roleArn, principals]) => {
      const statement = new Sts("RedshiftEndpointsPipeline").allow().toAssumeRole();
      for (const principal of sorted([...principals])) statement.for(principal);
      return { roleArn, document: documentOf([statement]) };
    });
}

/** File name of a role's trust statement in DIR/trust: `<account>.<role name, path segments joined by dots>.json`. */
export function roleTrustFile(roleArn: string): string {
  const match = ROLE_ARN.exec(roleArn);
  if (match === null) throw new UserError(`${roleArn} is not an IAM role ARN`);
  return `${match[2]}.${roleArn
    .slice(roleArn.indexOf(":role/") + ":role/".length)
    .split("/")
    .join(".")}.json`;
}

/** Every document of the pipeline, by its path under DIR, and what a user must know about them. */
export interface PipelineDocuments {
  readonly files: ReadonlyArray<readonly [string, PipelineDocument]>;
  /** One line per environment left out, and per read role that can assume a deploy role. */
  readonly notes: readonly string[];
}

/**
 * The warning for an environment whose read role may assume a deploy role:
 * a stack without its own read-only role is read with its roleArn, so a pull
 * request's plan would run with deploy permissions.
 */
export function readRoleWarning(env: PipelineEnvironment): string | undefined {
  const backend = env.backend?.type === "s3" ? env.backend : undefined;
  const writesState =
    backend?.roleArn !== undefined && backend.readOnlyRoleArn === undefined
      ? [`${backend.roleArn} (the state role, which writes state; set backend.readOnlyRoleArn)`]
      : [];
  const shared = [...sorted(env.readOnlyRoles.filter((r) => env.deployRoles.includes(r))), ...writesState];
  if (shared.length === 0) return undefined;
  return `warning: ${env.name}'s read role (${pipelineRoleName(env.name, "read")}) may assume deploy roles (${shared.join(", ")}): a stack without readOnlyRoleArn is read with its roleArn, so a pull request's plan and the drift check would run with deploy permissions; give each stack a read-only role`;
}

/**
 * The pipeline's documents for every environment of `config` whose state is
 * not in Terraform Cloud: a `cloud` environment's runs get AWS credentials
 * from Terraform Cloud (docs/terraform-cloud.md), not from this pipeline.
 * An environment on local state gets its documents too (the example workflow
 * leaves it out, since a runner keeps no state between jobs).
 */
export function pipelineDocuments(config: Config, repository: string): PipelineDocuments {
  checkGitHubRepository(repository);
  const notes: string[] = [];
  const envs: PipelineEnvironment[] = [];
  for (const [name, env] of Object.entries(config.environments)) {
    if (env.backend?.type === "cloud")
      notes.push(`skipped ${name}: its state is in Terraform Cloud, whose runs get AWS credentials there (docs/terraform-cloud.md)`);
    else envs.push(pipelineEnvironment(name, env));
  }
  for (const env of envs) {
    const warning = readRoleWarning(env);
    if (warning !== undefined) notes.push(warning);
  }
  const files: Array<[string, PipelineDocument]> = [];
  for (const env of envs) {
    for (const kind of PIPELINE_KINDS) {
      files.push([pipelinePolicyFile(env.name, kind), pipelineRolePolicy(env, kind)]);
      files.push([join("trust", pipelinePolicyFile(env.name, kind)), pipelineTrustPolicy(env, kind, repository)]);
    }
  }
  for (const { roleArn, document } of stackRoleTrust(envs)) {
    const file = join("trust", roleTrustFile(roleArn));
    if (files.some(([f]) => f === file)) throw new UserError(`two roles would share the trust file ${file}; rename one of them`);
    files.push([file, document]);
  }
  return { files, notes };
}

/** Writes the pipeline's documents under `destDir` (see the file comment); returns the files written and the notes. */
export function writePipelinePolicies(config: Config, repository: string, destDir: string): { readonly written: string[]; readonly notes: readonly string[] } {
  const { files, notes } = pipelineDocuments(config, repository);
  if (files.length > 0) mkdirSync(join(destDir, "trust"), { recursive: true });
  const written = files.map(([name, doc]) => {
    const file = join(destDir, name);
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    return file;
  });
  return { written, notes };
}
