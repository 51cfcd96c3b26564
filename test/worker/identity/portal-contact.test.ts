// The portal's login form (agent/portal/form/login-form.ts) and the edge share one contact
// normalizer (worker/message/contact.ts): run here, in workerd, beside the identity rules.
import { describe, expect, it } from "vitest";
import { toE164, validateLoginForm } from "../../../agent/portal/form/login-form.ts";
import { extractIdentifiers } from "../../../worker/identity/identifiers.ts";
import { resolve } from "../../../worker/identity/resolve.ts";
import { DEFAULT_IDENTITY_RULES } from "../../../worker/identity/settings.ts";
import type { NormalizedMessage } from "../../../worker/message/message.ts";
import { message } from "./message-builder.ts";

describe("one contact normalizer for the portal and the edge", () => {
  it("a national number typed on the portal and the international form sent to /v1/identify key one profile", () => {
    const form = validateLoginForm(
      { email: "ana@example.com", terms: "yes", phone: "06 12 34 56 78" },
      { name: "off", phone: "required", phoneCountry: "FR" },
    );
    if (!form.ok) throw new Error("form refused");
    expect(form.login.phone).toBe("+33612345678");
    const portalIdentify = message("identify", {
      anonymousId: "guest-1",
      traits: { email: form.login.email, phone: form.login.phone ?? null },
    });
    const sdkIdentify = message("identify", {
      userId: "u-ana",
      traits: { phone: "+33 6 12 34 56 78" },
    });
    // Equal normalized values give equal keyed hashes (worker/identity/hashing.ts, identifierKey),
    // so the keys compared here before hashing are the keys the graph matches.
    const phoneKeys = (m: NormalizedMessage) =>
      extractIdentifiers(m, DEFAULT_IDENTITY_RULES)
        .identifiers.filter((i) => i.type === "phone")
        .map((i) => `${i.collection}/${i.type}:${i.value}`);
    const fromPortal = phoneKeys(portalIdentify);
    expect(fromPortal).toEqual(["users/phone:+33612345678"]);
    expect(phoneKeys(sdkIdentify)).toEqual(fromPortal);
    // The identity rules then place the SDK's event on the profile the portal login created.
    const resolved = resolve({
      rules: DEFAULT_IDENTITY_RULES,
      at: 0,
      identifiers: extractIdentifiers(sdkIdentify, DEFAULT_IDENTITY_RULES).identifiers,
      mappings: new Map(fromPortal.map((k) => [k, "use_portal"])),
      profiles: new Map([
        ["use_portal", { id: "use_portal", createdAt: 0, mergeCount: 0, identifiers: [] }],
      ]),
    });
    expect(resolved).toMatchObject({ action: "attach", profileId: "use_portal" });
  });

  it("without a country, a national number is refused rather than guessed", () => {
    expect(toE164("06 12 34 56 78")).toBeUndefined();
    expect(toE164("06 12 34 56 78", "FR")).toBe("+33612345678");
  });
});
