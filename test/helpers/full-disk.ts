import { nodeMediaFiles, type MediaFile, type MediaFiles } from '../../src/main/media/media-store';

/** The real disk, except that the next `failing.writes` writes fail with ENOSPC. */
export function fullDisk(failing: { writes: number }): MediaFiles {
  return {
    async open(path): Promise<MediaFile> {
      const real = await nodeMediaFiles.open(path);
      return {
        async writev(buffers, position) {
          if (failing.writes > 0) {
            failing.writes -= 1;
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
              code: 'ENOSPC',
            });
          }
          return real.writev(buffers, position);
        },
        sync: () => real.sync(),
        close: () => real.close(),
      };
    },
  };
}
