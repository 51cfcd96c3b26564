// `agent doctor` probes for the controllers. Meraki and Aruba push to us (nothing to reach; the
// check is that the webhook is enabled with a secret); UniFi is pulled, so we log in for real.
import type { ControllersConfig } from "./config.ts";
import { controllerFetch } from "./unifi/controller-fetch.ts";
import { unifiLogin, UnifiLoginError } from "./unifi/login.ts";

export interface ControllerProbe {
  controller: "meraki.scanning" | "meraki.alerts" | "aruba.central" | "unifi";
  ok: boolean;
  status: "disabled" | "inbound" | "reachable" | "unreachable" | "login_refused";
  detail: string;
}

function inbound(
  controller: ControllerProbe["controller"],
  enabled: boolean | undefined,
  path: string,
): ControllerProbe {
  return enabled === true
    ? {
        controller,
        ok: true,
        status: "inbound",
        detail: `waits for POST ${path} from the vendor cloud`,
      }
    : { controller, ok: true, status: "disabled", detail: "not enabled" };
}

/** Probes every configured controller; never throws, one result per controller. */
export async function probeControllers(
  config: ControllersConfig,
  /** By default the UniFi login uses the controller's CA or pin (unifi/controller-fetch.ts). */
  fetchImpl?: typeof fetch,
  timeoutMs = 5_000,
): Promise<ControllerProbe[]> {
  const results = [
    inbound("meraki.scanning", config.meraki.scanning?.enabled, "/webhooks/meraki/scanning"),
    inbound("meraki.alerts", config.meraki.alerts?.enabled, "/webhooks/meraki/alerts"),
    inbound("aruba.central", config.aruba?.enabled, "/webhooks/aruba"),
  ];
  const unifi = config.unifi;
  if (unifi?.enabled !== true) {
    return [
      ...results,
      { controller: "unifi", ok: true, status: "disabled", detail: "not enabled" },
    ];
  }
  const loginFetch = fetchImpl ?? controllerFetch(unifi);
  const timedFetch: typeof fetch = (input, init) =>
    loginFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  try {
    const session = await unifiLogin(unifi, timedFetch);
    const flavor = session.prefix === "" ? "classic controller" : "UniFi OS console";
    results.push({
      controller: "unifi",
      ok: true,
      status: "reachable",
      detail: `logged in to ${flavor} at ${unifi.url}`,
    });
  } catch (cause) {
    if (cause instanceof UnifiLoginError) {
      results.push({
        controller: "unifi",
        ok: false,
        status: "login_refused",
        detail: cause.message,
      });
    } else {
      const reason =
        cause instanceof Error
          ? cause.cause instanceof Error
            ? cause.cause.message
            : cause.message
          : String(cause);
      results.push({
        controller: "unifi",
        ok: false,
        status: "unreachable",
        detail: `${unifi.url}: ${reason}`,
      });
    }
  }
  return results;
}
