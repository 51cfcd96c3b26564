import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../../worker/platform/digest.ts";
import {
  archiveRewriteStream,
  createArchiveRewriter,
  rewriteArchive,
} from "../../../../worker/governance/regulations/erasure/archive-rewrite.ts";
import { deletedSubjectPredicate } from "../../../../worker/governance/regulations/erasure/deleted-subject.ts";
import { applyPiiPolicy } from "../../../../worker/gate/pii/policy.ts";
import { DEFAULT_PII_POLICY } from "../../../../worker/gate/pii/policy-types.ts";
import type { NormalizedMessage } from "../../../../worker/message/message.ts";
import { pageEvent } from "../../gate/consent-fixtures.ts";
import { identifyWithPii, orderWithPayment } from "../../gate/pii-fixtures.ts";

/** An archive object exactly as worker/pipeline/ingest-consumer.ts writes one. */
function archiveOf(messages: NormalizedMessage[]): string {
  return `${messages.map((m) => JSON.stringify(m)).join("\n")}\n`;
}

const other: NormalizedMessage = {
  ...pageEvent(),
  anonymousId: "7c1d-other-visitor",
  messageId: "ajs-other-1",
};

describe("deletedSubjectPredicate", () => {
  it("matches by userId, anonymousId and alias previousId", async () => {
    const matches = await deletedSubjectPredicate({
      userIds: ["guest-5521"],
      anonymousIds: ["anon-1"],
      emails: [],
    });
    expect(matches({ userId: "guest-5521" })).toBe(true);
    expect(matches({ anonymousId: "anon-1" })).toBe(true);
    expect(matches({ type: "alias", userId: "guest-9", previousId: "anon-1" })).toBe(true);
    expect(matches({ userId: "guest-55210" })).toBe(false);
    expect(matches({ userId: "Guest-5521" })).toBe(false);
  });

  it("matches an email anywhere, raw in any case or as the storage policy's hash", async () => {
    const matches = await deletedSubjectPredicate({
      userIds: [],
      anonymousIds: [],
      emails: [" John_Smith@gmail.com"],
    });
    const stored = await applyPiiPolicy(identifyWithPii(), DEFAULT_PII_POLICY);
    expect(matches({ ...stored.message, userId: "someone-else" })).toBe(true);
    expect(matches({ properties: { contact: "JOHN_SMITH@GMAIL.COM " } })).toBe(true);
    expect(
      matches({ properties: { list: [{ e: await sha256Hex("john_smith@gmail.com") }] } }),
    ).toBe(true);
    expect(matches({ properties: { contact: "john@gmail.com" } })).toBe(false);
  });
});

describe("rewriteArchive", () => {
  it("removes the subject's events and keeps every other line byte for byte", async () => {
    const text = archiveOf([identifyWithPii(), other, orderWithPayment(), pageEvent()]);
    const matches = await deletedSubjectPredicate({
      userIds: ["guest-5521"],
      anonymousIds: ["2e5f9a4c-3b1d-4e7f-8a6b-9c0d1e2f3a4b"],
      emails: ["john_smith@gmail.com"],
    });
    const result = rewriteArchive(text, matches);
    expect(result).toMatchObject({ kept: 1, removed: 3, malformed: 0, changed: true });
    expect(result.text).toBe(`${JSON.stringify(other)}\n`);
    expect(result.text).not.toMatch(/guest-5521|john_smith|2e5f9a4c/i);
  });

  it("reports no change when nobody is deleted", async () => {
    const text = archiveOf([other, pageEvent()]);
    const result = rewriteArchive(
      text,
      await deletedSubjectPredicate({ userIds: ["nobody"], anonymousIds: [], emails: [] }),
    );
    expect(result).toEqual({ text, kept: 2, removed: 0, malformed: 0, changed: false });
  });

  it("empties an object whose every event goes", () => {
    expect(rewriteArchive(archiveOf([pageEvent()]), () => true)).toEqual({
      text: "",
      kept: 0,
      removed: 1,
      malformed: 0,
      changed: true,
    });
  });

  it("keeps malformed lines by default and counts them; drops them on request", () => {
    const text = `${JSON.stringify(other)}\n{"truncated":\n[1,2]\n\n`;
    expect(rewriteArchive(text, () => false)).toMatchObject({
      kept: 1,
      malformed: 2,
      changed: false,
    });
    const dropped = rewriteArchive(text, () => false, { onMalformed: "drop" });
    expect(dropped).toMatchObject({ kept: 1, malformed: 2, text: `${JSON.stringify(other)}\n\n` });
  });

  it("handles a last line without a newline and an empty object", () => {
    expect(rewriteArchive(JSON.stringify(other), () => false).text).toBe(JSON.stringify(other));
    expect(rewriteArchive("", () => true)).toEqual({
      text: "",
      kept: 0,
      removed: 0,
      malformed: 0,
      changed: false,
    });
  });
});

describe("streaming", () => {
  const text = archiveOf([other, identifyWithPii(), pageEvent()]);
  const predicate = (event: Record<string, unknown>): boolean => event.userId === "guest-5521";
  const whole = rewriteArchive(text, predicate);

  it("gives the same output wherever the input is cut", () => {
    for (let cut = 0; cut <= text.length; cut += 7) {
      const rewriter = createArchiveRewriter(predicate);
      const out =
        rewriter.push(text.slice(0, cut)) + rewriter.push(text.slice(cut)) + rewriter.finish();
      expect(out).toBe(whole.text);
      expect(rewriter.counts()).toEqual({ kept: 2, removed: 1, malformed: 0 });
    }
  });

  it("works as a TransformStream over many small chunks", async () => {
    const { stream, counts } = archiveRewriteStream(predicate);
    const writer = stream.writable.getWriter();
    const reading = new Response(stream.readable.pipeThrough(new TextEncoderStream())).text();
    for (let i = 0; i < text.length; i += 100) await writer.write(text.slice(i, i + 100));
    await writer.close();
    expect(await reading).toBe(whole.text);
    expect(counts()).toEqual({ kept: 2, removed: 1, malformed: 0 });
  });
});
