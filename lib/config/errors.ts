/**
 * The error a user can fix. In its own module, free of zod and cdktf, so a
 * synth worker thread can load the synth code without the config schema.
 */

/** A problem the user can fix by editing input. Printed without a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
