import type { SnapshotFetcher } from '../../ports';

/**
 * The snapshot fetcher (DNS, HTTP and HTTPS clients) loads with the first alert that carries a
 * snapshot URL: the registry's routes and alerts without one never need it.
 */
export const snapshotFetcherFromEnv = (): SnapshotFetcher => {
  let fetcher: Promise<SnapshotFetcher> | undefined;
  return {
    fetch: async (request) => {
      fetcher ??= import('../../adapters/http/snapshot-fetcher').then(
        ({ HttpSnapshotFetcher }) => new HttpSnapshotFetcher(),
      );
      return (await fetcher).fetch(request);
    },
  };
};
