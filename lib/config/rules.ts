/**
 * Value rules of the config schema and its cross-field checks.
 *
 * Each rule is a predicate plus the sentence that a user sees when it fails,
 * so the schema and the cross-field checks speak alike. The endpoint-name
 * rule is the reusable module's own (modules/redshift-endpoint/endpoint-name.ts):
 * the schema imports it from there, so the module and the config agree.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";

/** AWS region codes in the `aws`, `aws-cn` and `aws-us-gov` partitions. */
export const AWS_REGIONS: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "cn-north-1",
  "cn-northwest-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-gov-east-1",
  "us-gov-west-1",
  "us-west-1",
  "us-west-2",
];

/** The port ranges a cluster that serves Redshift-managed VPC endpoints may listen on. */
export const PORT_RANGES: ReadonlyArray<readonly [number, number]> = [
  [5431, 5455],
  [8191, 8215],
];

export function isAllowedPort(port: number): boolean {
  return PORT_RANGES.some(([lo, hi]) => port >= lo && port <= hi);
}

export const ACCOUNT_ID = /^\d{12}$/;
export const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
export const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** Stack-id-safe names: they become `<env>-producer` and `<env>-consumer-<name>`. */
export const STACK_SAFE_NAME = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$/;
/** Redshift cluster identifiers (CreateCluster API rule). */
export const CLUSTER_IDENTIFIER = /^(?=.{1,63}$)[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$/;

export interface CidrCheck {
  readonly ok: boolean;
  readonly reason?: string;
}

/** Validates an IPv4 or IPv6 CIDR: a real network address, host bits zero, never `/0`. */
export function checkCidr(cidr: string): CidrCheck {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return { ok: false, reason: "must be an IPv4 or IPv6 CIDR such as 10.20.0.0/16" };
  const [, address, prefixText] = m;
  const prefix = Number(prefixText);
  let bits: number;
  let value: bigint;
  if (isIPv4(address)) {
    bits = 32;
    value = address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
  } else if (isIPv6(address) && !address.includes(".")) {
    bits = 128;
    value = ipv6ToBigInt(address);
  } else {
    return { ok: false, reason: "must be an IPv4 or IPv6 CIDR such as 10.20.0.0/16" };
  }
  if (prefix > bits) return { ok: false, reason: `prefix length must be 1-${bits}` };
  if (prefix === 0) {
    return { ok: false, reason: "must not be /0: the endpoint is private, so ingress open to every address is refused" };
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = value & ~hostMask;
    const suggestion = bits === 32 ? bigIntToIPv4(network) : bigIntToIPv6(network);
    return { ok: false, reason: `host bits must be zero (did you mean ${suggestion}/${prefix}?)` };
  }
  return { ok: true };
}

function ipv6ToBigInt(address: string): bigint {
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}

function bigIntToIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 255n).toString()).join(".");
}

function bigIntToIPv6(value: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups
    .join(":")
    .replace(/(^|:)0(:0)+(:|$)/, "::")
    .replace(/:{3,}/, "::");
}

/**
 * Whether the network `cidr` lies inside one of `networks` (node's BlockList
 * decides whether its address is in each; its prefix must be no shorter).
 * An address family never lies inside the other's networks; a malformed
 * CIDR lies inside none.
 */
export function cidrWithin(cidr: string, networks: readonly string[]): boolean {
  const split = (c: string) => {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(c);
    if (!m) return undefined;
    const family = isIPv4(m[1]) ? ("ipv4" as const) : isIPv6(m[1]) ? ("ipv6" as const) : undefined;
    return family === undefined ? undefined : { address: m[1], prefix: Number(m[2]), family };
  };
  const inner = split(cidr);
  if (inner === undefined) return false;
  return networks.some((n) => {
    const outer = split(n);
    if (outer === undefined || outer.family !== inner.family || inner.prefix < outer.prefix) return false;
    const list = new BlockList();
    list.addSubnet(outer.address, outer.prefix, outer.family);
    return list.check(inner.address, inner.family);
  });
}
