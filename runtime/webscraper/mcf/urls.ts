/**
 * MCF's two hosts and the shape of its job page URLs:
 * `https://www.mycareersfuture.gov.sg/job/<category-slug>/<title-slug>-<uuid>`.
 */

export const MCF_API_URL = 'https://api.mycareersfuture.gov.sg';
export const MCF_WEB_URL = 'https://www.mycareersfuture.gov.sg';

/** Lowercase words joined by hyphens, as in MCF's page URLs. */
export function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'job'
  );
}

/**
 * The page of a job on the website: `/job/<category>/<title>-<company>-<uuid>`
 * (MCF puts the company's slug before the uuid; without a company, the title's
 * slug alone).
 */
export function jobPageUrl(
  webBase: string,
  job: { uuid: string; title?: string | null; category?: string | null; company?: string | null },
): string {
  const base = webBase.replace(/\/+$/, '');
  const category = slugify(job.category || 'job');
  const company = job.company ? `-${slugify(job.company)}` : '';
  return `${base}/job/${category}/${slugify(job.title || 'job')}${company}-${job.uuid}`;
}

/** The uuid at the end of a job page URL (`.../<slug>-<uuid>` or `.../<uuid>`), if any. */
export function uuidFromJobUrl(url: string): string | undefined {
  const path = url.split(/[?#]/)[0] ?? '';
  return /(?:^|[/-])([0-9a-f]{32})\/?$/.exec(path)?.[1];
}

/** `base` + `path`, without doubled slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
