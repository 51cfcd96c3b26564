// Thin shell: mqtt.js client → `mqttVenueMessage` → durable append → PUBACK. Appending inside
// `handleMessage` delays the QoS 1 PUBACK until the outbox commit (mqtt.js sends the ack from
// handleMessage's callback), and `clean: false` keeps the session so the broker redelivers what
// was not acked across a reconnect. mqtt.js reconnects by itself every `reconnectPeriodMs`.
import { connect, type MqttClient } from "mqtt";
import { secretText } from "../controllers/config.ts";
import type { InputDeps } from "../controllers/deps.ts";
import type { VenueRef } from "../controllers/venue.ts";
import type { MqttConfig } from "./config.ts";
import { mqttVenueMessage } from "./meraki-messages.ts";
import { topicMatches } from "./topic-match.ts";

export interface MqttSubscriber {
  /** Resolves once the first subscription is granted (or rejects on a refused connect). */
  ready: Promise<void>;
  isConnected(): boolean;
  stop(): Promise<void>;
}

/** Connects to the broker, subscribes the configured topics and feeds the outbox. */
export function startMqttSubscriber(
  deps: InputDeps & { config: MqttConfig; venue: VenueRef },
): MqttSubscriber {
  const { config, venue } = deps;
  const client: MqttClient = connect(config.url, {
    clientId: config.clientId,
    clean: false,
    username: config.username,
    password: config.password === undefined ? undefined : secretText(config.password),
    reconnectPeriod: config.reconnectPeriodMs,
    connectTimeout: 10_000,
  });

  client.handleMessage = (packet, done) => {
    const topic = packet.topic;
    const route = config.topics.find((t) => topicMatches(t.filter, topic));
    const payload =
      typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    if (route === undefined) {
      deps.count("mqtt.unrouted");
      return done();
    }
    if (payload.length > config.maxPayloadBytes) {
      deps.count("mqtt.malformed");
      deps.log.warn("mqtt payload too large", { topicFilter: route.filter, bytes: payload.length });
      return done();
    }
    const input = {
      topic,
      payload: payload.toString("utf8"),
      kind: route.kind,
      receivedAt: deps.now(),
    };
    const mapped = mqttVenueMessage(input, venue, (mac) => deps.identifyMac(mac));
    if (!mapped.ok) {
      // Dropped (acked) on purpose: a malformed payload will never become valid by redelivery.
      deps.count("mqtt.malformed");
      deps.log.warn("mqtt payload refused", {
        topicFilter: route.filter,
        code: mapped.error.code,
        field: mapped.error.field,
      });
      return done();
    }
    try {
      deps.append([mapped.value], "venue");
    } catch (cause) {
      deps.count("mqtt.failed");
      deps.log.error("outbox append failed", { input: "mqtt", error: String(cause) });
      return done(cause as Error);
    }
    deps.count("mqtt.accepted");
    done();
  };

  const ready = new Promise<void>((resolve, reject) => {
    client.once("error", reject);
    client.on("connect", () => {
      deps.count("mqtt.connected");
      deps.log.info("mqtt connected", { topics: config.topics.length });
      const subscriptions = Object.fromEntries(
        config.topics.map((t) => [t.filter, { qos: t.qos }]),
      );
      client.subscribe(subscriptions, (err) => (err ? reject(err) : resolve()));
    });
  });
  // The caller may never await `ready`; a late rejection must not become an unhandled one.
  ready.catch(() => undefined);
  // Unhandled 'error' events would crash the agent; log them (reconnects continue).
  client.on("error", (err) => deps.log.warn("mqtt error", { error: err.message }));
  client.on("offline", () => deps.count("mqtt.offline"));

  return {
    ready,
    isConnected: () => client.connected,
    stop: () => client.endAsync(true),
  };
}
