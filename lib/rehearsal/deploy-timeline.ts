/**
 * What a `cdktf deploy`'s output says about when each stack created its
 * endpoint. cdktf prints every stack's lines as they come, each prefixed with
 * the stack id, so the order of the lines is the order of the events:
 *
 *   dev-consumer-bi  aws_redshift_endpoint_access.endpoint_F9556B44: Creating...
 *   dev-consumer-bi  aws_redshift_endpoint_access.endpoint_F9556B44: Creation complete after 31s [id=lake-dev-bi]
 *
 * A chunk of several lines is printed with the stack id on its first line
 * only; the next lines are indented by the id's width instead, and belong to
 * the same stack.
 *
 * Used by the deploy tier to prove that consumer stacks deploy side by side
 * (an ordering, not a timing, so it holds on a slow or busy machine) and by
 * `npm run bench:deploy` to report how long the provider waited for each
 * endpoint (its waiter polls first after 30 s).
 */
import { stripVTControlCharacters } from "node:util";

/** One endpoint create, as the deploy's output reports it. */
export interface EndpointCreation {
  /** The stack id that created it. */
  readonly stack: string;
  /** Line number (0-based) of its `Creating...` line. */
  readonly startLine: number;
  /** Line number of its `Creation complete` line; undefined when the output has none (the create failed or is still running). */
  readonly completeLine?: number;
  /** The seconds the provider reported in `Creation complete after Ns`. */
  readonly seconds?: number;
}

const PREFIXED = /^(\S+)\s{2,}(.*)$/;
const EVENT = /^aws_redshift_endpoint_access\.\S+: (Creating\.\.\.|Creation complete after (?:(\d+)m)?(\d+)s)/;

/** Every endpoint create in `output` (a cdktf deploy's combined stdout and stderr), in the order they started. */
export function endpointCreations(output: string): EndpointCreation[] {
  const started = new Map<string, { startLine: number; completeLine?: number; seconds?: number }>();
  let stack: string | undefined;
  for (const [i, raw] of stripVTControlCharacters(output).split("\n").entries()) {
    const prefixed = PREFIXED.exec(raw);
    if (prefixed) stack = prefixed[1];
    const match = EVENT.exec(prefixed ? prefixed[2] : raw.trim());
    if (!match || stack === undefined) continue;
    const [, event, minutes, seconds] = match;
    if (event === "Creating...") {
      if (!started.has(stack)) started.set(stack, { startLine: i });
      continue;
    }
    const entry = started.get(stack);
    if (entry && entry.completeLine === undefined) {
      entry.completeLine = i;
      entry.seconds = Number(minutes ?? 0) * 60 + Number(seconds);
    }
  }
  return [...started].map(([stack, e]) => ({ stack, ...e }));
}

/**
 * Why `creations` were not side by side, or undefined when they were: every
 * endpoint's create started before any of them completed, so no stack waited
 * for another's endpoint. `expected` names the stacks that must each have
 * created one and completed it.
 */
export function sideBySideProblem(creations: readonly EndpointCreation[], expected: readonly string[]): string | undefined {
  const byStack = new Map(creations.map((c) => [c.stack, c]));
  const missing = expected.filter((s) => byStack.get(s)?.completeLine === undefined);
  if (missing.length > 0) return `no completed endpoint create in the output for ${missing.join(", ")}`;
  const mine = expected.map((s) => byStack.get(s) as EndpointCreation & { completeLine: number });
  const firstDone = mine.reduce((a, b) => (b.completeLine < a.completeLine ? b : a));
  const late = mine.filter((c) => c.startLine > firstDone.completeLine).map((c) => c.stack);
  return late.length > 0
    ? `${late.join(", ")} started creating its endpoint only after ${firstDone.stack}'s was complete: the stacks deployed one after another`
    : undefined;
}
