/** The JSON Schema of config/environments.json, generated from the zod schema. */
import { z } from "zod";
import { ConfigSchema } from "./schema";

export function jsonSchemaText(): string {
  const schema = z.toJSONSchema(ConfigSchema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "Redshift-managed VPC endpoints: environments" }, null, 2)}\n`;
}
