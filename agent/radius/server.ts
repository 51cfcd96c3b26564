// The RADIUS UDP shell: source check → decode → authenticators → retransmission cache → pure
// decision/mapping → durable append → reply. Every drop is counted; nothing throws out of a
// handler, so one bad datagram never stops the server (docs/architecture.md invariant 7).
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIP } from "node:net";
import type { InputDeps, OutboxClass, OutboxMessage } from "../controllers/deps.ts";
import type { VenueRef } from "../controllers/venue.ts";
import { decideAccess, type AccessPolicy } from "./access.ts";
import { recordAccounting } from "./accounting-recorder.ts";
import { ATTR } from "./attributes.ts";
import {
  checkMessageAuthenticator,
  encodeResponse,
  isAccountingRequestAuthentic,
} from "./authenticators.ts";
import type { CredentialStore } from "./credentials.ts";
import type { OpenSessions } from "./open-sessions.ts";
import { CODE, RadiusPacketError, decodePacket, type RadiusPacket } from "./packet.ts";
import { RetransmissionCache } from "./retransmissions.ts";

export interface RadiusClient {
  address: string;
  secret: string;
  name?: string;
  requireMessageAuthenticator?: boolean;
}

export interface RadiusServerOptions {
  host: string;
  authPort: number;
  acctPort: number;
  clients: readonly RadiusClient[];
  requireMessageAuthenticator: boolean;
  policy: AccessPolicy;
}

export interface RadiusServerDeps extends InputDeps {
  /**
   * Durable append that may group commits (`GroupCommit`); resolves once committed. Defaults to
   * the synchronous `append`.
   */
  appendDurably?: (messages: OutboxMessage[], cls: OutboxClass) => Promise<void>;
  credentials: CredentialStore;
  openSessions: OpenSessions;
  venue: VenueRef;
}

/** `::ffff:10.0.0.1` (IPv4-mapped, RFC 4291 §2.5.5.2) and `10.0.0.1` are the same NAS. */
function canonicalAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** RADIUS authentication and accounting servers on two UDP sockets. */
export class RadiusServer {
  readonly #o: RadiusServerOptions;
  readonly #d: RadiusServerDeps;
  readonly #clients: Map<string, RadiusClient>;
  readonly #cache = new RetransmissionCache();
  /** Accounting requests whose append is not committed yet, by retransmission key. */
  readonly #inflight = new Map<string, Promise<Buffer>>();
  #auth: Socket | null = null;
  #acct: Socket | null = null;

  constructor(options: RadiusServerOptions, deps: RadiusServerDeps) {
    this.#o = options;
    this.#d = deps;
    this.#clients = new Map(options.clients.map((c) => [canonicalAddress(c.address), c]));
  }

  /** Binds both sockets; resolves with the bound ports (useful with port 0). */
  async start(): Promise<{ auth: number; acct: number }> {
    this.#auth = await this.#bind(this.#o.authPort, (msg, rinfo) => this.#onAuth(msg, rinfo));
    this.#acct = await this.#bind(this.#o.acctPort, (msg, rinfo) => this.#onAcct(msg, rinfo));
    return {
      auth: this.#auth.address().port,
      acct: this.#acct.address().port,
    };
  }

  async stop(): Promise<void> {
    const close = (s: Socket | null) =>
      new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
    await Promise.all([close(this.#auth), close(this.#acct)]);
    this.#auth = this.#acct = null;
  }

  #bind(port: number, handler: (msg: Buffer, rinfo: RemoteInfo) => void): Promise<Socket> {
    const socket = createSocket(isIP(this.#o.host) === 6 ? "udp6" : "udp4");
    socket.on("message", handler);
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, this.#o.host, () => {
        socket.off("error", reject);
        socket.on("error", (error) =>
          this.#d.log.error("radius socket error", { error: error.message }),
        );
        resolve(socket);
      });
    });
  }

