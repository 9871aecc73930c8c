/**
 * A cheaper equivalent of cdktf's `TerraformStack.prepareStack()`.
 *
 * Before writing any stack, cdktf 0.21 resolves every attribute of every
 * element of every stack once in "preparing" mode, only so that each token
 * that refers to another stack (`Reference.resolve` with `preparing` set, the
 * only code that reads the flag) can register the cross-stack output, the
 * remote-state data source and the stack dependency. That pass cost about a
 * quarter of synth time at 999 stacks, though almost every value it visits is
 * a plain string, number or key.
 *
 * `prepareTokens` walks the same values and hands cdktf's own resolver, in
 * preparing mode, only what can hold a token: any string that contains a
 * token marker or an encoded number, any token number, any resolvable object,
 * any array with a token element (cdktf resolves those as list tokens) and
 * any object with a token key (map tokens). Everything cdktf would register,
 * it registers, in the same order; test/stacks/prepare.test.ts checks that the
 * synthesized output is byte-identical to cdktf's own pass.
 */
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformStack, Token, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

/** Common to cdktf's string, list and map token markers (`${TfToken[`, `#{TfToken[`, `&{TfToken[`). */
const TOKEN_MARKER = "{TfToken[";

/**
 * A token number written into a string is a huge double (about 1e289), so its
 * text always has an exponent; any string with one is left to cdktf to decide.
 */
const NUMBER_EXPONENT = "e+";

/** Deeper than this, the value is handed to cdktf whole, which reports cycles as it always does. */
const MAX_DEPTH = 100;

const resolver = new DefaultTokenResolver(new StringConcat());

/**
 * Does what `prepareStack()` does: ensure a backend, then a preparing resolve
 * of every token in every element. When a value cannot be resolved, the
 * element is prepared again by cdktf's own pass, so that the error is cdktf's,
 * word for word, with the value's path in the element.
 */
export function prepareTokens(stack: TerraformStack): void {
  stack.ensureBackendExists();
  for (const element of elementsOf(stack)) {
    try {
      visit(stack, element.toTerraform(), 0);
    } catch (e) {
      prepare(stack, element.toTerraform());
      throw e;
    }
  }
}

function visit(stack: TerraformStack, value: unknown, depth: number): void {
  if (typeof value === "string" || typeof value === "number") {
    if (mayBeToken(value)) prepare(stack, value);
    return;
  }
  if (value === null || value === undefined || typeof value === "boolean") return;
  if (typeof value !== "object" || depth > MAX_DEPTH) {
    prepare(stack, value);
    return;
  }
  if (Array.isArray(value)) {
    if (value.some(mayBeToken)) prepare(stack, value);
    else for (const item of value) visit(stack, item, depth + 1);
    return;
  }
  if (!isPlainObject(value) || Tokenization.isResolvable(value)) {
    prepare(stack, value);
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some(mayBeToken)) {
    prepare(stack, value);
    return;
  }
  for (const key of keys) visit(stack, record[key], depth + 1);
}

function mayBeToken(value: unknown): boolean {
  if (typeof value === "string") return value.includes(TOKEN_MARKER) || value.includes(NUMBER_EXPONENT);
  if (typeof value === "number") return Token.isUnresolved(value) || Token.isUnresolved([value]);
  return false;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function prepare(stack: TerraformStack, value: unknown): void {
  Tokenization.resolve(value, { scope: stack, preparing: true, resolver });
}

/** The stack's Terraform elements, in cdktf's order, without those of nested stacks. */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (!TerraformStack.isStack(child)) elementsOf(child, into);
  }
  return into;
}
