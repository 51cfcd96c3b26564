// HTTP shell for the controller webhooks. Each handler: size limit → source allow-list → pure
// parse (secret/signature first) → map to messages → durable append → 200.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { PresenceStore } from "../presence/store.ts";
import { openSqlitePresenceStore } from "../presence/sqlite-store.ts";
import { createVisitTracker, type VisitTracker } from "../presence/visit-tracker.ts";
import { parseArubaAlert } from "./aruba/alert-payload.ts";
import { arubaAlertMessages } from "./aruba/alerts.ts";
import {
  ARUBA_SIGNATURE_HEADERS,
  arubaDeliveryTime,
  verifyArubaSignature,
} from "./aruba/signature.ts";
import { secretText, type ControllersConfig } from "./config.ts";
import type { InputDeps } from "./deps.ts";
import { parseMerakiAlert } from "./meraki/alert-payload.ts";
import { merakiAlertMessages } from "./meraki/alerts.ts";
import { checkDeliveryTime, DeliveryIdCache } from "./replay-guard.ts";
import { parseMerakiScanning } from "./meraki/scanning-payload.ts";
import { merakiScanningObservations } from "./meraki/scanning.ts";
import { isSourceAllowed, remoteAddressOf } from "./source-allow.ts";
import { resolveVenue, type VenueRef } from "./venue.ts";
import { appendThenAccept, refuseWebhook } from "./webhook-response.ts";
import { RateLimiter } from "../http/rate-limit.ts";

export interface ControllerRouteDeps extends InputDeps {
  config: ControllersConfig;
  /** Venue from the core config; falls back to `config.venueId`. */
  venue?: Partial<VenueRef>;
  /** Visit state; defaults to an in-memory SQLite store (visits then restart with the agent). */
  presenceStore?: PresenceStore;
  /** Pass a tracker to share it with the periodic sweep (see `startControllerInputs`). */
  visitTracker?: VisitTracker;
}

/** The visit tracker the scanning route feeds; shared with the sweeper by `startControllerInputs`. */
export function visitTrackerFor(deps: ControllerRouteDeps): VisitTracker {
  return (
    deps.visitTracker ??
    createVisitTracker({
      store: deps.presenceStore ?? openSqlitePresenceStore(":memory:"),
      settings: deps.config.presence,
      venue: resolveVenue(deps.config, deps.venue),
      append: (messages, cls) => deps.append(messages, cls),
      count: (counter, by) => deps.count(counter, by),
      now: () => deps.now(),
    })
  );
}

/** Wrong secrets one address may send per window before it is answered 429. */
export const WEBHOOK_AUTH_FAILURES = 10;
export const WEBHOOK_AUTH_WINDOW_MS = 60_000;

