// Raw PII is Segment's PII Access grant's to open (worker/admin/auth/roles.ts): a token without the
// grant may tighten a PII policy but never make a class `raw` that was not raw before, in the
// storage policy, the destination default, a named destination's policy or a destination's own
// (the review's finding: an Editor set storage to `raw` and the masked read returned raw values).
import { ApiError } from "../../errors.ts";
import type { Grant } from "./roles.ts";
import {
  actionFor,
  PII_CLASSES,
  policyForDestination,
  type PiiPolicy,
  type PrivacyPolicy,
} from "../../gate/index.ts";

/** The fields (`at.classes.email`, `at.default`) that `after` makes raw where `before` did not. */
export function newlyRaw(before: PiiPolicy, after: PiiPolicy, at: string): string[] {
  const out: string[] = [];
  if (after.default === "raw" && before.default !== "raw") out.push(`${at}.default`);
  for (const cls of PII_CLASSES) {
    if (actionFor(after, cls) === "raw" && actionFor(before, cls) !== "raw")
      out.push(`${at}.classes.${cls}`);
  }
  return out;
}

/** As `newlyRaw`, over a space's whole privacy policy. */
export function newlyRawInPrivacy(before: PrivacyPolicy, after: PrivacyPolicy): string[] {
  return [
    ...newlyRaw(before.storage, after.storage, "storage"),
    ...newlyRaw(before.destinationDefault, after.destinationDefault, "destinationDefault"),
    ...Object.keys(after.destinations).flatMap((name) =>
      newlyRaw(
        policyForDestination(before, name),
        policyForDestination(after, name),
        `destinations.${name}`,
      ),
    ),
  ];
}

/** Throws 403 `pii_grant_required` naming the first field when raw is opened without the grant. */
export function assertRawAllowed(grants: readonly Grant[], opened: readonly string[]): void {
  if (opened.length === 0 || grants.includes("pii_access")) return;
  throw new ApiError(
    403,
    "pii_grant_required",
    `making PII raw needs the PII Access grant: ${opened.join(", ")}`,
    { field: opened[0] },
  );
}
