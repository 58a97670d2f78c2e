/**
 * Folder indexes for result prefixes. A Zarr store is a folder of objects, yet its asset href names the folder:
 * the JS client's downloadResults and the Web Editor fetch that href, and fsspec's HTTP filesystem (xarray over
 * plain HTTP) lists a folder by reading the `<a href>` links of its page. Object stores have no folders, so an
 * index is derived from the keys below the prefix.
 */
import type { ObjectStore } from '../storage/index.ts';

/**
 * Keys read at most per index. Our stores' list is recursive: a store of many chunks would otherwise be walked
 * entirely for a page that names a handful of variables. Past the bound the index says it is incomplete.
 */
export const MAX_LISTED_KEYS = 10_000;

export interface FolderEntry {
  /** Name within the folder; folders end with '/'. */
  name: string;
  /** Bytes of a file; folders have none (summing them would mean walking everything). */
  size?: number;
}

export interface FolderIndex {
  entries: FolderEntry[];
  truncated: boolean;
}

/** The immediate entries below `prefix` (ending in '/'), or undefined when no object lies below it. */
export async function folderIndex(store: ObjectStore, prefix: string, signal?: AbortSignal, maxKeys = MAX_LISTED_KEYS): Promise<FolderIndex | undefined> {
  const entries = new Map<string, FolderEntry>();
  let seen = 0;
  let truncated = false;
  for await (const { key, size } of store.list(prefix, signal)) {
    if (seen++ >= maxKeys) {
      truncated = true;
      break;
    }
    const rest = key.slice(prefix.length);
    const cut = rest.indexOf('/');
    const name = cut < 0 ? rest : rest.slice(0, cut + 1);
    if (name !== '' && !entries.has(name)) entries.set(name, cut < 0 ? { name, size } : { name });
  }
  if (entries.size === 0) return undefined;
  return { entries: [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), truncated };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const encodeName = (name: string) => name.split('/').map(encodeURIComponent).join('/');

/**
 * Links are absolute: relative ones resolve differently with and without a trailing slash in browsers, and
 * fsspec joins them to the page URL either way.
 */
export function entryHref(folderUrl: string, entry: FolderEntry): string {
  return `${folderUrl.replace(/\/+$/, '')}/${encodeName(entry.name)}`;
}

export function folderIndexJson(folderUrl: string, index: FolderIndex): Record<string, unknown> {
  return {
    entries: index.entries.map((e) => ({
      name: e.name,
      type: e.name.endsWith('/') ? 'directory' : 'file',
      ...(e.size !== undefined ? { size: e.size } : {}),
      href: entryHref(folderUrl, e),
    })),
    truncated: index.truncated,
  };
}

/** Only the entries' links are URLs on the page: fsspec also picks up bare URLs in the text. */
export function folderIndexHtml(title: string, folderUrl: string, index: FolderIndex): string {
  const rows = index.entries.map((e) => `<li><a href="${escapeHtml(entryHref(folderUrl, e))}">${escapeHtml(e.name)}</a></li>`);
  const note = index.truncated ? `<p>Only the entries among the first ${MAX_LISTED_KEYS} objects are listed.</p>` : '';
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body><h1>${escapeHtml(title)}</h1>\n<ul>\n${rows.join('\n')}\n</ul>\n${note}</body></html>\n`;
}
