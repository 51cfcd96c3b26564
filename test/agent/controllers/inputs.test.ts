import { afterEach, describe, expect, it } from "vitest";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import { startControllerInputs } from "../../../agent/controllers/inputs.ts";
import { openSqlitePresenceStore } from "../../../agent/presence/sqlite-store.ts";
import { fixture, realDeps, type RecordedDeps } from "./real-deps.ts";

let deps: RecordedDeps;
afterEach(() => deps.close());

describe("startControllerInputs", () => {
  it("shares one visit tracker between the scanning route and the sweep that ends visits", async () => {
    deps = realDeps();
    const config = controllersConfigSchema.parse({
      venueId: "venue-1",
      meraki: { scanning: { enabled: true, validator: "v", secret: "supersecret" } },
      presence: { minDwellSeconds: 0, absenceTimeoutSeconds: 60, sweepIntervalSeconds: 1 },
    });
    const store = openSqlitePresenceStore(":memory:");
    const inputs = startControllerInputs({ ...deps, config, presenceStore: store });
    try {
      const res = await inputs.app.request("/webhooks/meraki/scanning", {
        method: "POST",
        body: fixture("meraki/scanning-v3-wifi.json"),
      });
      expect(res.status).toBe(200);
      deps.setNow("2019-11-28T14:40:00Z"); // long after the sample's 14:27:21 sighting
      for (let i = 0; i < 300 && store.openVisits().length > 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(deps.stored().map((s) => s.message.event)).toEqual([
        "Venue Visit Started",
        "Venue Visit Ended",
      ]);
    } finally {
      await inputs.stop();
    }
  });
});
