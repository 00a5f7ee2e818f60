export const TARGETS: Record<
  string,
  { entry: string; outdir: string; file: string; target: string }
>;
/** Bundles one target; returns the bundle's path and size in bytes. */
export function bundle(
  name: string,
  opts?: { outdir?: string },
): Promise<{ outfile: string; bytes: number }>;
