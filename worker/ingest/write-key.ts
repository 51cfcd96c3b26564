import { ApiError } from "../errors.ts";

/**
 * The write key from `Authorization: Basic base64(writeKey + ":")` (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#authentication). A key
 * encoded without the colon is accepted too, as Segment does for backward compatibility.
 * @returns undefined when there is no Authorization header.
 */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw new ApiError(
      401,
      "invalid_authorization",
      "Authorization must be Basic <base64(writeKey:)>",
    );
  }
  let decoded: string;
  try {
    decoded = atob(match[1].replace(/-/g, "+").replace(/_/g, "/"));
  } catch (error) {
    throw new ApiError(401, "invalid_authorization", "Authorization is not valid base64", {
      cause: error,
    });
  }
  const key = decoded.includes(":") ? decoded.slice(0, decoded.indexOf(":")) : decoded;
  if (key === "") throw new ApiError(401, "invalid_authorization", "the write key is empty");
  return key;
}
