import { describe, expect, it } from "vitest";
import { topicMatches } from "../../../agent/mqtt/topic-match.ts";

describe("topicMatches (MQTT §4.7)", () => {
  it.each([
    ["/merakimv/+/0", "/merakimv/Q2GV-1/0", true],
    ["/merakimv/+/0", "/merakimv/Q2GV-1/1", false],
    ["/merakimv/+/+", "/merakimv/Q2GV-1/raw_detections", true],
    ["/merakimv/+/+", "/merakimv/Q2GV-1", false],
    ["meraki/v1/mt/#", "meraki/v1/mt/L_1/ble/aa/temperature", true],
    ["meraki/v1/mt/#", "meraki/v1/mt", true],
    ["meraki/v1/mt/#", "meraki/v1/mx/L_1", false],
    ["+/+", "/finance", true],
    ["#", "$SYS/broker/uptime", false],
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["a/#/c", "a/b/c", false],
    ["a/b", "a/b/c", false],
  ])("%s vs %s → %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
