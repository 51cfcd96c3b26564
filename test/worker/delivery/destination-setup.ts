// Creating destinations through the admin API, as an operator would.
import { admin } from "../support.ts";

export const WEBHOOK_SECRET = "whsec_test_0123456789abcdef";

export async function webhookDestination(
  spaceId: string,
  path: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { destination } = await admin<{ destination: { id: string } }>(
    "POST",
    `/spaces/${spaceId}/destinations`,
    {
      slug: "webhook",
      name: "Webhook",
      settings: { url: `https://receiver.test${path}`, secret: WEBHOOK_SECRET },
      ...extra,
    },
  );
  return destination.id;
}

export interface Overview {
  received: number;
  filtered: { total: number; byReason: Record<string, number>; byGroup: Record<string, number> };
  delivered: number;
  pending: number;
  retrying: number;
  retries: number;
  failed: number;
  latencyMs: { p50: number | null; p95: number | null; samples: number };
}

export async function overviewOf(spaceId: string, destinationId: string): Promise<Overview> {
  const { overview } = await admin<{ overview: Overview }>(
    "GET",
    `/spaces/${spaceId}/destinations/${destinationId}/overview`,
  );
  return overview;
}
