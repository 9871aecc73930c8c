/**
 * Reading AWS SDK errors the same way in every operations command: by the
 * service's error code, and as one line without a stack trace.
 */

/** True when `e` is the AWS error `code`, with or without the SDK's `Fault`/`Exception` suffix. */
export function isAwsError(e: unknown, code: string): boolean {
  if (!(e instanceof Error)) return false;
  const names = [e.name, (e as { Code?: unknown }).Code].filter((n): n is string => typeof n === "string");
  return names.some((n) => n === code || n === `${code}Fault` || n === `${code}Exception`);
}

/** `Name: first line of the message`, with no stack trace. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const message = e.message.split("\n")[0].trim();
  return message === "" ? e.name : `${e.name}: ${message}`;
}
