// The `mqtt` section of the agent config (parsed once at start by the core loader).
import { z } from "zod";
import { secretRefSchema } from "../controllers/config.ts";

/** What a subscribed topic carries, which decides how its payload is read (https://developer.cisco.com/meraki/mv-sense/mqtt). */
export const mqttTopicKinds = ["meraki-mv-count", "meraki-mv-raw-detections", "meraki-mt"] as const;
export type MqttTopicKind = (typeof mqttTopicKinds)[number];

export const mqttConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Broker URL, e.g. `mqtt://127.0.0.1:1883` or `mqtts://broker:8883`. */
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/.+/, "expected an mqtt://, mqtts://, ws:// or wss:// URL"),
    username: z.string().min(1).optional(),
    password: secretRefSchema.optional(),
    /** Stable id so a persistent session (clean: false) keeps QoS 1 messages across reconnects. */
    clientId: z.string().min(1).default("foyer-agent"),
    /** Venue id and group; the core loader may fill these from its `venue` section. */
    venueId: z.string().min(1).optional(),
    groupId: z.string().min(1).optional(),
    reconnectPeriodMs: z.number().int().positive().default(5_000),
    maxPayloadBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024),
    topics: z
      .array(
        z
          .object({
            /** MQTT filter with `+`/`#` wildcards, e.g. `/merakimv/+/0` or `meraki/v1/mt/#`. */
            filter: z.string().min(1),
            kind: z.enum(mqttTopicKinds),
            qos: z.union([z.literal(0), z.literal(1)]).default(1),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type MqttConfig = z.output<typeof mqttConfigSchema>;
export type MqttTopicConfig = MqttConfig["topics"][number];