  /** Source check and decode shared by both ports; null means dropped (and counted). */
  #accept(
    kind: "auth" | "acct",
    msg: Buffer,
    rinfo: RemoteInfo,
    codes: readonly number[],
  ): { client: RadiusClient; packet: RadiusPacket } | null {
    const client = this.#clients.get(canonicalAddress(rinfo.address));
    if (!client) {
      this.#d.count(`radius.${kind}.unknown_client`);
      this.#d.log.warn("radius packet from an unknown client dropped", {
        port: kind,
        source: rinfo.address,
      });
      return null;
    }
    try {
      const packet = decodePacket(msg);
      if (!codes.includes(packet.code)) {
        this.#d.count(`radius.${kind}.unexpected_code`);
        return null;
      }
      return { client, packet };
    } catch (error) {
      if (!(error instanceof RadiusPacketError)) throw error;
      // The total for `agent status`, and one counter per reason to tell a broken NAS from a probe.
      this.#d.count(`radius.${kind}.malformed`);
      this.#d.count(`radius.${kind}.malformed.${error.reason}`);
      this.#d.log.warn("malformed radius packet dropped", {
        port: kind,
        reason: error.reason,
        nas: nasName(client),
      });
      return null;
    }
  }

  #reply(socket: Socket | null, response: Buffer, rinfo: RemoteInfo): void {
    socket?.send(response, rinfo.port, rinfo.address);
  }

  /**
   * RFC 5997 §3: Status-Server MUST carry a valid Message-Authenticator (else silently dropped) and
   * is answered on the auth port with an Access-Accept; it never touches the outbox.
   */
  #statusServer(
    client: RadiusClient,
    packet: RadiusPacket,
    ma: "absent" | "valid" | "invalid",
    rinfo: RemoteInfo,
  ): void {
    if (ma !== "valid") {
      this.#d.count("radius.auth.status_server_dropped");
      return;
    }
    this.#d.count("radius.auth.status_server");
    this.#reply(
      this.#auth,
      encodeResponse(CODE.AccessAccept, packet, [], client.secret, true),
      rinfo,
    );
  }

  #onAuth(msg: Buffer, rinfo: RemoteInfo): void {
    try {
      const accepted = this.#accept("auth", msg, rinfo, [CODE.AccessRequest, CODE.StatusServer]);
      if (!accepted) return;
      const { client, packet } = accepted;
      const key = RetransmissionCache.key(
        rinfo.address,
        rinfo.port,
        packet.identifier,
        packet.authenticator,
      );
      const cached = this.#cache.get(key);
      if (cached) {
        this.#d.count("radius.auth.retransmission");
        return this.#reply(this.#auth, cached, rinfo);
      }
      const ma = checkMessageAuthenticator(packet, client.secret);
      if (packet.code === CODE.StatusServer) return this.#statusServer(client, packet, ma, rinfo);
      const required = client.requireMessageAuthenticator ?? this.#o.requireMessageAuthenticator;
      if (ma === "invalid" || (ma === "absent" && required)) {
        const reason =
          ma === "invalid" ? "bad_message_authenticator" : "missing_message_authenticator";
        this.#d.count(`radius.auth.${reason}`);
        this.#d.log.warn("access-request dropped", { reason, nas: nasName(client) });
        return;
      }
      const decision = decideAccess(packet, client.secret, this.#o.policy, {
        identifyMac: (mac) => this.#d.identifyMac(mac),
        consume: (u, p, m) => this.#d.credentials.consume(u, p, m),
        authorizeMac: (h) => this.#d.credentials.authorizeMac(h),
        isMacAuthorized: (h, w) => this.#d.credentials.isMacAuthorized(h, w),
      });
      const code = decision.accept ? CODE.AccessAccept : CODE.AccessReject;
      const response = encodeResponse(
        code,
        packet,
        [...decision.reply, ...proxyStates(packet)],
        client.secret,
        true,
      );
      this.#cache.set(key, response);
      this.#d.count(decision.accept ? "radius.auth.accept" : "radius.auth.reject");
      // Per reason too (as `radius.acct.skipped.<reason>`): `agent status` then shows, e.g., that
      // a NAS sends CHAP for credentials issued before CHAP support (`chap_not_stored`).
      if (!decision.accept) this.#d.count(`radius.auth.reject.${decision.reason}`);
      this.#d.log.info("radius access decision", {
        decision: decision.accept ? "accept" : "reject",
        reason: decision.reason,
        method: decision.method,
        auth: decision.auth,
        macHash: decision.macHash?.slice(0, 16) ?? null,
        nas: nasName(client),
      });
      this.#reply(this.#auth, response, rinfo);
    } catch (error) {
      this.#d.count("radius.auth.error");
      this.#d.log.error("access-request failed", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #onAcct(msg: Buffer, rinfo: RemoteInfo): void {
    try {
      const accepted = this.#accept("acct", msg, rinfo, [CODE.AccountingRequest]);
      if (!accepted) return;
      const { client, packet } = accepted;
      // RFC 2866 §3: a request whose authenticator does not verify is silently discarded.
      if (
        !isAccountingRequestAuthentic(packet, client.secret) ||
        checkMessageAuthenticator(packet, client.secret) === "invalid"
      ) {
        this.#d.count("radius.acct.bad_authenticator");
        this.#d.log.warn("accounting-request with a bad authenticator dropped", {
          nas: nasName(client),
        });
        return;
      }
      const key = RetransmissionCache.key(
        rinfo.address,
        rinfo.port,
        packet.identifier,
        packet.authenticator,
      );
      const cached = this.#cache.get(key) ?? this.#inflight.get(key);
      if (cached) {
        this.#d.count("radius.acct.retransmission");
        void Promise.resolve(cached).then(
          (response) => this.#reply(this.#acct, response, rinfo),
          () => undefined,
        );
        return;
      }
      const work = recordAccounting(packet, nasName(client), this.#d).then(() =>
        // Answered only now: the outbox commit is what the Accounting-Response promises.
        encodeResponse(CODE.AccountingResponse, packet, proxyStates(packet), client.secret, false),
      );
      this.#inflight.set(key, work);
      void work
        .then(
          (response) => {
            this.#cache.set(key, response);
            this.#reply(this.#acct, response, rinfo);
          },
          (error: unknown) => this.#acctFailed(error),
        )
        .finally(() => this.#inflight.delete(key));
    } catch (error) {
      this.#acctFailed(error);
    }
  }

  #acctFailed(error: unknown): void {
    this.#d.count("radius.acct.error");
    this.#d.log.error("accounting-request failed, not answered", {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function nasName(client: RadiusClient): string {
  return client.name ?? client.address;
}

/** RFC 2865 §5.33: Proxy-State attributes are copied unmodified, in order, into the reply. */
function proxyStates(packet: RadiusPacket): { type: number; value: Buffer }[] {
  return packet.attributes.filter((a) => a.type === ATTR.ProxyState);
}
