/**
 * What the scraper needs from a listing item before deciding whether to
 * fetch the job's details: its uuid, when it was last edited, its page URL.
 */
import { isObject, Reader } from './read.js';

export interface ListingStamp {
  uuid: string;
  /** metadata.updatedAt as ISO_TIMESTAMP, when the item carries it. */
  updatedAt?: string;
  jobDetailsUrl?: string;
}

export type ListingRead =
  | { ok: true; stamp: ListingStamp }
  | { ok: false; uuid: string | undefined; reason: string };

const UUID = /^[0-9a-f]{32}$/;

export function readListingItem(item: unknown): ListingRead {
  if (!isObject(item))
    return { ok: false, uuid: undefined, reason: 'listing item is not an object' };
  const r = new Reader();
  const uuid = r.string(item.uuid, 'uuid')?.trim().toLowerCase();
  if (!uuid || !UUID.test(uuid))
    return { ok: false, uuid: uuid || undefined, reason: 'listing item has no valid uuid' };
  const meta = r.object(item.metadata, 'metadata');
  const updatedAt = r.timestamp(meta?.updatedAt, 'metadata.updatedAt');
  const url = r.string(meta?.jobDetailsUrl, 'metadata.jobDetailsUrl');
  const stamp: ListingStamp = { uuid };
  if (updatedAt) stamp.updatedAt = updatedAt;
  if (url) stamp.jobDetailsUrl = url;
  return { ok: true, stamp };
}
