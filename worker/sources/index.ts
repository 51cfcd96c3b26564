// Sources: the repository and the snapshot the edge caches.
export {
  createSource,
  createSpace,
  DEFAULT_RATE_LIMIT,
  findSourceByKeyHash,
  getSource,
  getSpace,
  listSources,
  listSpaces,
  rotateWriteKey,
  type SourceRow,
  type SpaceRow,
  toSnapshot,
  updateSource,
} from "./repository.ts";
export type { SourceSnapshot } from "./types.ts";
