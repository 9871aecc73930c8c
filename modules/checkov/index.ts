/**
 * In-code suppressions for checkov's terraform_json runner, which reads them
 * from a block's `//` metadata. Like a cdk-nag suppression, each one is local
 * to one resource and must carry a written reason.
 */
import type { TerraformElement } from "cdktf";

export interface CheckovSuppression {
  /** The check id, for example `CKV2_AWS_5`. */
  readonly id: string;
  /** Why the check does not apply to this resource. Required, and not blank. */
  readonly comment: string;
}

/** Marks checks as not applicable to `element`, each with its reason. */
export function suppressCheckov(element: TerraformElement, ...suppressions: CheckovSuppression[]): void {
  for (const s of suppressions) {
    if (!/^CKV2?_[A-Z0-9]+_\d+$/.test(s.id)) throw new Error(`${element.node.path}: "${s.id}" is not a checkov check id`);
    if (s.comment.trim().length < 10) throw new Error(`${element.node.path}: suppressing ${s.id} needs a written reason`);
  }
  element.addOverride(
    "//.checkov.skip",
    suppressions.map((s) => ({ id: s.id, comment: s.comment })),
  );
}
