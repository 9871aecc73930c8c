/**
 * State backends, one per stack, chosen per environment.
 *
 * - local: a state file next to the project, outside `cdktf.out`, written as a
 *   path relative to the stack's working folder so that the synthesized JSON
 *   holds no path of the machine that made it;
 * - s3: one encrypted key per stack, locked with S3's own lock file;
 * - cloud: one Terraform Cloud workspace per stack.
 *
 * A consumer's cross-stack remote state is derived by cdktf from the
 * producer's backend, so it always reads exactly what the producer writes.
 */
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from "cdktf";
import * as path from "node:path";

export interface LocalStateBackend {
  readonly type: "local";
  /** Absolute folder that holds the state files (the project root). */
  readonly stateDir: string;
  /** Absolute synth output folder, whose `stacks/<id>` is each stack's working folder. */
  readonly outdir: string;
}

export interface S3StateBackend {
  readonly type: "s3";
  readonly bucket: string;
  readonly region: string;
  /** Each stack's key is `<keyPrefix>/<stackId>.tfstate`. */
  readonly keyPrefix: string;
  /** @default the ambient credentials */
  readonly roleArn?: string;
}

export interface CloudStateBackend {
  readonly type: "cloud";
  readonly organization: string;
  /** Each stack's workspace is `<workspacePrefix>-<stackId>`. */
  readonly workspacePrefix: string;
  /** @default HCP Terraform */
  readonly hostname?: string;
  /** @default the organization's default project */
  readonly project?: string;
}

export type StateBackend = LocalStateBackend | S3StateBackend | CloudStateBackend;

/** The name of a stack's Terraform Cloud workspace. */
export function workspaceName(workspacePrefix: string, stackId: string): string {
  return `${workspacePrefix}-${stackId}`;
}

/** The local state path of a stack, relative to its working folder `<outdir>/stacks/<id>`. */
export function localStatePath(backend: LocalStateBackend, stackId: string): string {
  const workingDir = path.join(backend.outdir, "stacks", stackId);
  return path
    .relative(workingDir, path.join(backend.stateDir, `terraform.${stackId}.tfstate`))
    .split(path.sep)
    .join("/");
}

export function configureBackend(stack: TerraformStack, backend: StateBackend): void {
  const stackId = stack.node.id;
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(backend, stackId) });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${stackId}.tfstate`,
        region: backend.region,
        encrypt: true,
        assumeRole: backend.roleArn ? { roleArn: backend.roleArn } : undefined,
      });
      // S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no prop for it yet.
      s3.addOverride("use_lockfile", true);
      return;
    }
    case "cloud":
      new CloudBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: new NamedCloudWorkspace(workspaceName(backend.workspacePrefix, stackId), backend.project),
      });
      return;
  }
}
