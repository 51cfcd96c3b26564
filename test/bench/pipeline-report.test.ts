import { describe, expect, it } from "vitest";
import { meterDelta, pipelineFigures, renderPipelineReport } from "./pipeline-report.ts";

describe("pipeline figures", () => {
  const observation = {
    events: 1_000,
    sendMs: 500,
    deliveredMs: 4_000,
    cpuMs: 2_500,
    meterBefore: { "do:PROFILES": 10, "queue:EVENTS": 3, "do:GONE": 4 },
    meterAfter: {
      "do:PROFILES": 1_010,
      "do:SOURCE_GATE": 10,
      "do:DESTINATIONS": 40,
      "queue:EVENTS": 13,
      "queue:DELIVERY": 2_000,
      "do:GONE": 4,
      "d1:DB:rows_written": 5_000,
      "d1:DB:rows_read": 70,
      "sql:DestinationObject:rows_written": 12_000,
    },
    placedEvents: 1_000,
    destinations: 2,
    echo: { events: 1_000, sendMs: 50 },
  };

  it("counts only what the run added, from 0 for a counter first seen after", () => {
    expect(meterDelta(observation.meterBefore, observation.meterAfter)).toEqual({
      "do:PROFILES": 1_000,
      "do:SOURCE_GATE": 10,
      "do:DESTINATIONS": 40,
      "queue:EVENTS": 10,
      "queue:DELIVERY": 2_000,
      "d1:DB:rows_written": 5_000,
      "d1:DB:rows_read": 70,
      "sql:DestinationObject:rows_written": 12_000,
    });
  });

  it("divides by events and compares with the echo measured in the same run", () => {
    const f = pipelineFigures(observation);
    expect(f.endToEnd.eventsPerSecond).toBe(250);
    expect(f.endToEnd.workerCpuMsPerEvent).toBe(2.5);
    expect(f.endToEnd.durableObjectRequestsPerEvent).toBe(1.05);
    expect(f.endToEnd.queueMessagesPerEvent).toBe(2.01);
    expect(f.endToEnd.d1RowsWrittenPerEvent).toBe(5);
    expect(f.endToEnd.durableObjectRowsWrittenPerEvent).toBe(12);
    expect(f.endToEnd.perEventByBinding["do:SOURCE_GATE"]).toBe(0.01);
    expect(f.baseline.echoEventsPerSecond).toBe(20_000);
    expect(f.endToEnd.ratioToEcho).toBe(0.0125);
    const text = renderPipelineReport(f, "workload");
    expect(text).toContain("CPU ms/event");
    expect(text).toContain("not met");
  });

  it("reports NaN rather than a figure when nothing was measured", () => {
    const f = pipelineFigures({ ...observation, events: 0, deliveredMs: 0 });
    expect(f.endToEnd.workerCpuMsPerEvent).toBeNaN();
    expect(f.endToEnd.eventsPerSecond).toBeNaN();
  });
});
