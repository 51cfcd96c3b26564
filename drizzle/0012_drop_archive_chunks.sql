-- Chunk → archive object records move to the source's claim shards (worker/gate/admission/claims.ts):
-- one D1 row per chunk was a D1 row per event for single-event traffic (issue 14).
DROP TABLE `archive_chunks`;