// Regulation records in D1: type, subject count and step state. Never the subjects themselves.
import type { RegulationRequest } from "./model.ts";
import type { RegulationState } from "./plan.ts";
import { auditStatement } from "../../platform/index.ts";

export interface RegulationRecord {
  id: string;
  spaceId: string;
  regulationType: string;
  subjectType: string;
  subjectCount: number;
  state: RegulationState;
  createdAt: number;
}

interface Row {
  id: string;
  space_id: string;
  regulation_type: string;
  subject_type: string;
  subject_count: number;
  state: string;
  created_at: number;
}

const toRecord = (r: Row): RegulationRecord => ({
  id: r.id,
  spaceId: r.space_id,
  regulationType: r.regulation_type,
  subjectType: r.subject_type,
  subjectCount: r.subject_count,
  state: JSON.parse(r.state) as RegulationState,
  createdAt: r.created_at,
});

export async function insertRegulation(
  env: Env,
  id: string,
  spaceId: string,
  request: RegulationRequest,
  state: RegulationState,
  actor: string,
): Promise<void> {
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO regulations (id, space_id, regulation_type, subject_type, subject_count, status, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      id,
      spaceId,
      request.regulationType,
      request.subjectType,
      request.subjectIds.length,
      state.status,
      JSON.stringify(state),
      now,
      now,
    ),
    auditStatement(env, {
      spaceId,
      actor,
      action: "regulation.created",
      target: id,
      detail: {
        regulationType: request.regulationType,
        subjectType: request.subjectType,
        subjects: request.subjectIds.length,
      },
    }),
  ]);
}

export async function deleteRegulation(env: Env, id: string): Promise<void> {
  await env.DB.prepare("DELETE FROM regulations WHERE id = ?").bind(id).run();
}

export async function getRegulation(
  env: Env,
  spaceId: string,
  id: string,
): Promise<RegulationRecord | undefined> {
  const row = await env.DB.prepare("SELECT * FROM regulations WHERE id = ? AND space_id = ?")
    .bind(id, spaceId)
    .first<Row>();
  return row ? toRecord(row) : undefined;
}

export async function listRegulations(
  env: Env,
  spaceId: string,
  limit: number,
): Promise<RegulationRecord[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM regulations WHERE space_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
  )
    .bind(spaceId, limit)
    .all<Row>();
  return results.map(toRecord);
}

/** Saves a new state with an audit entry for the step that changed. */
export async function saveRegulationState(
  env: Env,
  record: Pick<RegulationRecord, "id" | "spaceId">,
  state: RegulationState,
  step: { kind: string; status: string; count?: number; error?: string },
): Promise<void> {
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE regulations SET status = ?, state = ?, updated_at = ? WHERE id = ?",
    ).bind(state.status, JSON.stringify(state), Date.parse(state.updatedAt), record.id),
    auditStatement(env, {
      spaceId: record.spaceId,
      actor: "system",
      action: `regulation.step.${step.status}`,
      target: record.id,
      detail: {
        step: step.kind,
        count: step.count ?? null,
        error: step.error ?? null,
        status: state.status,
      },
    }),
  ]);
}

/** Spaces with a regulation still running, so the cron can wake their runners. */
export async function spacesWithOpenRegulations(env: Env): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT DISTINCT space_id FROM regulations WHERE status IN ('INITIALIZED', 'RUNNING') LIMIT 1000",
  ).all<{ space_id: string }>();
  return results.map((r) => r.space_id);
}
