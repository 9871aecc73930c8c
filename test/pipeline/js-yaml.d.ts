/**
 * js-yaml 3 is in node_modules through jest (istanbul's nyc config loader), with no
 * types of its own there; test/pipeline/workflow.ts calls this one function.
 */
declare module "js-yaml" {
  export function safeLoad(text: string, options?: { readonly filename?: string }): unknown;
}
