import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../worker/platform/digest.ts";
import { parseConsentSettings } from "../../../worker/gate/consent/settings.ts";
import {
  destinationForms,
  storedForm,
  type EdgePrivacyConfig,
} from "../../../worker/gate/edge-privacy.ts";
import { parsePrivacyPolicy } from "../../../worker/gate/pii/policy-validate.ts";
import { identifyWithPii } from "./pii-fixtures.ts";
import { keyedHex, storageHashKey } from "../../../worker/gate/pii/storage-hash.ts";

const config: EdgePrivacyConfig = {
  consent: parseConsentSettings({
    categories: ["Advertising", "Analytics"],
    destinations: {
      "Facebook Conversions API": ["Advertising"],
      "Google Analytics 4": ["Analytics"],
    },
  }),
  policy: parsePrivacyPolicy({
    destinations: {
      "Facebook Conversions API": { phoneFormat: "digits" },
      "Customer.io": { default: "raw" },
    },
  }),
  ipMode: "truncate",
};

describe("edge privacy, end to end on one identify", () => {
  it("stores PII hashed, the IP truncated and no card number", async () => {
    const key = await storageHashKey("ab".repeat(32));
    const { message, fields } = await storedForm(identifyWithPii(), config, key);
    const text = JSON.stringify(message);
    expect(text).not.toMatch(/john_smith@gmail\.com|Mary|555-1212|4111|203\.0\.113\.42/i);
    // Keyed under the space's secret: not the bare SHA-256 anyone could recompute.
    expect(message.traits?.email).toBe(await keyedHex(key, "john_smith@gmail.com"));
    expect(message.traits?.email).not.toBe(await sha256Hex("john_smith@gmail.com"));
    expect(message.context.ip).toBe("203.0.113.0");
    expect(fields.find((f) => f.path === "traits.notes")?.outcome).toBe("dropped");
  });

  it("sends each destination what its consent and policy allow", async () => {
    const outcomes = await destinationForms(
      identifyWithPii(),
      ["Facebook Conversions API", "Google Analytics 4", "Customer.io"],
      config,
    );
    const meta = outcomes["Facebook Conversions API"];
    expect(meta?.decision).toEqual({ allowed: true, reason: "CONSENT_GRANTED" });
    expect(meta?.message?.traits?.["Phone Number"]).toBe(await sha256Hex("16505551212"));
    expect(outcomes["Google Analytics 4"]).toEqual({
      decision: {
        allowed: false,
        reason: "FILTERED_BY_END_USER_CONSENT",
        missingCategories: ["Analytics"],
        detail: "a consent category the destination is mapped to is not granted",
      },
    });
    const cio = outcomes["Customer.io"];
    expect(cio?.decision.reason).toBe("DESTINATION_NOT_MAPPED");
    expect(cio?.message?.traits?.email).toBe("  John_Smith@Gmail.com ");
    expect(cio?.message?.context.ip).toBe("203.0.113.0");
    expect(JSON.stringify(cio?.message)).not.toContain("4111");
  });
});
