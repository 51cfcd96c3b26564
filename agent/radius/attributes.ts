// Attribute numbers and value codecs (RFC 2865 §5, RFC 2866 §5, RFC 2869 §5, FreeRADIUS
// share/dictionary.wispr for vendor 14122).

export const ATTR = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  FramedIpAddress: 8,
  SessionTimeout: 27,
  IdleTimeout: 28,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  VendorSpecific: 26,
  AcctStatusType: 40,
  AcctDelayTime: 41,
  AcctInputOctets: 42,
  AcctOutputOctets: 43,
  AcctSessionId: 44,
  AcctSessionTime: 46,
  AcctInputPackets: 47,
  AcctOutputPackets: 48,
  AcctTerminateCause: 49,
  AcctInputGigawords: 52,
  AcctOutputGigawords: 53,
  EventTimestamp: 55,
  ChapChallenge: 60,
  MessageAuthenticator: 80,
  AcctInterimInterval: 85,
} as const;

export const WISPR_VENDOR = 14122;
export const WISPR = { BandwidthMaxUp: 7, BandwidthMaxDown: 8 } as const;

/** Acct-Status-Type values, RFC 2866 §5.1. */
export const STATUS = {
  Start: 1,
  Stop: 2,
  InterimUpdate: 3,
  AccountingOn: 7,
  AccountingOff: 8,
} as const;

/** Acct-Terminate-Cause names, RFC 2866 §5.10. */
export const TERMINATE_CAUSES: Readonly<Record<number, string>> = {
  1: "User-Request",
  2: "Lost-Carrier",
  3: "Lost-Service",
  4: "Idle-Timeout",
  5: "Session-Timeout",
  6: "Admin-Reset",
  7: "Admin-Reboot",
  8: "Port-Error",
  9: "NAS-Error",
  10: "NAS-Request",
  11: "NAS-Reboot",
  12: "Port-Unneeded",
  13: "Port-Preempted",
  14: "Port-Suspended",
  15: "Service-Unavailable",
  16: "Callback",
  17: "User-Error",
  18: "Host-Request",
};

/** A 32-bit unsigned integer attribute value, or undefined when absent or not 4 octets. */
export function readUint32(value: Buffer | undefined): number | undefined {
  return value?.length === 4 ? value.readUInt32BE(0) : undefined;
}

/** An IPv4 address attribute (RFC 2865 §5.8, 4 octets) as dotted quad, or undefined. */
export function readIpv4(value: Buffer | undefined): string | undefined {
  return value?.length === 4 ? [...value].join(".") : undefined;
}

/** A text attribute as UTF-8, or undefined. */
export function readText(value: Buffer | undefined): string | undefined {
  return value === undefined ? undefined : value.toString("utf8");
}

/** An integer attribute. */
export function uint32Attribute(type: number, n: number): { type: number; value: Buffer } {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(n >>> 0, 0);
  return { type, value };
}

/** A Vendor-Specific attribute (RFC 2865 §5.26) holding one integer sub-attribute. */
export function vendorUint32Attribute(
  vendor: number,
  type: number,
  n: number,
): { type: number; value: Buffer } {
  const value = Buffer.alloc(10);
  value.writeUInt32BE(vendor, 0);
  value.writeUInt8(type, 4);
  value.writeUInt8(6, 5);
  value.writeUInt32BE(n >>> 0, 6);
  return { type: ATTR.VendorSpecific, value };
}
