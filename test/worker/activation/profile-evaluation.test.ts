// The pure side of a profile's activation: history from stored messages, evaluation with the
// next alarm instant, what counts as a change, and the consent and ids the messages carry.
import { describe, expect, it } from "vitest";
import {
  profileConsentPreferences,
  profileRef,
  changeMessages,
} from "../../../worker/activation/change-messages.ts";
import {
  changesSince,
  definitionsFromStored,
  evaluateProfile,
  historyEvent,
  type ActivationDefinitions,
} from "../../../worker/activation/profile-evaluation.ts";
import { DAY_MS } from "../../../worker/activation/history.ts";
import { identifyCall, orderCompleted } from "../destinations/recording-fetch.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const defs: ActivationDefinitions = definitionsFromStored([
  {
    kind: "computed_trait",
    key: "orders_30d",
    id: "trt_1",
    version: 1,
    mode: "identify",
    definition: {
      key: "orders_30d",
      kind: "event_counter",
      event: { event: "Order Completed" },
      window: { type: "within", days: 30 },
    },
  },
  {
    kind: "audience",
    key: "buyers",
    id: "aud_1",
    version: 3,
    mode: "both",
    definition: {
      key: "buyers",
      name: "Buyers",
      condition: { kind: "computed_trait", key: "orders_30d", operator: "at_least", value: 1 },
    },
  },
  {
    kind: "audience",
    key: "broken",
    id: "aud_2",
    version: 1,
    mode: "both",
    definition: { key: "broken" },
  },
  { kind: "other", key: "x", id: "x", version: 1, mode: "fax", definition: {} },
]);

describe("profile evaluation", () => {
  it("keeps only valid stored definitions and defaults unknown modes to identify", () => {
    expect(defs.traits.map((t) => t.key)).toEqual(["orders_30d"]);
    expect(defs.audiences.map((a) => [a.key, a.mode])).toEqual([["buyers", "both"]]);
  });

  it("reads page and screen calls as Page Viewed / Screen Viewed with their name", () => {
    const page = historyEvent({
      ...identifyCall(),
      type: "page",
      name: "Home",
      properties: { url: "/" },
    });
    expect(page).toEqual({
      type: "page",
      event: "Page Viewed",
      properties: { url: "/", page_name: "Home" },
      timestamp: "2026-01-15T09:59:00.000Z",
      messageId: "msg-0002",
      userId: "user-123",
      anonymousId: "anon-456",
    });
    expect(historyEvent(identifyCall()).event).toBeUndefined();
  });

  it("evaluates traits before audiences and gives the window's end as the next change", () => {
    const at = NOW - 10 * DAY_MS;
    const history = [historyEvent(orderCompleted({ timestamp: new Date(at).toISOString() }))];
    const result = evaluateProfile(defs, history, {}, NOW);
    expect(result.snapshot).toEqual({ traits: { orders_30d: 1 }, audiences: { buyers: true } });
    expect(result.nextChangeAt).toBe(at + 30 * DAY_MS);
    const later = evaluateProfile(defs, history, {}, at + 30 * DAY_MS);
    expect(later.snapshot).toEqual({ traits: { orders_30d: 0 }, audiences: { buyers: false } });
    expect(later.nextChangeAt).toBeNull();
  });

  it.each([
    [
      "first sight, nothing there",
      { traits: {}, audiences: {} },
      { traits: { orders_30d: 0 }, audiences: { buyers: false } },
      [],
    ],
    [
      "first sight, a value and a membership",
      { traits: {}, audiences: {} },
      { traits: { orders_30d: 2 }, audiences: { buyers: true } },
      ["trait orders_30d", "audience buyers true"],
    ],
    [
      "unchanged",
      { traits: { orders_30d: 2 }, audiences: { buyers: true } },
      { traits: { orders_30d: 2 }, audiences: { buyers: true } },
      [],
    ],
    [
      "drop-out",
      { traits: { orders_30d: 1 }, audiences: { buyers: true } },
      { traits: { orders_30d: 0 }, audiences: { buyers: false } },
      ["trait orders_30d", "audience buyers false"],
    ],
  ])("changes: %s", (_, before, after, expected) => {
    const changes = changesSince(defs, before, after).map((c) =>
      c.kind === "trait"
        ? `trait ${c.computation.key}`
        : `audience ${c.computation.key} ${c.member}`,
    );
    expect(changes).toEqual(expected);
  });

  it("folds consent events into the preferences activation messages carry", () => {
    const consent = (t: string, marketing: boolean) =>
      orderCompleted({
        event: "Segment Consent Preference Updated",
        messageId: t,
        timestamp: t,
        context: { consent: { categoryPreferences: { marketing, ads: true } } },
      });
    const messages = [
      consent("2026-01-02T00:00:00.000Z", false),
      consent("2026-01-01T00:00:00.000Z", true),
      orderCompleted({
        event: "Segment Consent Preference Updated",
        messageId: "bad",
        context: {},
      }),
    ];
    expect(profileConsentPreferences(messages)).toEqual({ marketing: false, ads: true });
    expect(profileConsentPreferences([orderCompleted()])).toEqual({});
  });

  it("addresses messages with the latest ids and stamps consent and personas", async () => {
    const ref = profileRef("prof_1", [
      orderCompleted({ userId: "old" }),
      identifyCall({ userId: "new", anonymousId: "a-2" }),
    ]);
    expect(ref).toEqual({ profileId: "prof_1", userId: "new", anonymousId: "a-2" });
    const [change] = changesSince(
      defs,
      { traits: { orders_30d: 1 }, audiences: { buyers: true } },
      { traits: { orders_30d: 1 }, audiences: { buyers: false } },
    );
    const messages = await changeMessages(
      "sp_1",
      ref,
      change ? [change] : [],
      { marketing: true },
      NOW,
    );
    expect(messages.map((m) => [m.type, m.event ?? null])).toEqual([
      ["identify", null],
      ["track", "Audience Exited"],
    ]);
    expect(messages[1]?.context).toMatchObject({
      consent: { categoryPreferences: { marketing: true } },
      personas: {
        computation_class: "audience",
        computation_id: "aud_1",
        computation_key: "buyers",
        space_id: "sp_1",
      },
    });
    expect(messages[0]?.timestamp).toBe(new Date(NOW).toISOString());
  });
});