/** Mounts `/webhooks/meraki/scanning`, `/webhooks/meraki/alerts` and `/webhooks/aruba`. */
export function controllerRoutes(deps: ControllerRouteDeps): Hono {
  const { config } = deps;
  const venue = resolveVenue(config, deps.venue);
  const identify = (mac: string) => deps.identifyMac(mac);
  const app = new Hono();
  const notFound = (c: Context) =>
    c.json({ error: { code: "not_enabled", field: "$", message: "input disabled" } }, 404);

  // Wrong secrets are limited per address, checked before any secret is compared.
  const failures = new RateLimiter(
    { max: WEBHOOK_AUTH_FAILURES, windowMs: WEBHOOK_AUTH_WINDOW_MS },
    () => deps.now().getTime(),
  );
  app.use("/webhooks/*", async (c, next) => {
    const peer = remoteAddressOf(c.env) ?? "unknown";
    const allowed = failures.check(peer);
    if (!allowed.ok) {
      deps.count("webhooks.throttled");
      c.header("retry-after", String(allowed.retryAfterSeconds));
      const message = "too many failed authentications from this address";
      return c.json({ error: { code: "too_many_failures", field: "$", message } }, 429);
    }
    await next();
    if (c.res.status === 401) failures.record(peer);
  });
  app.use("/webhooks/*", async (c, next) => {
    if (!isSourceAllowed(remoteAddressOf(c.env), config.allowedSources)) {
      deps.count("webhooks.source_refused");
      return c.json(
        {
          error: { code: "source_not_allowed", field: "$", message: "source address not allowed" },
        },
        403,
      );
    }
    await next();
  });
  app.use(
    "/webhooks/*",
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => {
        deps.count("webhooks.too_large");
        const message = `body exceeds ${config.maxBodyBytes} bytes`;
        return c.json({ error: { code: "body_too_large", field: "$", message } }, 413);
      },
    }),
  );

  const scanning = config.meraki.scanning;
  const tracker = scanning?.enabled === true ? visitTrackerFor(deps) : undefined;
  app.get("/webhooks/meraki/scanning", (c) =>
    scanning?.enabled ? c.text(scanning.validator) : notFound(c),
  );
  app.post("/webhooks/meraki/scanning", async (c) => {
    if (!scanning?.enabled || tracker === undefined) return notFound(c);
    const input = "meraki.scanning";
    const payload = parseMerakiScanning(await c.req.text(), secretText(scanning.secret));
    if (!payload.ok) return refuseWebhook(c, deps, input, payload.error);
    const observations = merakiScanningObservations(payload.value, identify, deps.now());
    if (!observations.ok) return refuseWebhook(c, deps, input, observations.error);
    return appendThenAccept(c, deps, input, [], () => tracker.observe(observations.value));
  });

  const alerts = config.meraki.alerts;
  app.post("/webhooks/meraki/alerts", async (c) => {
    if (!alerts?.enabled) return notFound(c);
    const input = "meraki.alerts";
    const alert = parseMerakiAlert(
      await c.req.text(),
      c.req.header("authorization"),
      secretText(alerts.secret),
    );
    if (!alert.ok) return refuseWebhook(c, deps, input, alert.error);
    const fresh = checkDeliveryTime(alert.value.sentAt, deps.now(), "sentAt");
    if (!fresh.ok) return refuseWebhook(c, deps, input, fresh.error);
    const mapped = merakiAlertMessages(alert.value, identify, venue);
    if (!mapped.ok) return refuseWebhook(c, deps, input, mapped.error);
    return appendThenAccept(c, deps, input, [mapped.value]);
  });

  const aruba = config.aruba;
  const seenDeliveries = new DeliveryIdCache();
  app.post("/webhooks/aruba", async (c) => {
    if (!aruba?.enabled) return notFound(c);
    const input = "aruba.central";
    const raw = await c.req.text();
    const delivery = verifyArubaSignature(
      raw,
      (name) => c.req.header(name),
      secretText(aruba.token),
    );
    if (!delivery.ok) return refuseWebhook(c, deps, input, delivery.error);
    const { deliveryId, timestamp } = delivery.value;
    const sent = arubaDeliveryTime(timestamp);
    if (!sent.ok) return refuseWebhook(c, deps, input, sent.error);
    const now = deps.now();
    const fresh = checkDeliveryTime(sent.value, now, "x-central-delivery-timestamp");
    if (!fresh.ok) return refuseWebhook(c, deps, input, fresh.error);
    // Keyed by the signature, not the id: Central signs body + service + id + timestamp with no
    // delimiters, so a captured delivery re-sent with a digit shifted from the id into the
    // timestamp keeps its signature under a "new" id. The signature names the signed bytes.
    const replayKey = c.req.header(ARUBA_SIGNATURE_HEADERS.signature) ?? deliveryId;
    if (seenDeliveries.has(replayKey, now)) {
      // A replay inside the window (or a vendor retry after a lost 200): it is already recorded,
      // so answer as for the first delivery and record nothing new.
      deps.count(`${input}.replayed`);
      deps.log.warn("webhook delivery id seen before", { input, deliveryId });
      return c.json({ ok: true, recorded: 0 });
    }
    const alert = parseArubaAlert(raw);
    if (!alert.ok) return refuseWebhook(c, deps, input, alert.error);
    const mapped = arubaAlertMessages(alert.value, delivery.value, identify, venue);
    if (!mapped.ok) return refuseWebhook(c, deps, input, mapped.error);
    const response = appendThenAccept(c, deps, input, [mapped.value]);
    if (response.status === 200) seenDeliveries.remember(replayKey, now);
    return response;
  });
  return app;
}
