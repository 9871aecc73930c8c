/**
 * The endpoint-name rule of the CreateEndpointAccess API, which the construct
 * checks at synth. It lives with the module so that the module needs nothing
 * outside its own folder; this repository's config schema imports it from here.
 */

/** The CreateEndpointAccess rule for `EndpointName`, stricter than the provider's own check. */
export const ENDPOINT_NAME_RULE =
  "1-30 characters, starting with a lowercase letter, only lowercase letters, digits and hyphens, no two consecutive hyphens, not ending with a hyphen";

/** Returns the reasons an endpoint name breaks the AWS API rule; empty when it is valid. */
export function endpointNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < 1 || name.length > 30) problems.push(`must be 1-30 characters (has ${name.length})`);
  if (!/^[a-z]/.test(name)) problems.push("must start with a lowercase letter");
  if (/[^a-z0-9-]/.test(name)) problems.push("may contain only lowercase letters, digits and hyphens");
  if (name.includes("--")) problems.push("must not contain two consecutive hyphens");
  if (name.endsWith("-")) problems.push("must not end with a hyphen");
  return problems;
}
