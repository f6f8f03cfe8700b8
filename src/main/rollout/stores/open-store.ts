/** Opens a config store from its URI: `dir:/path` or `etcd://host:port/prefix`. */
import { AppError } from '../../../shared/errors';
import { parseStoreUri } from '../../../consumer/store-reader';
import type { ConfigStore } from './config-store';
import { DirectoryStore, type DirectoryStoreOptions } from './directory-store';
import { EtcdStore, type EtcdStoreOptions } from './etcd-store';

export function openConfigStore(
  uri: string,
  options: {
    directory?: Omit<DirectoryStoreOptions, 'root'>;
    etcd?: Omit<EtcdStoreOptions, 'uri'>;
  } = {},
): ConfigStore {
  let location;
  try {
    location = parseStoreUri(uri);
  } catch (error) {
    throw new AppError('validation', (error as Error).message);
  }
  if (location.kind === 'dir')
    return new DirectoryStore({ ...options.directory, root: location.root });
  return new EtcdStore({ ...options.etcd, uri });
}
