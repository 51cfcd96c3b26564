// The pure rules of the regulation runner's schedule: which regulation an alarm runs, when a
// failed one is tried again, and where the alarm goes.
import { describe, expect, it } from "vitest";
import { MAX_STEP_ATTEMPTS } from "../../../../worker/governance/regulations/status.ts";
import {
  alarmWithNewWork,
  isDue,
  nextAlarmAt,
  retryAt,
} from "../../../../worker/platform/schedule.ts";

const NOW = Date.parse("2026-06-13T10:00:00.000Z");

describe("isDue", () => {
  it("runs work whose time has come, and only that", () => {
    expect(isDue(0, NOW)).toBe(true);
    expect(isDue(NOW, NOW)).toBe(true);
    expect(isDue(NOW + 1, NOW)).toBe(false);
  });
});

describe("retryAt", () => {
  it("waits delivery's randomized backoff after each failed attempt", () => {
    expect(retryAt(1, NOW, 0)).toBe(NOW + 15_000);
    expect(retryAt(1, NOW, 0.999)).toBe(NOW + 30_000);
    expect(retryAt(2, NOW, 0)).toBe(NOW + 30_000);
    // Capped at an hour, at least half of it.
    expect(retryAt(MAX_STEP_ATTEMPTS - 1, NOW, 0)).toBe(NOW + 1_800_000);
  });

  it("spreads the attempts of a regulation over more than 4 hours", () => {
    let at = NOW;
    for (let failed = 1; failed < MAX_STEP_ATTEMPTS; failed++) at = retryAt(failed, at, 0);
    expect(at - NOW).toBeGreaterThan(4 * 3_600_000);
  });
});

describe("nextAlarmAt", () => {
  it("wakes for the earliest open attempt, or not at all", () => {
    expect(nextAlarmAt([NOW + 60_000, NOW + 15_000, NOW + 3_600_000])).toBe(NOW + 15_000);
    expect(nextAlarmAt([0, NOW + 15_000])).toBe(0);
    expect(nextAlarmAt([])).toBeUndefined();
  });
});

describe("alarmWithNewWork", () => {
  it("moves a later alarm, or none, to now", () => {
    expect(alarmWithNewWork(NOW + 30_000, NOW)).toBe(NOW);
    expect(alarmWithNewWork(null, NOW)).toBe(NOW);
  });

  it("keeps an alarm that is already due earlier", () => {
    expect(alarmWithNewWork(NOW - 5_000, NOW)).toBe(NOW - 5_000);
  });
});
