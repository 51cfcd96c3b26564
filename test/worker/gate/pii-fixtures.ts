// An `identify` and a `track` as a Segment server library sends them (analytics-node 3.x context),
// after edge normalization, carrying the personal data a venue and a shop typically collect.
// Card numbers are the networks' published test numbers; the IBAN is ISO 13616's example.
import type { NormalizedMessage } from "../../../worker/message/message.ts";

export function identifyWithPii(): NormalizedMessage {
  return {
    type: "identify",
    messageId: "node-next-1718270000000-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
    userId: "guest-5521",
    traits: {
      email: "  John_Smith@Gmail.com ",
      firstName: "Mary",
      last_name: "Smith",
      "Phone Number": "+1 (650) 555-1212",
      name: "Mary Smith",
      birthday: "1990-04-23T00:00:00.000Z",
      address: {
        street: "1 Harbour Row",
        city: "Portsmouth",
        postalCode: "PO1 3AX",
        country: "UK",
      },
      company: { name: "Harbour Café Ltd", plan: "enterprise" },
      plan: "premium",
      logins: 4,
      notes: "paid with card 4111 1111 1111 1111 at the bar",
    },
    context: {
      library: { name: "@segment/analytics-node", version: "3.1.0" },
      ip: "203.0.113.42",
      consent: { categoryPreferences: { Advertising: true } },
      externalIds: [
        { id: "john_smith@gmail.com", type: "email", collection: "users", encoding: "none" },
        {
          id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          type: "wifi_mac",
          collection: "users",
          encoding: "none",
        },
      ],
      traits: { Email: "john_smith@gmail.com" },
    },
    integrations: {},
    timestamp: "2026-06-13T09:13:20.000Z",
    originalTimestamp: "2026-06-13T09:13:20.000Z",
    receivedAt: "2026-06-13T09:13:20.412Z",
    version: 2,
  };
}

export function orderWithPayment(): NormalizedMessage {
  return {
    type: "track",
    event: "Order Completed",
    messageId: "node-next-1718270001000-1b2c3d4e-5f6a-7b8c-9d0e-1f2a3b4c5d6e",
    userId: "guest-5521",
    properties: {
      order_id: "50314b8e9bcf000000000000",
      total: 27.5,
      currency: "GBP",
      name: "Sunday roast",
      payment: { cardNumber: "5555 5555 5555 4444", iban: "GB82 WEST 1234 5698 7654 32" },
      billing_iban: "GB82WEST12345698765432",
      card_on_file: 4111111111111111,
      contact: "guest@example.org",
      receipt_phone: "+44 20 7946 0958",
      device_mac: "a4:83:e7:12:34:56",
      client_ip: "2001:db8:85a3::8a2e:370:7334",
      products: [{ product_id: "507f1f77bcf86cd799439011", name: "Roast", price: 18.5 }],
      placed_at: "2026-06-13",
      reference: "1718270000000",
    },
    context: { library: { name: "@segment/analytics-node", version: "3.1.0" }, ip: "198.51.100.7" },
    integrations: {},
    timestamp: "2026-06-13T09:30:00.000Z",
    originalTimestamp: "2026-06-13T09:30:00.000Z",
    receivedAt: "2026-06-13T09:30:00.300Z",
    version: 2,
  };
}
