/**
 * lib/aws: how the commands that act on real AWS reach it, shared by verify,
 * adopt, drift and the deploy guards: the clients of one stack (its region,
 * its role), and reading AWS errors. It imports only the AWS SDK; the
 * rehearsal harness never sits behind it.
 *
 * This file: the clients of one stack, built from its target.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { RedshiftClient, type RedshiftClientConfig } from "@aws-sdk/client-redshift";
import { STSClient } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";

/** The account, role and region one stack deploys with; what a ClientFactory builds clients for. */
export interface StackTarget {
  readonly stack: string;
  readonly role: "producer" | "consumer";
  readonly accountId: string;
  /** Role to assume. @default the ambient credentials */
  readonly roleArn?: string;
  readonly region: string;
}

/** The AWS clients for one stack, all signed with that stack's credentials. */
export interface StackClients {
  readonly sts: STSClient;
  readonly redshift: RedshiftClient;
  readonly ec2: EC2Client;
}

/** Builds the clients for one stack. `verifyEnvironment` destroys them when it is done. */
export type ClientFactory = (target: StackTarget) => StackClients;

/** Options of the default client factory. */
export interface AwsClientFactoryOptions {
  /** Session name for assumed roles: the one CloudTrail shows for this command. */
  readonly roleSessionName: string;
  /** Attempts per AWS call, retries included. @default the SDK's (3) */
  readonly maxAttempts?: number;
}

/**
 * The real clients: each stack's `roleArn` is assumed with
 * `fromTemporaryCredentials` (once per stack, shared by its clients), or the
 * ambient credentials are used when it has none. The region is the
 * environment's.
 */
export function awsClientFactory(options: AwsClientFactoryOptions): ClientFactory {
  return (target) => {
    let credentials: RedshiftClientConfig["credentials"];
    if (target.roleArn !== undefined) {
      const assume = fromTemporaryCredentials({
        params: { RoleArn: target.roleArn, RoleSessionName: options.roleSessionName },
        clientConfig: { region: target.region },
      });
      let assumed: ReturnType<typeof assume> | undefined;
      credentials = () => (assumed ??= assume());
    }
    const config = {
      region: target.region,
      ...(credentials === undefined ? {} : { credentials }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    };
    return { sts: new STSClient(config), redshift: new RedshiftClient(config), ec2: new EC2Client(config) };
  };
}
