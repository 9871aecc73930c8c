/**
 * The whole app, synthesized the way `npm run synth` does it: cross-stack
 * references, manifest dependencies, local state paths, reproducible bytes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { listFiles, readStack, runSynth, tempDir, validConfig } from "../helpers";

const SHIPPED = path.join(__dirname, "..", "..", "config", "environments.json");

function synthOk(config: unknown = validConfig(), dir?: string) {
  const run = runSynth(config, dir);
  expect(run.stderr).toBe("");
  expect(run.exitCode).toBe(0);
  return run;
}

describe("wiring", () => {
  test("the shipped config gives a producer and a consumer stack per environment", () => {
    const run = synthOk(JSON.parse(fs.readFileSync(SHIPPED, "utf8")));
    const manifest = JSON.parse(fs.readFileSync(path.join(run.outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "dev-consumer-bi",
      "dev-producer",
      "prod-consumer-bi",
      "prod-producer",
      "stg-consumer-bi",
      "stg-producer",
    ]);
  });

  test("the endpoint reads cluster identifier and grantor from the producer's authorization through remote state", () => {
    const { outdir } = synthOk();
    const producer = readStack(outdir, "dev-producer");
    const consumer = readStack(outdir, "dev-consumer-bi");
    const endpoint = Object.values(consumer.resource.aws_redshift_endpoint_access)[0] as any;
    const remote = "data.terraform_remote_state.cross-stack-reference-input-dev-producer.outputs";
    const [, clusterOutput] = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-dev-producer\.outputs\.([\w-]+)\}$/.exec(
      endpoint.cluster_identifier,
    )!;
    const [, ownerOutput] = new RegExp(`^\\$\\{${remote.replace(/\./g, "\\.")}\\.([\\w-]+)\\}$`).exec(endpoint.resource_owner)!;
    expect(producer.output[clusterOutput].value).toBe("${aws_redshift_endpoint_authorization.authorization-222222222222.cluster_identifier}");
    expect(producer.output[ownerOutput].value).toBe("${aws_redshift_endpoint_authorization.authorization-222222222222.grantor}");
  });

  test("the manifest orders the producer before its consumer", () => {
    const { outdir } = synthOk();
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks["dev-consumer-bi"].dependencies).toEqual(["dev-producer"]);
    expect(manifest.stacks["dev-producer"].dependencies).toEqual([]);
  });

  test("a same-account consumer reads the cluster identifier from the producer's cluster data source", () => {
    const config = validConfig();
    Object.assign(config.environments.dev.consumers[0], { accountId: "111111111111", roleArn: "arn:aws:iam::111111111111:role/deploy" });
    const { outdir } = synthOk(config);
    const producer = readStack(outdir, "dev-producer");
    expect(producer.resource).toBeUndefined();
    const endpoint = Object.values(readStack(outdir, "dev-consumer-bi").resource.aws_redshift_endpoint_access)[0] as any;
    const [, output] = /outputs\.([\w-]+)\}$/.exec(endpoint.cluster_identifier)!;
    expect(producer.output[output].value).toBe("${data.aws_redshift_cluster.cluster.cluster_identifier}");
    expect(endpoint.resource_owner).toBe("111111111111");
  });

  test("local state lives outside cdktf.out, and the consumer's remote state reads the producer's state file", () => {
    const { outdir, dir } = synthOk();
    const producer = readStack(outdir, "dev-producer");
    const consumer = readStack(outdir, "dev-consumer-bi");
    const producerPath = producer.terraform.backend.local.path;
    expect(producerPath).toBe("../../../terraform.dev-producer.tfstate");
    expect(consumer.terraform.backend.local.path).toBe("../../../terraform.dev-consumer-bi.tfstate");
    const remote = consumer.data.terraform_remote_state["cross-stack-reference-input-dev-producer"];
    expect(remote.backend).toBe("local");
    const producerStateFile = path.resolve(outdir, "stacks", "dev-producer", producerPath);
    const readFromConsumer = path.resolve(outdir, "stacks", "dev-consumer-bi", remote.config.path);
    expect(readFromConsumer).toBe(producerStateFile);
    expect(producerStateFile).toBe(path.join(dir, "terraform.dev-producer.tfstate"));
    expect(path.relative(outdir, producerStateFile).startsWith("..")).toBe(true);
  });

  test("synthesizing the same config in two folders gives identical bytes, with no machine path in them", () => {
    const a = synthOk();
    const b = synthOk();
    expect(a.files).toEqual(b.files);
    for (const file of a.files) {
      const text = fs.readFileSync(path.join(a.outdir, file), "utf8");
      expect(text).toBe(fs.readFileSync(path.join(b.outdir, file), "utf8"));
      expect(text).not.toContain(a.dir);
    }
  });

  test("no credential appears in any synthesized file", () => {
    const { outdir, files } = synthOk(JSON.parse(fs.readFileSync(SHIPPED, "utf8")));
    for (const file of files) {
      const text = fs.readFileSync(path.join(outdir, file), "utf8");
      expect(text).not.toMatch(/"(access_key|secret_key|token|password|session_token)"\s*:/);
      expect(text).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
    }
  });

  test("re-synthesizing keeps what terraform left in a stack folder and drops stacks that are gone", () => {
    const dir = tempDir();
    const config = validConfig();
    config.environments.dev.consumers.push({
      ...config.environments.dev.consumers[0],
      name: "ml",
      vpcId: "vpc-0a1b2c3d4e5f60799",
      endpointName: "lake-dev-ml",
    });
    synthOk(config, dir);
    const lock = path.join(dir, "cdktf.out", "stacks", "dev-consumer-bi", ".terraform.lock.hcl");
    fs.writeFileSync(lock, "# lock");
    fs.writeFileSync(path.join(dir, "terraform.dev-producer.tfstate"), "{}");
    config.environments.dev.consumers.pop();
    const run = synthOk(config, dir);
    expect(fs.readFileSync(lock, "utf8")).toBe("# lock");
    expect(run.files.some((f) => f.includes("dev-consumer-ml"))).toBe(false);
    expect(fs.readFileSync(path.join(dir, "terraform.dev-producer.tfstate"), "utf8")).toBe("{}");
    expect(listFiles(dir).filter((f) => f.includes("staging"))).toEqual([]);
  });

  test("re-synthesizing leaves a stack file whose bytes are unchanged in place, and replaces one that changed", () => {
    const dir = tempDir();
    const config = validConfig();
    synthOk(config, dir);
    const stackFile = (id: string) => path.join(dir, "cdktf.out", "stacks", id, "cdk.tf.json");
    const inode = (id: string) => fs.statSync(stackFile(id)).ino;
    const before = { producer: inode("dev-producer"), consumer: inode("dev-consumer-bi") };
    const consumerBytes = fs.readFileSync(stackFile("dev-consumer-bi"), "utf8");
    config.environments.dev.consumers[0].allowedCidrs.push("10.30.0.0/16");
    synthOk(config, dir);
    expect(inode("dev-producer")).toBe(before.producer);
    expect(inode("dev-consumer-bi")).not.toBe(before.consumer);
    expect(fs.readFileSync(stackFile("dev-consumer-bi"), "utf8")).not.toBe(consumerBytes);
    expect(readStack(path.join(dir, "cdktf.out"), "dev-consumer-bi").resource.aws_vpc_security_group_ingress_rule).toHaveProperty(["ingress-10-30-0-0-16"]);
  });
});
