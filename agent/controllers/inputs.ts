// Everything the controllers contribute to a running agent: the webhook routes plus the background
// parts (the presence sweep that ends visits, the UniFi event stream, the MQTT subscriber).
import type { Hono } from "hono";
import type { MqttConfig } from "../mqtt/config.ts";
import { startMqttSubscriber, type MqttSubscriber } from "../mqtt/subscriber.ts";
import { controllerRoutes, visitTrackerFor, type ControllerRouteDeps } from "./routes.ts";
import { startUnifiStream, type UnifiStream } from "./unifi/stream.ts";
import { resolveVenue } from "./venue.ts";

export interface ControllerInputs {
  app: Hono;
  unifi?: UnifiStream;
  mqtt?: MqttSubscriber;
  stop(): Promise<void>;
}

/**
 * Builds the routes and starts the background inputs. The core mounts `app` on its HTTP server
 * and calls `stop()` on SIGTERM.
 */
export function startControllerInputs(
  deps: ControllerRouteDeps & { mqtt?: MqttConfig },
): ControllerInputs {
  const venue = resolveVenue(deps.config, deps.venue);
  const tracker = visitTrackerFor(deps);
  const app = controllerRoutes({ ...deps, visitTracker: tracker });
  const sweep = setInterval(() => {
    try {
      tracker.sweep();
    } catch (cause) {
      deps.log.error("presence sweep failed", { error: String(cause) });
    }
  }, deps.config.presence.sweepIntervalSeconds * 1000);
  sweep.unref();
  const unifi =
    deps.config.unifi?.enabled === true
      ? startUnifiStream({ ...deps, config: deps.config.unifi, venue })
      : undefined;
  const mqtt =
    deps.mqtt?.enabled === true
      ? startMqttSubscriber({ ...deps, config: deps.mqtt, venue })
      : undefined;
  return {
    app,
    unifi,
    mqtt,
    async stop() {
      clearInterval(sweep);
      unifi?.stop();
      await mqtt?.stop();
    },
  };
}
