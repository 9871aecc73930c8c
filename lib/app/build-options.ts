/**
 * Where a build puts what it makes. Its own file so that both halves of the
 * build (lib/app/index.ts and lib/app/bootstrap.ts) use it without importing
 * each other.
 */
import type { Adoptions } from "../config/adoption";

export interface BuildOptions {
  /** Absolute folder where local state files live (the project root). */
  readonly stateDir: string;
  /** Absolute final synth output folder (`cdktf.out`). */
  readonly outdir: string;
  /**
   * The hashicorp/aws version the stacks require, when the engine that will
   * run them has another one than the bindings were generated for (the
   * offline toolchain's mirror: lib/rehearsal/engine.ts).
   * @default the version @cdktf/provider-aws was generated for
   */
  readonly awsProviderVersion?: string;
  /**
   * What each environment imports instead of creating: its adoption file
   * (`config/adopted/<env>.json`, written by `npm run adopt`).
   * @default none: every resource is created
   */
  readonly adoptions?: Adoptions;
}
