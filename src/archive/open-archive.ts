// Opens the archive the configuration names: the data folder's `archive/`, or an S3-compatible bucket.
import type { DataFolder } from '../store/data-folder.js';
import type { StoredArchive } from './stored-objects.js';
import type { ArchiveConfig } from './archive-config.js';
import { checkArchiveTarget } from './archive-target.js';
import { LocalArchive } from './local/local-archive.js';

/**
 * The local archive without `archive.url`; with it, an S3 archive (s3/open-s3-archive.ts). Throws
 * ArchiveConfigError when the bucket's region is known nowhere, or when the folder archives elsewhere.
 */
export async function openArchive(config: ArchiveConfig, folder: Pick<DataFolder, 'dir' | 'archiveDir'>): Promise<StoredArchive> {
  const url = config.url;
  checkArchiveTarget(folder.dir, url ?? 'local');
  if (url === undefined) return new LocalArchive(folder.archiveDir);
  // Loaded only for a bucket: the AWS SDK takes about 0.25 s to load, which every CLI verb on a data folder would pay.
  const { openS3Archive } = await import('./s3/open-s3-archive.js');
  return openS3Archive({ ...config, url });
}
