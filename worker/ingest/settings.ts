// The settings document analytics.js fetches from `<cdn>/v1/projects/<writeKey>/settings` at load.
// Pointing its `cdnURL` at Foyer makes it send everything to Foyer's Tracking API through the
// built-in "Segment.io" integration (`apiHost` without scheme, plus `protocol`).

/** Builds the settings for a write key, with Foyer at `baseUrl` as the API host. */
export function settingsDocument(writeKey: string, baseUrl: string): Record<string, unknown> {
  const url = new URL(baseUrl);
  const apiHost = `${url.host}${url.pathname.replace(/\/$/, "")}/v1`;
  return {
    integrations: {
      "Segment.io": {
        apiKey: writeKey,
        apiHost,
        protocol: url.protocol.replace(":", ""),
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
        versionSettings: { componentTypes: [] },
      },
    },
    plan: {
      track: { __default: { enabled: true, integrations: {} } },
      identify: { __default: { enabled: true } },
      group: { __default: { enabled: true } },
    },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}
